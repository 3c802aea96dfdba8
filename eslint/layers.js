// @ts-check
// The import direction of src/, as a lint rule. Each top-level module of src/ (a folder, or a file such as
// config.ts) belongs to one layer and may import only the modules listed for it; anything else, including a module
// the map does not know, is an error. docs/architecture.md draws the same map; change both together.
import path from 'node:path';

/** Imported by every layer above the domain: process-wide plumbing that imports nothing of ours but the logger. */
const PLATFORM = ['config', 'logger', 'version', 'runtime'];
const BASE = ['domain', ...PLATFORM];
const LIBRARIES = [...BASE, 'dicom', 'dicomweb', 'inference', 'synth'];
const BELOW_SERVICES = [...LIBRARIES, 'db', 'auth', 'training'];
const BELOW_API = [...BELOW_SERVICES, 'services'];
const BELOW_HTTP = [...BELOW_API, 'api', 'queue', 'schema', 'resolvers'];

/** module -> the modules it may import (its own files are always allowed). */
export const LAYERS = {
  domain: [],
  config: [],
  logger: [],
  version: [],
  runtime: ['logger'],
  db: [...BASE],
  // Pure libraries a notebook could call: no database, queue or GraphQL.
  dicom: [...BASE],
  inference: [...BASE, 'dicom'],
  synth: [...BASE, 'dicom'],
  // A DICOMweb client (QIDO, WADO, STOW over HTTP): no database, no queue.
  dicomweb: [...BASE, 'dicom'],
  // Tensor export, training requests and the trainer process; the data comes in from services.
  training: [...BASE, 'dicom', 'inference'],
  // Who is asking (Viewer), tokens and permissions.
  auth: [...BASE, 'db'],
  // Use cases; the only layer that reads and writes the database for the layers above.
  services: [...BELOW_SERVICES],
  // BullMQ producers, workers and job handlers; events leave through the JobEventSink port (services/job-events).
  queue: [...BELOW_API],
  // GraphQL plumbing below the resolvers: request context, loaders, the pub/sub, limits, plugins.
  api: [...BELOW_API],
  // type-graphql types: declarations only, built from the domain vocabulary.
  schema: [...BASE],
  // Thin: arguments in, one service call, a mapper out. Never the database or the queue directly.
  resolvers: [...BASE, 'auth', 'services', 'api', 'schema'],
  http: [...BELOW_HTTP],
  // Entry points that wire the rest; nothing imports them but the command line.
  server: [...BELOW_HTTP, 'http'],
  worker: [...BELOW_HTTP, 'http'],
  cli: [...BELOW_HTTP, 'http', 'server', 'worker'],
};

/** `src/queue/handlers/x.ts` -> `queue`; `src/config.ts` -> `config`; outside src -> null. */
export function moduleOf(relativeFile, srcRoot = 'src') {
  const parts = relativeFile.split(/[\\/]/);
  if (parts[0] !== srcRoot || parts.length < 2) return null;
  return parts.length === 2 ? parts[1].replace(/\.[cm]?[jt]sx?$/, '') : parts[1];
}

/** @type {import('eslint').Rule.RuleModule} */
const layersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'src/ imports point down the layers of docs/architecture.md' },
    schema: [
      {
        type: 'object',
        properties: { layers: { type: 'object' }, srcRoot: { type: 'string' } },
        required: ['layers'],
        additionalProperties: false,
      },
    ],
    messages: {
      upward:
        '{{from}} may not import {{to}} ({{spec}}): it sits above or beside {{from}} in docs/architecture.md. {{from}} may import: {{allowed}}.',
      unknown: 'src/{{from}} is in no layer: add it to eslint/layers.js and docs/architecture.md.',
    },
  },
  create(context) {
    const { layers, srcRoot = 'src' } = /** @type {{ layers: Record<string, string[]>, srcRoot?: string }} */ (context.options[0]);
    const cwd = context.cwd;
    const file = path.relative(cwd, context.filename);
    const from = moduleOf(file, srcRoot);
    if (from === null) return {};
    const allowed = layers[from];
    /** @param {import('estree').Node} node @param {unknown} value */
    function check(node, value) {
      if (typeof value !== 'string' || !value.startsWith('.')) return;
      const target = path.relative(cwd, path.resolve(path.dirname(context.filename), value));
      const to = moduleOf(target, srcRoot);
      if (to === null || to === from) return;
      if (!allowed) return;
      if (!allowed.includes(to))
        context.report({ node, messageId: 'upward', data: { from, to, spec: value, allowed: allowed.join(', ') || 'nothing of ours' } });
    }
    return {
      Program(node) {
        if (!allowed) context.report({ node, messageId: 'unknown', data: { from } });
      },
      ImportDeclaration: (node) => check(node.source, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
      ExportAllDeclaration: (node) => check(node.source, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value),
      // `import('../x.js').T` in a type position.
      /** @param {any} node */
      TSImportType(node) {
        const arg = node.argument?.literal ?? node.argument;
        if (arg?.type === 'Literal') check(arg, arg.value);
      },
    };
  },
};

export const layersPlugin = { meta: { name: 'spinegraph-layers' }, rules: { layers: layersRule } };
