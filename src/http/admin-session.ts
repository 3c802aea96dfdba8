// Browsers cannot put a bearer token on a page load or on the scripts and API calls of Bull Board's page, so an
// administrator's authenticated request (POST /admin/session with the bearer header) gets a short-lived signed
// cookie, scoped to /admin, HttpOnly and SameSite=Strict. Each use re-reads the account: a demoted administrator's
// cookie stops working at once. The key is derived from the deployment's secrets, so every API replica accepts it.
import { createHmac, timingSafeEqual } from 'node:crypto';
import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import type { Database } from '../db/client.js';
import type { Viewer } from '../auth/viewer.js';
import { isUuid } from '../domain/ids.js';

export const ADMIN_SESSION_COOKIE = 'sg_admin';
export const ADMIN_SESSION_PATH = '/admin/session';
const COOKIE_PATH = '/admin';
export const ADMIN_SESSION_TTL_S = 10 * 60;

export interface AdminSessionOptions {
  readonly db: Database;
  readonly viewerOf: (req: Request) => Promise<Viewer>;
  /** Secrets shared by every replica (PATIENT_KEY_SECRET, JWT_SECRET when set); the cookie key is derived from them. */
  readonly secrets: readonly string[];
  readonly secureCookie: boolean;
  readonly now?: () => number;
}

export interface AdminSession {
  /** POST /admin/session: sets the cookie for an administrator. */
  readonly router: Router;
  /** Lets through a bearer-authenticated administrator or a valid cookie of a user still administrator. */
  readonly guard: RequestHandler;
  sign(userId: string, expiresAtS: number): string;
}

function cookieOf(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

const COOKIE_MESSAGES = {
  expired: `The admin session expired (it lasts ${ADMIN_SESSION_TTL_S / 60} minutes); open the queue board again from the Administration view (/#/admin).`,
  invalid: 'The admin session cookie is not valid; open the queue board again from the Administration view (/#/admin).',
} as const;

/**
 * 401 for a cookie that no longer opens the board: a page load (the administrator's browser tab) gets a short HTML
 * page with the way back, scripts and API calls get JSON. The stale cookie is cleared either way.
 */
function refuseCookie(req: Request, res: Response, reason: keyof typeof COOKIE_MESSAGES): void {
  const message = COOKIE_MESSAGES[reason];
  res.status(401);
  res.setHeader('Set-Cookie', `${ADMIN_SESSION_COOKIE}=; Path=${COOKIE_PATH}; Max-Age=0; HttpOnly; SameSite=Strict`);
  if (req.method === 'GET' && req.accepts(['json', 'html']) === 'html') {
    res
      .type('html')
      .send(
        `<!doctype html><meta charset="utf-8"><title>Admin session ${reason}</title>` +
          `<p>${message}</p><p><a href="/#/admin">Administration</a></p>`,
      );
    return;
  }
  res.json({ error: { code: 'UNAUTHENTICATED', reason: reason.toUpperCase(), message } });
}

export function adminSession(options: AdminSessionOptions): AdminSession {
  const key = createHmac('sha256', options.secrets.join('\u0000')).update('spinegraph admin session cookie v1').digest();
  const now = options.now ?? (() => Date.now());
  const mac = (payload: string): string => createHmac('sha256', key).update(payload).digest('base64url');
  const sign = (userId: string, expiresAtS: number): string => `${userId}.${expiresAtS}.${mac(`${userId}.${expiresAtS}`)}`;
  /** The user of a genuine cookie still valid; 'expired' for a genuine one past its time (said apart: the fix differs). */
  const verify = (value: string): { userId: string } | 'expired' | 'invalid' => {
    const [userId, exp, sig] = value.split('.');
    if (!userId || !exp || !sig || !isUuid(userId) || !/^\d{1,12}$/.test(exp)) return 'invalid';
    const expected = Buffer.from(mac(`${userId}.${exp}`));
    const given = Buffer.from(sig);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'invalid';
    return Number(exp) * 1000 > now() ? { userId } : 'expired';
  };

  const router = express.Router();
  router.post(ADMIN_SESSION_PATH, async (req, res) => {
    let viewer: Viewer;
    try {
      viewer = await options.viewerOf(req);
    } catch {
      res.status(401).json({ error: { code: 'UNAUTHENTICATED', message: 'A bearer token is required' } });
      return;
    }
    if (!viewer.isAdmin) {
      res.status(403).json({ error: { code: 'FORBIDDEN', message: 'Administrators only' } });
      return;
    }
    const expiresAtS = Math.floor(now() / 1000) + ADMIN_SESSION_TTL_S;
    // AUTH_MODE=off: the local administrator has no account and needs no cookie (every request is theirs).
    if (viewer.userId) {
      const attributes = [`Path=${COOKIE_PATH}`, `Max-Age=${ADMIN_SESSION_TTL_S}`, 'HttpOnly', 'SameSite=Strict'];
      if (options.secureCookie) attributes.push('Secure');
      res.setHeader('Set-Cookie', `${ADMIN_SESSION_COOKIE}=${sign(viewer.userId, expiresAtS)}; ${attributes.join('; ')}`);
    }
    res.json({ expiresAt: new Date(expiresAtS * 1000).toISOString() });
  });

  const guard = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const cookie = cookieOf(req, ADMIN_SESSION_COOKIE);
    if (!req.headers.authorization && cookie) {
      const verdict = verify(cookie);
      if (verdict === 'expired' || verdict === 'invalid') {
        refuseCookie(req, res, verdict);
        return;
      }
      const user = await options.db.prisma.user.findUnique({ where: { id: verdict.userId }, select: { isAdmin: true } });
      if (user?.isAdmin) return next();
      res.status(403).json({ error: { code: 'FORBIDDEN', message: 'Administrators only' } });
      return;
    }
    try {
      const viewer = await options.viewerOf(req);
      if (viewer.isAdmin) return next();
      res.status(403).json({ error: { code: 'FORBIDDEN', message: 'Administrators only' } });
    } catch {
      res.status(401).json({ error: { code: 'UNAUTHENTICATED', message: 'A bearer token or an admin session is required' } });
    }
  };
  return { router, guard: (req, res, next) => void guard(req, res, next), sign };
}
