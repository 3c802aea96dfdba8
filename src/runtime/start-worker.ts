import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker thread from a module next to the caller, compiled (.js) or, when running from TypeScript
 * sources (tests, tsx), through tsx registered inside the worker first.
 */
export function startModuleWorker(moduleUrl: URL, options: WorkerOptions = {}): Worker {
  if (moduleUrl.pathname.endsWith('.js')) return new Worker(moduleUrl, options);
  const tsconfig = new URL('../../tsconfig.json', import.meta.url).pathname;
  // Resolved here, not in the worker: an eval'd worker resolves bare names from the process's working folder.
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsxApi)}).then(({ register }) => { register({ tsconfig: ${JSON.stringify(tsconfig)} }); return import(${JSON.stringify(moduleUrl.href)}); });`;
  return new Worker(boot, { ...options, eval: true });
}

/** The sibling module `name` of `importMetaUrl`, with the extension the caller itself runs under. */
export function siblingModule(importMetaUrl: string, name: string): URL {
  return new URL(`./${name}${importMetaUrl.endsWith('.ts') ? '.ts' : '.js'}`, importMetaUrl);
}
