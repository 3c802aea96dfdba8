// What every browser test of a signed-in dashboard repeats: Chromium launched, a page carrying a user's bearer token
// (as the Access token dialog stores it), every page error, console error and failed request recorded with its
// body, and the screenshot folder (docs/screenshots/ with UPDATE_SCREENSHOTS=1, else a temp folder, so that a plain
// run leaves the working tree as it found it).
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from './dashboard-stack.js';

export interface BrowserSession {
  readonly browser: Browser;
  readonly page: Page;
  /** Page errors, console errors and responses of 400 and up, in order; a test ends expecting it empty. */
  readonly errors: string[];
  /** Saves a screenshot of the element (or the whole page) under `name` in the screenshot folder. */
  screenshot(name: string, selector?: string): Promise<void>;
  close(): Promise<void>;
}

/** docs/screenshots/ when UPDATE_SCREENSHOTS is set, else a temp folder of that name. */
export function screenshotFolder(tempName: string): string {
  const folder = process.env.UPDATE_SCREENSHOTS
    ? fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url))
    : join(tmpdir(), tempName);
  mkdirSync(folder, { recursive: true });
  return folder;
}

export async function openBrowserSession(options: {
  /** http://host:port of the server. */
  readonly baseUrl: string;
  /** The bearer token the page sends (none: a server without authentication). */
  readonly token?: string;
  /** The hash route to open first, e.g. '#/analytics'. */
  readonly route?: string;
  readonly screenshots: string;
  readonly viewport?: { width: number; height: number };
  /** Failed requests that are part of what the test checks, not errors (matched against the URL). */
  readonly expectedFailures?: RegExp;
}): Promise<BrowserSession> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const page = await browser.newPage({ viewport: options.viewport ?? { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // Failed requests are recorded with their bodies by the response listener.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(`console: ${m.text()}`);
  });
  page.on('response', async (r) => {
    if (r.status() < 400 || options.expectedFailures?.test(r.url())) return;
    errors.push(`${r.status()} ${r.url()} ${r.request().postData() ?? ''} -> ${await r.text().catch(() => '')}`);
  });
  if (options.token) await page.addInitScript(`sessionStorage.setItem('spinegraph.token', ${JSON.stringify(options.token)})`);
  await page.goto(`${options.baseUrl}/${options.route ?? ''}`);
  return {
    browser,
    page,
    errors,
    async screenshot(name, selector) {
      const path = join(options.screenshots, name);
      if (selector) await page.locator(selector).screenshot({ path });
      else await page.screenshot({ path, fullPage: true });
    },
    close: () => browser.close(),
  };
}
