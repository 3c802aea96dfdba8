// DICOMweb from the dashboard, in Chromium against a real Orthanc (DICOMweb plugin, authentication on) and the real
// server in single-process mode: pick a project's source, search it (QIDO-RS), tick studies, pull them (an import
// job followed live to completion), then from a pulled study's view download its DICOM SR and send it back over
// STOW-RS, where Orthanc's QIDO-RS finds it. Skipped with a printed reason where Orthanc, its plugin, dcmtk or
// dicom3tools are missing (CI installs them and sets SPINEGRAPH_REQUIRE_PACS=1, which makes their absence an error).
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type RunningServer } from '../../src/server.js';
import { ensureProject } from '../../src/services/projects.service.js';
import { generateDataset } from '../../src/synth/index.js';
import { startOrthanc, pacsUnavailableReason, type OrthancServer } from '../support/orthanc.js';
import { silentLogger } from '../support/silent-logger.js';
import { testConfig } from '../support/test-config.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { CHROMIUM, CHROMIUM_ARGS, hasChromium } from './support/dashboard-stack.js';

// The committed screenshots change only on purpose (UPDATE_SCREENSHOTS=1); a plain run writes to a temp folder.
const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS
  ? fileURLToPath(new URL('../../docs/screenshots/', import.meta.url))
  : join(tmpdir(), 'spinegraph-dashboard-screenshots');

const run = promisify(execFile);
const PROJECT = 'pacs-project';
const skipReason = pacsUnavailableReason() ?? (hasChromium() ? null : `Chromium not found at ${CHROMIUM}`);

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

describe.skipIf(skipReason !== null)('DICOMweb from the dashboard, against Orthanc', { timeout: 240_000 }, () => {
  let dir: string;
  let orthanc: OrthancServer;
  let tdb: TestDatabase;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let base: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    dir = await mkdtemp(join(tmpdir(), 'sg-dicomweb-page-'));
    await generateDataset({ outDir: join(dir, 'synth'), studies: 2, seed: 41, size: 64 });
    orthanc = await startOrthanc();
    const files = (await readdir(join(dir, 'synth'), { recursive: true, withFileTypes: true }))
      .filter((e) => e.isFile() && e.name.endsWith('.dcm'))
      .map((e) => join(e.parentPath, e.name));
    await orthanc.upload(await Promise.all(files.map((p) => readFile(p))));
    tdb = await createTestDatabase();
    await ensureProject(tdb.db, PROJECT);
    await ensureProject(tdb.db, 'no-pacs');
    const auth = { type: 'basic', username: orthanc.username, password: orthanc.password };
    const config = testConfig({
      DATABASE_URL: tdb.url,
      JOB_MODE: 'in-process',
      DATA_DIR: join(dir, '.spinegraph'),
      MUTATION_RATE_LIMIT_PER_MINUTE: '100000',
      DICOMWEB_SOURCES: JSON.stringify([{ name: 'orthanc', baseUrl: orthanc.dicomwebUrl, auth, projects: [PROJECT] }]),
      DICOMWEB_CACHE_DIR: join(dir, 'cache'),
      PATIENT_KEY_SECRET: 'dicomweb-page-patient-key',
    });
    server = await serve({ config, logger: silentLogger, db: tdb.db, port: 0 });
    base = server.api.url.replace(/\/graphql$/, '');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 }, acceptDownloads: true });
    page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
    page.on('response', (r) => {
      if (r.status() >= 400) pageErrors.push(`${r.status()} ${r.url()}`);
    });
    await page.goto(`${base}/`);
    await page.getByText('Live updates: connected').waitFor();
  }, 240_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    await orthanc?.stop();
    await tdb?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('searches a source by name, pulls the chosen studies and follows the pull live', async () => {
    await page.locator('summary', { hasText: 'Pull from a DICOMweb archive' }).click();
    // A project the operator gave no source says so.
    await page.locator('#pull-project').selectOption({ label: 'no-pacs' });
    await page.locator('.pull-form .form-status', { hasText: 'No DICOMweb source is configured for this project' }).waitFor();
    await page.locator('#pull-project').selectOption({ label: PROJECT });
    await expect.poll(() => page.locator('#pull-source option').allTextContents()).toEqual(['orthanc']);
    await page.getByLabel('Modality').fill('MR');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.locator('.pull-form .form-status', { hasText: '2 studies found.' }).waitFor({ timeout: 30_000 });
    const rows = page.locator('table.pull-studies tbody tr');
    expect(await rows.count()).toBe(2);
    await page.locator('.data-panel').screenshot({ path: join(SCREENSHOTS, 'dashboard-dicomweb-pull.png') });
    // No URL and no credential reaches the page.
    const html = await page.content();
    expect(html).not.toContain(orthanc.password);
    expect(html).not.toContain(`:${orthanc.port}`);

    await page.evaluate(TRACE_JOB_ROW);
    await page.getByLabel('All studies').check();
    await page.getByRole('button', { name: 'Pull 2 studies' }).click();
    await page.locator('.pull-form .form-status', { hasText: /Queued pull job [0-9a-f]{8} for 2 studies/ }).waitFor();
    const row = page.locator('tr.job').first();
    await row.locator('.badge', { hasText: 'completed' }).waitFor({ timeout: 180_000 });
    expect(await row.locator('.job-kind').textContent()).toBe('Import');
    const trace = (await page.evaluate('window.__jobTrace')) as { status: string; progress: number }[];
    expect(trace.map((t) => t.status)).toContain('completed');
    expect(trace.every((t, i) => i === 0 || t.progress >= (trace[i - 1] as { progress: number }).progress)).toBe(true);
    // The pulled studies are in the project and in the list, without a reload.
    expect(await tdb.db.prisma.study.count({ where: { project: { name: PROJECT } } })).toBe(2);
    await page.getByText('Studies 1–2 of 2.').waitFor({ timeout: 20_000 });
  });

  it("downloads a pulled study's SR and sends it back over STOW-RS, where QIDO-RS finds it", async () => {
    const study = await tdb.db.prisma.study.findFirstOrThrow({
      where: { project: { name: PROJECT } },
      include: { series: { include: { instances: true } } },
    });
    await addResults(tdb, study);
    await page.goto(`${base}/#/studies/${study.id}`);
    await page.getByRole('heading', { name: 'Results as DICOM SR' }).waitFor();

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download the SR' }).click()]);
    const path = join(dir, 'downloaded-sr.dcm');
    await download.saveAs(path);
    const bytes = await readFile(path);
    expect(bytes.subarray(128, 132).toString('latin1')).toBe('DICM');
    const dump = (await run('/usr/bin/dsrdump', ['+Pc', path])).stdout;
    expect(dump).toContain('Imaging Measurement Report');
    expect(dump).toContain('"page-sr-set"');
    // Like every SR the tests produce: dciodvfy (it exits 0 either way) reports no line starting with "Error".
    const verify = await run('/usr/bin/dciodvfy', [path]).then(
      (r) => r.stdout + r.stderr,
      (e: { stdout: string; stderr: string }) => e.stdout + e.stderr,
    );
    expect(verify).toMatch(/ComprehensiveSR/);
    expect(verify.split('\n').filter((l) => /^\s*Error/.test(l))).toEqual([]);
    await page.locator('.sr-panel .form-status', { hasText: "references spinegraph's pseudonymous UIDs" }).waitFor();

    await expect.poll(() => page.locator('#sr-source option').allTextContents()).toEqual(['orthanc']);
    await page.getByRole('button', { name: 'Send the SR' }).click();
    const status = page.locator('.sr-panel .form-status', { hasText: /SR stored at orthanc \(SOP Instance UID [0-9.]+;/ });
    await status.waitFor({ timeout: 60_000 });
    const sop = /SOP Instance UID ([0-9.]+);/.exec((await status.textContent()) ?? '')?.[1] as string;
    const authorization = `Basic ${Buffer.from(`${orthanc.username}:${orthanc.password}`).toString('base64')}`;
    const qido = await fetch(`${orthanc.dicomwebUrl}/instances?SOPInstanceUID=${sop}`, {
      headers: { authorization, accept: 'application/dicom+json' },
    });
    const found = (await qido.json()) as Record<string, { Value?: string[] }>[];
    expect(found.map((f) => f['00080018']?.Value?.[0])).toEqual([sop]);
    expect(found[0]?.['00080060']?.Value?.[0]).toBe('SR');
    await page.locator('.sr-panel').screenshot({ path: join(SCREENSHOTS, 'study-sr.png') });
  });

  it('raised no script errors', () => {
    expect(pageErrors).toEqual([]);
  });
});

/**
 * Predictions and keypoints of an active model set for one study, as inference writes them (test data in the real
 * tables, not a mock): the SR needs results, and running the pipeline here would only slow the test.
 */
async function addResults(
  tdb: TestDatabase,
  study: { id: string; series: { id: string; type: string; instances: { id: string; sliceIndex: number }[] }[] },
): Promise<void> {
  const modelSet = await tdb.db.prisma.modelSet.create({
    data: { name: 'page-sr-set', contentHash: 'e'.repeat(64), isActive: true, activatedAt: new Date() },
  });
  const levels = ['L1_L2', 'L2_L3', 'L3_L4', 'L4_L5', 'L5_S1'] as const;
  const conditions = [
    'SPINAL_CANAL_STENOSIS',
    'LEFT_NEURAL_FORAMINAL_NARROWING',
    'RIGHT_NEURAL_FORAMINAL_NARROWING',
    'LEFT_SUBARTICULAR_STENOSIS',
    'RIGHT_SUBARTICULAR_STENOSIS',
  ] as const;
  await tdb.db.prisma.prediction.createMany({
    data: conditions.flatMap((condition) =>
      levels.map((level) => ({
        studyId: study.id,
        modelSetId: modelSet.id,
        condition,
        level,
        normalMild: 0.6,
        moderate: 0.3,
        severe: 0.1,
        severity: 'NORMAL_MILD' as const,
      })),
    ),
  });
  const sag = study.series.find((s) => s.type === 'SAGITTAL_T2_STIR');
  if (!sag) throw new Error('the synthetic study has no Sagittal T2 series');
  const middle = [...sag.instances].sort((a, b) => a.sliceIndex - b.sliceIndex)[Math.floor(sag.instances.length / 2)];
  await tdb.db.prisma.keypoint.createMany({
    data: levels.map((level, i) => ({
      studyId: study.id,
      seriesId: sag.id,
      instanceId: middle?.id ?? null,
      level,
      side: 'NONE' as const,
      role: 'keypoints-sagittal-t2',
      pixelX: 30 + i,
      pixelY: 10 + 9 * i,
      patientX: 0,
      patientY: 0,
      patientZ: 0,
      source: 'MODEL' as const,
      modelSetId: modelSet.id,
    })),
  });
}
