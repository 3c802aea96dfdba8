// The analytics view in Chromium against the real server: the comparison's forest plot shows one interval per part
// (equal to the API's numbers), the agreement view draws a confusion matrix and a reliability diagram per
// condition (counts equal to the API's), and clicking a review-queue row opens the study viewer on that study at the
// slice of the row's labelled point (series and slice checked against the API).
// Screenshots land in docs/screenshots/ with UPDATE_SCREENSHOTS=1.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryData } from '../support/security-fixture.js';
import { startAnalyticsStack, type AnalyticsStack } from './support/analytics-stack.js';
import { openBrowserSession, screenshotFolder, type BrowserSession } from './support/browser-session.js';
import { hasChromium } from './support/dashboard-stack.js';

/** Runs in the page: the image has finished loading and decoded to a real size. */
const IMAGE_LOADED = (img: unknown): boolean =>
  (img as { complete: boolean }).complete && (img as { naturalWidth: number }).naturalWidth > 0;

describe.skipIf(!hasChromium())('the analytics view', { timeout: 180_000 }, () => {
  let stack: AnalyticsStack;
  let session: BrowserSession;
  let page: Page;
  let setA: string;
  let setB: string;

  beforeAll(async () => {
    stack = await startAnalyticsStack({ imported: 3, rowStudies: 30 });
    ({ setA, setB } = stack);
    session = await openBrowserSession({
      baseUrl: stack.s.baseUrl,
      token: stack.s.users.researcherA.token,
      route: '#/analytics',
      screenshots: screenshotFolder('spinegraph-analytics-screenshots'),
    });
    page = session.page;
    await page.getByRole('heading', { name: 'Research analytics' }).waitFor();
  }, 300_000);

  afterAll(async () => {
    await session?.close();
    await stack?.s.stop();
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
      stack.s.url,
      'query($a: ID!, $b: ID!, $seed: Int) { compareModelSets(a: $a, b: $b, seed: $seed) { parts { difference lower upper } } }',
      { a: setA, b: setB, seed },
      stack.s.users.researcherA.headers,
    );
    const cells = await page.locator('table.comparison-table tr').nth(1).locator('td').allTextContents();
    expect(cells[3]).toBe(api.compareModelSets.parts[0].difference.toFixed(3));
    expect(cells[4]).toBe(`${api.compareModelSets.parts[0].lower.toFixed(3)} to ${api.compareModelSets.parts[0].upper.toFixed(3)}`);
    // B agrees more often: its loss is lower, the dot left of zero.
    expect(api.compareModelSets.parts[0].upper).toBeLessThan(0);
    await session.screenshot('analytics-comparison.png', '#comparison');
  });

  it('draws a confusion matrix and a reliability diagram per condition', async () => {
    await page.getByLabel('Model set', { exact: true }).selectOption({ label: 'set A' });
    await page.getByRole('button', { name: 'Show agreement' }).click();
    await page.locator('.agreement-card').first().waitFor();
    expect(await page.locator('.agreement-card').count()).toBe(5);
    expect(await page.locator('.agreement-card svg.reliability polyline.curve').count()).toBeGreaterThanOrEqual(10);
    const api = await queryData<{ agreement: { groups: { level: string | null; confusion: number[][] }[] } }>(
      stack.s.url,
      'query($m: ID) { agreement(modelSetId: $m) { groups { level confusion } } }',
      { m: setA },
      stack.s.users.researcherA.headers,
    );
    const pooled = api.agreement.groups.filter((g) => g.level === null);
    const shown = await page.locator('.agreement-card').first().locator('table.confusion td').allTextContents();
    expect(shown.map(Number)).toEqual(pooled[0].confusion.flat());
    await session.screenshot('analytics-agreement.png', '#agreement');
  });

  it('lists the review queue; clicking a row opens the study viewer at the slice of its labelled point', async () => {
    await page.getByLabel('Order').selectOption('UNCERTAINTY');
    await page.getByRole('button', { name: 'Load queue' }).click();
    await page.locator('tr.review-row').first().waitFor();
    expect(await page.locator('tr.review-row').count()).toBe(25);
    await session.screenshot('analytics-review-queue.png', '#review');

    // The rows as the API ranks them: the imported studies' (set A as uncertain as can be) come first.
    const queue = await queryData<{ reviewQueue: { edges: { node: { studyId: string; condition: string; level: string } }[] } }>(
      stack.s.url,
      'query { reviewQueue(order: UNCERTAINTY, first: 25) { edges { node { studyId condition level } } } }',
      {},
      stack.s.users.researcherA.headers,
    );
    const shown = await page.locator('tr.review-row td:first-child a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(shown).toEqual(queue.reviewQueue.edges.map(({ node: n }) => `#/studies/${n.studyId}?condition=${n.condition}&level=${n.level}`));
    // A row whose labelled point lies on a series other than the one the viewer opens by default (its first), so
    // that opening at the default would fail the test.
    const target = await pickRowOffTheFirstSeries(queue.reviewQueue.edges.map((e) => e.node));
    const index = queue.reviewQueue.edges.findIndex(({ node: n }) => n === target.row);
    await page.locator('tr.review-row').nth(index).locator('td').nth(1).click();
    await page.waitForURL((u) => u.hash.startsWith(`#/studies/${target.row.studyId}?`));
    await page.locator('.row-focus').waitFor();
    expect(await page.locator('.row-focus').textContent()).toContain('slice of its labelled point');
    await expect.poll(() => page.locator('.viewer-stage').getAttribute('data-instance-id'), { timeout: 30_000 }).toBe(target.instanceId);
    expect(await page.locator('#viewer-series').inputValue()).toBe(target.seriesId);
    expect(await page.locator('#viewer-slice').inputValue()).toBe(String(target.sliceIndex));
    // The slice's image arrived (what a reader sees, not only the slider's state).
    await expect.poll(() => page.locator('img.viewer-image').evaluate(IMAGE_LOADED), { timeout: 30_000 }).toBe(true);
    await session.screenshot('analytics-review-viewer.png', 'section.viewer');
    expect(session.errors).toEqual([]);
  });

  interface Row {
    studyId: string;
    condition: string;
    level: string;
  }
  interface StudyPoints {
    series: { id: string; instances: { id: string }[] }[];
    labelPoints: { condition: string; level: string; seriesId: string; instanceId: string | null }[];
  }

  async function pickRowOffTheFirstSeries(rows: Row[]): Promise<{ row: Row; seriesId: string; instanceId: string; sliceIndex: number }> {
    for (const row of rows) {
      const { study } = await queryData<{ study: StudyPoints }>(
        stack.s.url,
        'query($id: ID!) { study(id: $id) { series { id instances { id } } labelPoints { condition level seriesId instanceId } } }',
        { id: row.studyId },
        stack.s.users.researcherA.headers,
      );
      const usable = study.series.filter((x) => x.instances.length > 0);
      const point = study.labelPoints.find((p) => p.condition === row.condition && p.level === row.level && p.instanceId);
      if (!point || point.seriesId === usable[0]?.id) continue;
      const series = usable.find((x) => x.id === point.seriesId);
      const sliceIndex = series?.instances.findIndex((i) => i.id === point.instanceId) ?? -1;
      if (sliceIndex >= 0) return { row, seriesId: point.seriesId, instanceId: point.instanceId as string, sliceIndex };
    }
    throw new Error('no review row has a labelled point off the first series');
  }
});
