// The dashboard in Chromium against the real stack: live job list with progress over graphql-ws (and after a
// dropped connection), inference started from the cohort form, the severity heatmap in both sources checked
// against the database, model-set scores, the study list and the study view with rendered slices.
// Screenshots land in docs/screenshots/ with UPDATE_SCREENSHOTS=1.
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONDITIONS, LEVELS, SEVERITIES } from '../../src/domain/vocabulary.js';
import { MARK_COLOURS } from '../../src/services/render/index.js';
import { gqlData } from '../support/graphql-client.js';
import { startSecurityStack, type SecurityStack } from '../support/security-fixture.js';
import { CHROMIUM, CHROMIUM_ARGS, hasChromium, startDashboardStack, type DashboardStack } from './support/dashboard-stack.js';

// The committed screenshots change only on purpose (UPDATE_SCREENSHOTS=1); a plain test run writes to a temp folder
// so that it leaves the working tree as it found it.
const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS
  ? fileURLToPath(new URL('../../docs/screenshots/', import.meta.url))
  : join(tmpdir(), 'spinegraph-dashboard-screenshots');
const STUDIES = 4;
let stack: DashboardStack;
let page: Page;
const pageErrors: string[] = [];

/** Records, inside the page, every status and progress value the first job row shows (the DOM is the UI's truth). */
const TRACE_JOB_ROW = `(() => {
  const seen = [];
  window.__jobTrace = seen;
  new MutationObserver(() => {
    const row = document.querySelector('tr.job');
    const progress = row && row.querySelector('progress');
    const status = row && row.querySelector('.badge') && row.querySelector('.badge').textContent;
    if (progress && status) seen.push({ status, progress: progress.value });
  }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
})()`;

/** Runs in the page: every image has finished loading and decoded to a real size. */
const ALL_IMAGES_LOADED = (imgs: unknown[]): boolean =>
  imgs.every((i) => (i as { complete: boolean }).complete && (i as { naturalWidth: number }).naturalWidth > 0);

const screenshot = (name: string): Promise<Buffer> => page.screenshot({ path: join(SCREENSHOTS, name), fullPage: true });

// Jobs run on a shared 2-core machine: give each step room beyond vitest's default.
describe.skipIf(!hasChromium())('dashboard in Chromium', { timeout: 180_000 }, () => {
  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    stack = await startDashboardStack({ studies: STUDIES, seed: 21, size: 128 });
    page = await stack.browser.newPage({ viewport: { width: 1440, height: 1000 } });
    page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
    page.on('response', async (r) => {
      if (r.status() >= 400)
        pageErrors.push(`${r.status()} ${r.url()} ${r.request().postData() ?? ''} -> ${await r.text().catch(() => '')}`);
    });
    page.on('console', (m) => {
      // Failed requests are recorded with their bodies by the response listener.
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) pageErrors.push(`console: ${m.text()}`);
    });
    await page.goto(`${stack.base}/`);
  }, 300_000);

  afterAll(async () => {
    await stack?.close();
  });

  it('is served by the API server with the right content types and no caching of the page', async () => {
    const html = await fetch(`${stack.base}/`);
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(html.headers.get('cache-control')).toBe('no-store');
    const js = await fetch(`${stack.base}/js/app.js`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const css = await fetch(`${stack.base}/styles.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('goes live over graphql-ws and shows the labelled severity heatmap as the database counts it', async () => {
    await page.getByText('Live updates: connected').waitFor();
    await page.getByRole('radio', { name: 'Labelled' }).check();
    await page.getByText(`Severity labelled, over ${STUDIES} studies`).waitFor();
    const labels = await stack.tdb.db.prisma.label.findMany();
    for (const condition of [CONDITIONS[0], CONDITIONS[3]]) {
      for (const level of [LEVELS[0], LEVELS[3]]) {
        const cell = page.locator(`td.heat-cell[data-condition="${condition}"][data-level="${level}"] .stack`);
        const description = await cell.getAttribute('aria-label');
        const here = labels.filter((l) => l.condition === condition && l.level === level);
        for (const s of SEVERITIES) {
          const count = here.filter((l) => l.severity === s).length;
          expect(description).toContain(`(${count})`);
        }
      }
    }
    await screenshot('dashboard-labelled-heatmap.png');
  });

  it('starts inference on a filtered cohort and follows the job live to completion', async () => {
    const studies = await stack.tdb.db.prisma.study.findMany({ orderBy: { externalId: 'asc' }, select: { id: true, externalId: true } });
    const chosen = studies.slice(0, 2).map((s) => s.externalId);
    await page.getByLabel('External study ids').fill(chosen.join(', '));
    await page.getByRole('button', { name: 'Apply filter' }).click();
    await page.getByText('2 studies match this filter.').waitFor();

    // Watch the job row from inside the page: every status and progress value the DOM shows.
    await page.evaluate(TRACE_JOB_ROW);
    await page.getByRole('button', { name: 'Run inference on cohort' }).click();
    await page.locator('.form-status', { hasText: /Queued inference job [0-9a-f]{8} for 2 studies/ }).waitFor();
    const row = page.locator('tr.job').first();
    await row.locator('.badge', { hasText: 'completed' }).waitFor({ timeout: 120_000 });
    expect(await row.locator('progress').evaluate((p) => (p as unknown as { value: number }).value)).toBe(1);
    expect(await row.locator('.progress-text').textContent()).toBe('100 %');

    const trace = (await page.evaluate('window.__jobTrace')) as { status: string; progress: number }[];
    const statuses = [...new Set(trace.map((t) => t.status))];
    expect(statuses.at(-1)).toBe('completed');
    expect(statuses).toContain('running');
    const progress = trace.map((t) => t.progress);
    expect(progress.some((p) => p > 0 && p < 1)).toBe(true); // seen part-way, not only at the end
    expect(progress.every((p, i) => i === 0 || p >= progress[i - 1])).toBe(true); // never goes backwards
    // The job is the database's record too.
    const job = await stack.tdb.db.prisma.job.findFirstOrThrow({
      where: { kind: 'INFERENCE', parentId: null },
      orderBy: { createdAt: 'desc' },
    });
    expect(job.status).toBe('COMPLETED');
    expect(await row.getAttribute('data-job-id')).toBe(job.id);
    expect(await page.locator('#announcer').textContent()).not.toBe('');
  });

  it('shows the predicted heatmap and scores the model set on the filtered cohort once the job is done', async () => {
    await page.getByRole('radio', { name: 'Predicted' }).check();
    const caption = page.locator('table.heatmap caption');
    await expect.poll(() => caption.textContent(), { timeout: 15_000 }).toBe('Severity predicted by fixture (active), over 2 studies');
    const evaluation = await gqlData<{ evaluation: { score: number } }>(
      stack.server.api.url,
      'query($f: StudyFilter) { evaluation(filter: $f) { score } }',
      {
        f: { externalIds: (await page.getByLabel('External study ids').inputValue()).split(', ') },
      },
    );
    const scoreCell = page.locator('table.model-sets tbody tr').first().locator('td.strong');
    await expect.poll(() => scoreCell.textContent(), { timeout: 15_000 }).toBe(evaluation.evaluation.score.toFixed(3));
    await screenshot('dashboard.png');
  });

  it('reconnects after the connection drops and keeps following jobs', async () => {
    expect(stack.dropWebSockets()).toBeGreaterThan(0);
    await page.getByText(/Live updates: connection lost, retrying in \d+ s/).waitFor();
    await page.getByText('Live updates: connected').waitFor({ timeout: 15_000 });
    // A job started after the drop is followed live over the new connection.
    await page.getByLabel('External study ids').fill('');
    await page.getByRole('button', { name: 'Apply filter' }).click();
    await page.getByText(`${STUDIES} studies match this filter.`).waitFor();
    await page.getByRole('button', { name: 'Run inference on cohort' }).click();
    await page.locator('.form-status', { hasText: `for ${STUDIES} studies` }).waitFor();
    const newest = page.locator('tr.job').first();
    await newest.locator('.badge', { hasText: 'completed' }).waitFor({ timeout: 180_000 });
    expect(await page.locator('tr.job').count()).toBe(2);
  });

  it('lists the studies and opens a study with its slices, keypoints and 25 predictions beside the labels', async () => {
    await page.getByText(`Studies 1–${STUDIES} of ${STUDIES}.`).waitFor();
    const link = page.locator('table.studies tbody a').first();
    const externalId = await link.textContent();
    await link.click();
    await page.getByRole('heading', { name: `Study ${externalId}` }).waitFor();
    await page.locator('table.predictions tbody tr').nth(24).waitFor();
    expect(await page.locator('table.predictions tbody tr').count()).toBe(25);
    expect(await page.locator('table.predictions caption').textContent()).toMatch(/agrees with the label in \d+ of 25 rows/);

    const figures = page.locator('figure.slice');
    await expect.poll(() => figures.count()).toBeGreaterThanOrEqual(3);
    const images = page.locator('figure.slice img');
    // Every slice image decoded in the browser at twice the stored matrix.
    await expect.poll(() => images.evaluateAll(ALL_IMAGES_LOADED), { timeout: 20_000 }).toBe(true);
    const sizes = await images.evaluateAll((imgs) => imgs.map((i) => (i as unknown as { naturalWidth: number }).naturalWidth));
    const study = await stack.tdb.db.prisma.study.findFirstOrThrow({
      where: { externalId: externalId ?? '' },
      include: { series: { include: { instances: true } } },
    });
    const columns = new Map(study.series.flatMap((s) => s.instances.map((i) => [i.id, i.columns])));
    const shown = await figures.evaluateAll((fs) => fs.map((f) => f.getAttribute('data-instance-id') ?? ''));
    expect(sizes).toEqual(shown.map((id) => 2 * (columns.get(id) ?? 0)));
    expect(await page.getByRole('heading', { name: 'Axial T2 by level' }).count()).toBe(1);
    await screenshot('study.png');

    // A keypoint of the first slice carries the model's colour in the PNG the page shows.
    const kp = await stack.tdb.db.prisma.keypoint.findFirstOrThrow({ where: { studyId: study.id, instanceId: shown[0], source: 'MODEL' } });
    const src = await images.first().getAttribute('data-src');
    const png = Buffer.from(await (await fetch(`${stack.base}${src}`)).arrayBuffer());
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    const [x, y] = [Math.floor((kp.pixelX + 0.5) * 2), Math.floor((kp.pixelY + 0.5) * 2)];
    const at = Array.from(data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3));
    expect(at).toEqual([1, 3, 5].map((i) => parseInt(MARK_COLOURS.model.slice(i, i + 2), 16)));

    await page.getByLabel('50 mm ROIs').check();
    await page.getByRole('checkbox', { name: 'Labelled points' }).check();
    await expect.poll(() => images.first().getAttribute('data-src')).toMatch(/rois=1&labels=1/);
    await expect.poll(() => images.evaluateAll(ALL_IMAGES_LOADED)).toBe(true);
    await screenshot('study-rois-labels.png');
  });

  it('raised no script errors in the page', () => {
    // A dropped WebSocket is reported by Chromium on the console; anything else is a bug.
    const errors = pageErrors.filter((e) => !/WebSocket/.test(e));
    expect(errors, errors.join('\n')).toEqual([]);
  });
});

// With JWT authentication the page must carry the token itself: on every POST, in connection_init, and on every
// image (an <img> cannot send headers, so the client fetches images and shows them from blob URLs).
describe.skipIf(!hasChromium())('dashboard with JWT authentication', { timeout: 180_000 }, () => {
  let secure: SecurityStack;
  let browser: Browser;

  beforeAll(async () => {
    secure = await startSecurityStack({ cohorts: { a: 1, b: 1 } });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await secure?.stop();
  });

  it('says what is wrong without a token', async () => {
    const anonymous = await browser.newPage();
    await anonymous.goto(`${secure.baseUrl}/`);
    await anonymous.locator('.studies-panel .error', { hasText: /Could not load studies: Authentication required/ }).waitFor();
    await anonymous.close();
  });

  it("shows only the token holder's project, live, with images fetched under the token", async () => {
    const researcher = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const token = secure.users.researcherA.token;
    await researcher.addInitScript(`sessionStorage.setItem('spinegraph.token', ${JSON.stringify(token)})`);
    await researcher.goto(`${secure.baseUrl}/`);
    await researcher.getByText('Live updates: connected').waitFor();
    await researcher.getByText('Studies 1–1 of 1.').waitFor();
    const link = researcher.locator('table.studies tbody a');
    expect(await link.textContent()).toBe(secure.projects.a.externalIds[0]);
    await link.click();
    const images = researcher.locator('figure.slice img');
    await expect.poll(() => images.count()).toBeGreaterThanOrEqual(2);
    await expect.poll(() => images.evaluateAll(ALL_IMAGES_LOADED), { timeout: 20_000 }).toBe(true);
    const sources = await images.evaluateAll((imgs) => imgs.map((i) => i.getAttribute('src') ?? ''));
    expect(sources.every((s) => s.startsWith('blob:'))).toBe(true);
    // The same image without the token is refused.
    const endpoint = await images.first().getAttribute('data-src');
    expect((await fetch(`${secure.baseUrl}${endpoint}`)).status).toBe(401);
    await researcher.close();
  });
});
