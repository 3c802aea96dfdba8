// The static dashboard route: index at `/`, content types, caching, and nothing outside public/.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardRoutes } from '../../../src/http/dashboard-routes.js';

let server: Server;
let base: string;

beforeAll(async () => {
  const app = express();
  app.use(dashboardRoutes());
  server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
});

describe('dashboardRoutes', () => {
  it('serves the page at / as HTML, never cached, with a same-origin content security policy', async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    const html = await res.text();
    expect(html).toContain('<script type="module" src="/js/app.js"></script>');
    expect(html).not.toMatch(/https?:\/\//); // no CDN
  });

  it('serves the modules and styles with their types, revalidated by ETag', async () => {
    for (const [path, type] of [
      ['/js/app.js', 'text/javascript; charset=utf-8'],
      ['/js/graphql-ws-client.js', 'text/javascript; charset=utf-8'],
      ['/styles.css', 'text/css; charset=utf-8'],
      ['/favicon.svg', 'image/svg+xml'],
    ]) {
      const res = await fetch(base + path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toBe(type);
      expect(res.headers.get('cache-control'), path).toBe('no-cache');
      expect(res.headers.get('etag'), path).toBeTruthy();
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('passes unknown paths on (404 here) and never serves files outside public/', async () => {
    expect((await fetch(`${base}/nope.js`)).status).toBe(404);
    expect((await fetch(`${base}/..%2fpackage.json`)).status).toBe(404);
    expect((await fetch(`${base}/%2e%2e/package.json`)).status).not.toBe(200);
  });

  it('imports only modules that exist under public/js', async () => {
    const app = await (await fetch(`${base}/js/app.js`)).text();
    const imports = [...app.matchAll(/from '\.\/([\w-]+\.js)'/g)].map((m) => m[1]);
    expect(imports.length).toBeGreaterThan(5);
    for (const file of imports) expect((await fetch(`${base}/js/${file}`)).status, file).toBe(200);
  });
});
