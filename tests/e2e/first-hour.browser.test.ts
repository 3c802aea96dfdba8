// A new user's first hour in Chromium. The demo as the README starts it (a real `spinegraph demo` process on the
// embedded database, no Redis, no REDIS_URL): inference started from the page runs in the API process and its
// progress arrives live; the study viewer scrolls through slices, changes window/level and zoom, shows labelled
// points on the slice they belong to, and a keypoint dragged on it is stored as a manual correction. With JWT
// authentication: the administration view grants a membership and opens the queue board.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS, hasChromium } from './support/dashboard-stack.js';

const BIN = new URL('../../bin/spinegraph.js', import.meta.url).pathname;

/** Records, inside the page, every status and progress value the first job row shows. */
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

interface DemoProcess {
  readonly child: ChildProcess;
  readonly base: string;
  readonly dataDir: string;
  output(): string;
}

/** `spinegraph demo` with nothing but PATH and HOME (and its own folder and a free port), until it serves. */
async function startDemo(dir: string): Promise<DemoProcess> {
  const dataDir = join(dir, '.spinegraph');
  const child = spawn(process.execPath, [BIN, 'demo', '--studies', '2', '--seed', '7', '--port', '0'], {
    cwd: dir,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const m = /5\. API: (http:\/\/[^\s]+)\/graphql/.exec(out);
      if (m) {
        clearInterval(timer);
        resolve(m[1] as string);
      }
    }, 200);
    child.once('exit', (code) => {
      clearInterval(timer);
      reject(new Error(`the demo exited (${code}) before serving:\n${out}`));
    });
  });
  return { child, base, dataDir, output: () => out };
}

async function stopDemo(demo: DemoProcess | undefined): Promise<void> {
  if (!demo || demo.child.exitCode !== null) return;
  const exited = new Promise((r) => demo.child.once('exit', r));
  demo.child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
  if (demo.child.exitCode === null) demo.child.kill('SIGKILL');
}

describe.skipIf(!hasChromium())('the demo in Chromium, without Redis', { timeout: 300_000 }, () => {
  let dir: string;
  let demo: DemoProcess | undefined;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sg-first-hour-'));
    demo = await startDemo(dir);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
    page.on('response', (r) => {
      if (r.status() >= 400) pageErrors.push(`${r.status()} ${r.url()}`);
    });
  }, 420_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await stopDemo(demo);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('printed its score and names its job mode in /readyz', async () => {
    expect(demo?.output()).toMatch(/evaluation against the labels .*score \d+\.\d{4}/);
    const ready = (await (await fetch(`${demo?.base}/readyz`)).json()) as { jobs: string; status: string };
    expect(ready).toMatchObject({ status: 'ready', jobs: 'in-process' });
  });

  it('runs inference started from the page in the API process, with live progress to completion', async () => {
    await page.goto(`${demo?.base}/`);
    await page.getByText('Live updates: connected').waitFor();
    await page.evaluate(TRACE_JOB_ROW);
    await page.getByRole('button', { name: 'Run inference on cohort' }).click();
    await page.locator('.form-status', { hasText: /Queued inference job [0-9a-f]{8} for 2 studies/ }).waitFor();
    const row = page.locator('tr.job').first();
    await row.locator('.badge', { hasText: 'completed' }).waitFor({ timeout: 240_000 });
    expect(await row.locator('.progress-text').textContent()).toBe('100 %');
    const trace = (await page.evaluate('window.__jobTrace')) as { status: string; progress: number }[];
    expect(trace.map((t) => t.status)).toContain('running');
    expect(trace.some((t) => t.progress > 0 && t.progress < 1)).toBe(true);
    expect(trace.every((t, i) => i === 0 || t.progress >= (trace[i - 1] as { progress: number }).progress)).toBe(true);
  });

  it('scrolls through slices with keys and the wheel, changes window/level and zoom, and shows labelled points on their slice', async () => {
    await page.locator('table.studies tbody a').first().click();
    await page.getByRole('heading', { name: 'Viewer' }).waitFor();
    const series = page.getByLabel('Series');
    const sagittalT2 = await series.locator('option', { hasText: 'Sagittal T2/STIR' }).getAttribute('value');
    await series.selectOption(sagittalT2 as string);
    const stage = page.locator('.viewer-stage');
    const img = page.locator('img.viewer-image');
    const sliceText = page.locator('output.slice-text');
    await expect
      .poll(
        () =>
          img.evaluate(
            (i) => (i as unknown as { complete: boolean }).complete && (i as unknown as { naturalWidth: number }).naturalWidth > 0,
          ),
        { timeout: 30_000 },
      )
      .toBe(true);
    const first = await stage.getAttribute('data-instance-id');
    const firstText = await sliceText.textContent();
    const [, k, n] = /Slice (\d+) of (\d+)/.exec(firstText ?? '') ?? [];
    expect(Number(n)).toBeGreaterThan(3);

    await stage.focus();
    await page.keyboard.press(Number(k) < Number(n) ? 'ArrowDown' : 'ArrowUp');
    await expect.poll(() => stage.getAttribute('data-instance-id'), { timeout: 15_000 }).not.toBe(first);
    const second = await stage.getAttribute('data-instance-id');
    await expect.poll(() => img.getAttribute('data-src')).toContain(second as string);
    await stage.hover();
    await page.mouse.wheel(0, Number(k) > 2 ? -120 : 120);
    await expect.poll(() => stage.getAttribute('data-instance-id')).not.toBe(second);

    await page.getByLabel('Window centre').fill('300');
    await page.getByLabel('Window width').fill('500');
    await page.getByLabel('Window width').press('Enter');
    await expect.poll(() => img.getAttribute('data-src'), { timeout: 15_000 }).toContain('window=300%2C500');
    await page.getByLabel('Zoom').fill('2');
    await expect.poll(() => stage.evaluate((s) => (s as unknown as { style: { width: string } }).style.width)).toBe('200%');
    await page.getByLabel('Zoom').fill('1');

    // A labelled point of this series is drawn on its own slice (reached by scrolling), and on no other.
    const points = (await studyFromPage(page, 'labelPoints { level seriesId instanceId }')).labelPoints as {
      level: string;
      seriesId: string;
      instanceId: string | null;
    }[];
    const label = points.find((p) => p.seriesId === sagittalT2 && p.instanceId !== null);
    if (!label) throw new Error('the demo study has no labelled point on its Sagittal T2 series');
    await page.getByRole('slider', { name: 'Slice' }).fill('0');
    await stage.focus();
    for (let i = 0; i < Number(n) && (await stage.getAttribute('data-instance-id')) !== label.instanceId; i++) {
      await page.keyboard.press('ArrowDown');
    }
    expect(await stage.getAttribute('data-instance-id')).toBe(label.instanceId);
    expect(await page.locator(`.viewer-overlay rect.label-point[data-level="${label.level}"]`).count()).toBeGreaterThan(0);
  });

  it('stores a keypoint dragged on the slice as a manual correction beside the model one', async () => {
    const series = page.getByLabel('Series');
    await series.selectOption((await series.locator('option', { hasText: 'Sagittal T2/STIR' }).getAttribute('value')) as string);
    const dot = page.locator('.viewer-overlay circle.keypoint-model').first();
    await dot.waitFor();
    const level = await dot.getAttribute('data-level');
    const instanceId = await page.locator('.viewer-stage').getAttribute('data-instance-id');
    const [cx, cy] = [Number(await dot.getAttribute('cx')), Number(await dot.getAttribute('cy'))];
    await dot.scrollIntoViewIfNeeded();
    const box = await dot.boundingBox();
    if (!box) throw new Error('the keypoint has no box');
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 25, box.y + box.height / 2 + 10, { steps: 5 });
    await page.mouse.up();
    await page.locator('.viewer .form-status', { hasText: /Corrected .* keypoint saved at/ }).waitFor({ timeout: 30_000 });
    await page.locator('.viewer-overlay circle.keypoint-manual').first().waitFor();

    // The demo process holds its embedded database: what was stored is read through its API.
    const stored = (await studyFromPage(page, 'keypoints { source level instanceId pixelX pixelY }')).keypoints as {
      source: string;
      level: string;
      instanceId: string;
      pixelX: number;
      pixelY: number;
    }[];
    const manual = stored.filter((k) => k.source === 'MANUAL' && k.level === level && k.instanceId === instanceId);
    expect(manual).toHaveLength(1);
    expect(manual[0]?.pixelX).toBeGreaterThan(cx + 1);
    expect(manual[0]?.pixelY).toBeGreaterThan(cy);
    expect(stored.some((k) => k.source === 'MODEL' && k.level === level && k.pixelX === cx && k.pixelY === cy)).toBe(true);
  });

  it('raised no script errors', () => {
    expect(pageErrors).toEqual([]);
  });
});

/** The study the page shows, read through the API the page talks to (the demo holds its embedded database). */
async function studyFromPage(page: Page, fields: string): Promise<Record<string, unknown>> {
  return page.evaluate(
    async ({ hash, fields }) => {
      const id = decodeURIComponent(hash.replace('#/studies/', ''));
      const res = await fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: `query($id: ID!) { study(id: $id) { ${fields} } }`, variables: { id } }),
      });
      return ((await res.json()) as { data: { study: Record<string, unknown> } }).data.study;
    },
    { hash: new URL(page.url()).hash, fields },
  );
}
