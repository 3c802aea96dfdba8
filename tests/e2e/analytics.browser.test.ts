// The analytics view in Chromium against the real server: the comparison's forest plot shows one interval per part
// (equal to the API's numbers), the agreement view draws a confusion matrix and a reliability diagram per
// condition (counts equal to the API's), and a review-queue row opens the study view of its study.
// Screenshots land in docs/screenshots/ with UPDATE_SCREENSHOTS=1.
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertAnalyticsStudies, insertModelSet } from '../support/analytics-data.js';
import { queryData, startSecurityStack, type SecurityStack } from '../support/security-fixture.js';
import { CHROMIUM, CHROMIUM_ARGS, hasChromium } from './support/dashboard-stack.js';

const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS
  ? fileURLToPath(new URL('../../docs/screenshots/', import.meta.url))
  : join(tmpdir(), 'spinegraph-analytics-screenshots');

describe.skipIf(!hasChromium())('the analytics view', { timeout: 180_000 }, () => {
  let s: SecurityStack;
  let browser: Browser;
  let page: Page;
  let setA: string;
  let setB: string;
  const errors: string[] = [];

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    s = await startSecurityStack();
    setA = await insertModelSet(s.db, 'set A');
    setB = await insertModelSet(s.db, 'set B');
    await s.db.sql.query(`UPDATE "ModelSet" SET "isActive" = true, "activatedAt" = now() WHERE id = $1`, [setA]);
    await insertAnalyticsStudies(s.db, { projectId: s.projects.a.id, studies: 30, seed: 3, sets: [setA, setB], agreement: [0.5, 0.8] });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.addInitScript(`sessionStorage.setItem('spinegraph.token', ${JSON.stringify(s.users.researcherA.token)})`);
    await page.goto(`${s.baseUrl}/#/analytics`);
    await page.getByRole('heading', { name: 'Research analytics' }).waitFor();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await s?.stop();
  });

  it('draws the comparison as a forest plot of b - a with its intervals', async () => {
    await page.getByLabel('Model set A').selectOption({ label: 'set A' });
    await page.getByLabel('Model set B').selectOption({ label: 'set B' });
    await page.getByRole('button', { name: 'Compare' }).click();
    await page.locator('svg.forest-plot').waitFor();
    expect(await page.locator('svg.forest-plot line.interval').count()).toBe(5);
    expect(await page.locator('svg.forest-plot circle.estimate').count()).toBe(5);
    const seed = Number((await page.locator('.comparison-result p').first().textContent())?.match(/seed (\d+)/)?.[1]);
    const api = await queryData<{ compareModelSets: { parts: { difference: number; lower: number; upper: number }[] } }>(
      s.url,
      'query($a: ID!, $b: ID!, $seed: Int) { compareModelSets(a: $a, b: $b, seed: $seed) { parts { difference lower upper } } }',
      { a: setA, b: setB, seed },
      s.users.researcherA.headers,
    );
    const cells = await page.locator('table.comparison-table tr').nth(1).locator('td').allTextContents();
    expect(cells[3]).toBe(api.compareModelSets.parts[0].difference.toFixed(3));
    expect(cells[4]).toBe(`${api.compareModelSets.parts[0].lower.toFixed(3)} to ${api.compareModelSets.parts[0].upper.toFixed(3)}`);
    // B agrees more often: its loss is lower, the dot left of zero.
    expect(api.compareModelSets.parts[0].upper).toBeLessThan(0);
    await page.locator('#comparison').screenshot({ path: join(SCREENSHOTS, 'analytics-comparison.png') });
  });

  it('draws a confusion matrix and a reliability diagram per condition', async () => {
    await page.getByLabel('Model set', { exact: true }).selectOption({ label: 'set A' });
    await page.getByRole('button', { name: 'Show agreement' }).click();
    await page.locator('.agreement-card').first().waitFor();
    expect(await page.locator('.agreement-card').count()).toBe(5);
    expect(await page.locator('.agreement-card svg.reliability polyline.curve').count()).toBeGreaterThanOrEqual(10);
    const api = await queryData<{ agreement: { groups: { level: string | null; confusion: number[][] }[] } }>(
      s.url,
      'query($m: ID) { agreement(modelSetId: $m) { groups { level confusion } } }',
      { m: setA },
      s.users.researcherA.headers,
    );
    const pooled = api.agreement.groups.filter((g) => g.level === null);
    const shown = await page.locator('.agreement-card').first().locator('table.confusion td').allTextContents();
    expect(shown.map(Number)).toEqual(pooled[0].confusion.flat());
    await page.locator('#agreement').screenshot({ path: join(SCREENSHOTS, 'analytics-agreement.png') });
  });

  it('lists the review queue and opens the study view from a row', async () => {
    await page.getByLabel('Order').selectOption('DISAGREEMENT');
    await page.getByRole('button', { name: 'Load queue' }).click();
    await page.locator('tr.review-row').first().waitFor();
    expect(await page.locator('tr.review-row').count()).toBe(25);
    await page.locator('#review').screenshot({ path: join(SCREENSHOTS, 'analytics-review-queue.png') });
    const link = page.locator('tr.review-row a').first();
    const href = await link.getAttribute('href');
    await link.click();
    await page.waitForURL((u) => u.hash.startsWith('#/studies/'));
    expect(decodeURIComponent(page.url())).toContain(decodeURIComponent(href ?? 'missing').split('?')[0]);
    await page.getByRole('link', { name: '← Dashboard' }).waitFor();
    expect(errors).toEqual([]);
  });
});
