#!/usr/bin/env node
// Runs the compiled CLI (dist/, built at install) while it is up to date with src/, else the TypeScript sources
// through tsx (bin/cli-entry.js says which, and why). The container image has only dist/.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { chooseCliEntry } from './cli-entry.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
let entry;
try {
  entry = chooseCliEntry(root);
} catch (e) {
  process.stderr.write(`spinegraph: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
}
if (process.env.SPINEGRAPH_DEBUG_ENTRY === '1') process.stderr.write(`spinegraph: running ${entry.kind} (${entry.reason})\n`);
if (entry.kind === 'source') {
  const { register } = await import('tsx/esm/api');
  // The project's tsconfig (decorators) applies whatever the caller's working folder.
  register({ tsconfig: join(root, 'tsconfig.json') });
}
await import(pathToFileURL(entry.file).href);
