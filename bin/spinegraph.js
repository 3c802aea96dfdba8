#!/usr/bin/env node
// Runs the TypeScript sources through tsx in a checkout (so `npm ci && npm run demo` needs no build step),
// and the compiled CLI where only dist/ exists (the container image).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'src', 'cli.ts');
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  // The project's tsconfig (decorators) applies whatever the caller's working folder.
  register({ tsconfig: join(root, 'tsconfig.json') });
  await import(pathToFileURL(source).href);
} else {
  await import(pathToFileURL(join(root, 'dist', 'cli.js')).href);
}
