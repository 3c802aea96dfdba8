import type { Router } from 'express';
import express from 'express';

export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<void>;
}

/**
 * /healthz: the process is alive. /readyz: every dependency answers, naming the ones that do not, with `details`
 * (such as `jobs: in-process | queue`) stated alongside.
 */
export function healthRoutes(checks: readonly ReadinessCheck[], details: Readonly<Record<string, string>> = {}, timeoutMs = 2000): Router {
  const router = express.Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const results = await Promise.all(
      checks.map(async (c) => {
        try {
          await withTimeout(c.check(), timeoutMs);
          return { name: c.name, ok: true as const };
        } catch (e) {
          return { name: c.name, ok: false as const, error: e instanceof Error ? e.message : String(e) };
        }
      }),
    );
    const failed = results.filter((r) => !r.ok).map((r) => r.name);
    res.status(failed.length ? 503 : 200).json({ status: failed.length ? 'unavailable' : 'ready', ...details, failed, checks: results });
  });
  return router;
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
