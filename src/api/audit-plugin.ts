// Every mutation, and every query that returns study-level data, leaves one AuditEvent per request: who, what (the
// root fields, aliases and fragments included), which ids and filters, the outcome and the request id. Written
// before the response goes out, so an access that cannot be recorded does not silently happen. One row per request,
// not per field: a request of 1,000 aliases is one event listing `evaluation x1000`, not 1,000 inserts.
// The action is `operation.field` when the request runs one field name (as most do), `operation.multiple` otherwise;
// with more than one field, `detail` lists them (`fields: study, studies x2`) after any error codes.
import type { ApolloServerPlugin } from '@apollo/server';
import { type DocumentNode, type OperationDefinitionNode, type ValueNode, valueFromASTUntyped } from 'graphql';
import type { Database } from '../db/client.js';
import { recordAudit } from '../services/audit.service.js';
import type { RequestContext } from './context.js';
import { isDatabaseUnavailable } from '../db/database-errors.js';
import { DATABASE_UNAVAILABLE_MESSAGE, errorCodeOf } from './errors.js';
import { fragmentsOf } from './limits/fragments.js';
import { rootFieldsOf } from './limits/root-fields.js';

/** Root query fields that read study-level data; other queries (version, modelSets, jobs) are not audited. */
const AUDITED_QUERIES = new Set([
  'studies',
  'study',
  'cohortSummary',
  'evaluation',
  'compareModelSets',
  'agreement',
  'reviewQueue',
  'cohorts',
  'cohort',
]);
const DENIED = new Set(['UNAUTHENTICATED', 'FORBIDDEN', 'RATE_LIMITED']);

interface RootField {
  readonly name: string;
  readonly args: Record<string, unknown>;
}

/** Filters kept per event when the fields of a request filter differently. */
const MAX_FILTERS = 20;

function rootFields(document: DocumentNode, op: OperationDefinitionNode, variables: Record<string, unknown>): RootField[] {
  return rootFieldsOf(op, fragmentsOf(document)).map((sel) => {
    const args: Record<string, unknown> = {};
    for (const a of sel.arguments ?? []) args[a.name.value] = valueFromASTUntyped(a.value as ValueNode, variables);
    return { name: sel.name.value, args };
  });
}

function filterOf(f: RootField): Record<string, unknown> | null {
  return (f.args.filter ?? (f.args.input as Record<string, unknown> | undefined)?.filter ?? null) as Record<string, unknown> | null;
}

/** The request's filter: the one filter its fields share, else each field's (at most MAX_FILTERS). */
function requestFilter(fields: readonly RootField[]): Record<string, unknown> | null {
  const distinct = new Map<string, { field: string; filter: Record<string, unknown> }>();
  for (const f of fields) {
    const filter = filterOf(f);
    if (filter) distinct.set(JSON.stringify(filter), { field: f.name, filter });
  }
  if (distinct.size === 0) return null;
  const [only] = distinct.values();
  if (distinct.size === 1) return only.filter;
  return { perField: [...distinct.values()].slice(0, MAX_FILTERS), distinctFilters: distinct.size };
}

/** `study, studies x2`: each field name once, with how many times the request runs it. */
function fieldList(fields: readonly RootField[]): string {
  const counts = new Map<string, number>();
  for (const f of fields) counts.set(f.name, (counts.get(f.name) ?? 0) + 1);
  return [...counts].map(([name, n]) => (n > 1 ? `${name} x${n}` : name)).join(', ');
}

/** Ids named anywhere in the arguments (id, ids, studyIds, studyId, jobId, filter.ids, project: an id or a name). */
function targetIds(args: Record<string, unknown>): string[] {
  const out: string[] = [];
  const visit = (key: string, value: unknown): void => {
    if (typeof value === 'string' && /^(id|ids|studyId|studyIds|jobId|instanceId|modelSetId|projectId|project)$/.test(key)) out.push(value);
    else if (Array.isArray(value)) for (const v of value) visit(key, v);
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) visit(k, v);
  };
  for (const [k, v] of Object.entries(args)) visit(k, v);
  return out;
}

export function auditPlugin(db: Database): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ operation, document, contextValue, errors, request, response }) {
          if (!operation || !document || operation.operation === 'subscription') return;
          const variables = (request.variables ?? {}) as Record<string, unknown>;
          const fields = rootFields(document, operation, variables).filter(
            (f) => operation.operation === 'mutation' || AUDITED_QUERIES.has(f.name),
          );
          if (fields.length === 0) return;
          // A resolver's AppError (FORBIDDEN, NOT_FOUND) sits in originalError; the raw error carries no code of its own.
          const codes = (errors ?? []).map(errorCodeOf);
          const outcome = codes.some((c) => DENIED.has(c)) ? 'DENIED' : codes.length ? 'ERROR' : 'SUCCESS';
          const names = new Set(fields.map((f) => f.name));
          const notes = [codes.length ? [...new Set(codes)].join(',') : '', fields.length > 1 ? `fields: ${fieldList(fields)}` : ''];
          try {
            await recordAudit(db, {
              viewer: contextValue.viewer,
              action: `${operation.operation}.${names.size === 1 ? (fields[0] as RootField).name : 'multiple'}`,
              targetIds: [...new Set(fields.flatMap((f) => targetIds(f.args)))],
              filter: requestFilter(fields),
              outcome,
              requestId: contextValue.requestId,
              detail: notes.filter((n) => n !== '').join('; ') || null,
            });
          } catch (e) {
            // Not recorded, so not answered: the data never leaves. An outage is a 503 to retry, anything else a 500.
            const down = isDatabaseUnavailable(e);
            contextValue.logger.error({ requestId: contextValue.requestId, err: e }, 'audit event could not be written');
            response.http.status = down ? 503 : 500;
            if (down) response.http.headers.set('retry-after', '5');
            response.body = {
              kind: 'single',
              singleResult: {
                errors: [
                  down
                    ? { message: DATABASE_UNAVAILABLE_MESSAGE, extensions: { code: 'SERVICE_UNAVAILABLE' } }
                    : { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } },
                ],
              },
            };
          }
        },
      };
    },
  };
}
