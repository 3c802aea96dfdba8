// Every mutation, and every query that returns study-level data, leaves one AuditEvent: who, what (the root
// fields), which ids and filters, the outcome and the request id. Written before the response goes out, so an
// access that cannot be recorded does not silently happen.
import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, type OperationDefinitionNode, type ValueNode, valueFromASTUntyped } from 'graphql';
import type { Database } from '../db/client.js';
import { recordAudit } from '../services/audit.service.js';
import type { RequestContext } from './context.js';
import { errorCodeOf } from './errors.js';

/** Root query fields that read study-level data; other queries (version, modelSets, jobs) are not audited. */
const AUDITED_QUERIES = new Set(['studies', 'study', 'cohortSummary', 'evaluation']);
const DENIED = new Set(['UNAUTHENTICATED', 'FORBIDDEN', 'RATE_LIMITED']);

interface RootField {
  readonly name: string;
  readonly args: Record<string, unknown>;
}

function rootFields(op: OperationDefinitionNode, variables: Record<string, unknown>): RootField[] {
  const fields: RootField[] = [];
  for (const sel of op.selectionSet.selections) {
    if (sel.kind !== Kind.FIELD) continue;
    const args: Record<string, unknown> = {};
    for (const a of sel.arguments ?? []) args[a.name.value] = valueFromASTUntyped(a.value as ValueNode, variables);
    fields.push({ name: sel.name.value, args });
  }
  return fields;
}

/** Ids named anywhere in the arguments (id, ids, studyIds, studyId, jobId, filter.ids). */
function targetIds(args: Record<string, unknown>): string[] {
  const out: string[] = [];
  const visit = (key: string, value: unknown): void => {
    if (typeof value === 'string' && /^(id|ids|studyId|studyIds|jobId|instanceId|modelSetId|projectId)$/.test(key)) out.push(value);
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
        async willSendResponse({ operation, contextValue, errors, request }) {
          if (!operation || operation.operation === 'subscription') return;
          const variables = (request.variables ?? {}) as Record<string, unknown>;
          const fields = rootFields(operation, variables).filter((f) => operation.operation === 'mutation' || AUDITED_QUERIES.has(f.name));
          if (fields.length === 0) return;
          // A resolver's AppError (FORBIDDEN, NOT_FOUND) sits in originalError; the raw error carries no code of its own.
          const codes = (errors ?? []).map(errorCodeOf);
          const outcome = codes.some((c) => DENIED.has(c)) ? 'DENIED' : codes.length ? 'ERROR' : 'SUCCESS';
          for (const f of fields) {
            const filter = (f.args.filter ?? (f.args.input as Record<string, unknown> | undefined)?.filter ?? null) as Record<
              string,
              unknown
            > | null;
            await recordAudit(db, {
              viewer: contextValue.viewer,
              action: `${operation.operation}.${f.name}`,
              targetIds: targetIds(f.args),
              filter,
              outcome,
              requestId: contextValue.requestId,
              detail: codes.length ? [...new Set(codes)].join(',') : null,
            });
          }
        },
      };
    },
  };
}
