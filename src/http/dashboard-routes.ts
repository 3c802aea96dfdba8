// Serves the dashboard (public/: static HTML, CSS and ES modules, no build step) at `/`. HTML is never cached so a
// deployment's new client is picked up at once; scripts and styles revalidate by ETag.
import { fileURLToPath } from 'node:url';
import express, { type Router } from 'express';

/** public/ at the repository root: two levels up from src/http (and from dist/http after a build). */
export const PUBLIC_DIR = fileURLToPath(new URL('../../public/', import.meta.url));

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
};

export function dashboardRoutes(publicDir: string = PUBLIC_DIR): Router {
  const router = express.Router();
  router.use(
    express.static(publicDir, {
      index: 'index.html',
      dotfiles: 'ignore',
      redirect: false,
      setHeaders(res, path) {
        const ext = path.slice(path.lastIndexOf('.')).toLowerCase();
        const type = CONTENT_TYPES[ext];
        if (type) res.setHeader('Content-Type', type);
        res.setHeader('X-Content-Type-Options', 'nosniff');
        if (ext === '.html') {
          res.setHeader('Cache-Control', 'no-store');
          // Everything the page loads is its own (no CDN): scripts, styles, images and the API on this origin.
          res.setHeader(
            'Content-Security-Policy',
            "default-src 'self'; img-src 'self' data: blob:; connect-src 'self' ws: wss:; style-src 'self'; script-src 'self'; base-uri 'none'; frame-ancestors 'none'",
          );
        } else {
          res.setHeader('Cache-Control', 'no-cache');
        }
      },
    }),
  );
  return router;
}
