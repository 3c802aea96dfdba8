// Saved cohorts and the heatmap split by a stratifier, in Chromium against the real server: the filter in use is
// saved as a cohort (version 1, then version 2 under the same name, each with the hash of its sorted study ids);
// picking version 1 drives the studies list, the heatmap and the analytics view through filter.cohortId (their
// answers cite its hash); the heatmap split by sex shows the large group's counts as the API answers them and the
// small group as suppressed (the researcher is no administrator). Screenshots with UPDATE_SCREENSHOTS=1.
import { createHash } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEVERITIES } from '../../src/domain/vocabulary.js';
import { queryData } from '../support/security-fixture.js';
import { startAnalyticsStack, type AnalyticsStack } from './support/analytics-stack.js';
import { openBrowserSession, screenshotFolder, type BrowserSession } from './support/browser-session.js';
import { hasChromium } from './support/dashboard-stack.js';

const sha = (ids: readonly string[]): string =>
  createHash('sha256')
    .update([...ids].sort().join('\n'))
    .digest('hex');

describe.skipIf(!hasChromium())('saved cohorts and the heatmap by stratifier', { timeout: 180_000 }, () => {
  let stack: AnalyticsStack;
  let session: BrowserSession;
  let page: Page;
  /** Six women and two men among the imported studies: the men's group is below MIN_GROUP_SIZE (5). */
  let women: string[];

  beforeAll(async () => {
    stack = await startAnalyticsStack({ imported: 8, rowStudies: 5 });
    women = stack.imported.slice(0, 6).map((s) => s.id);
    await stack.s.db.sql.query(`UPDATE "Study" SET sex = CASE WHEN id = ANY($1::uuid[]) THEN 'F' ELSE 'M' END WHERE id = ANY($2::uuid[])`, [
      women,
      stack.imported.map((s) => s.id),
    ]);
    session = await openBrowserSession({
      baseUrl: stack.s.baseUrl,
      token: stack.s.users.researcherA.token,
      route: '#/',
      screenshots: screenshotFolder('spinegraph-cohort-screenshots'),
      viewport: { width: 1440, height: 1000 },
    });
    page = session.page;
    await page.getByRole('heading', { name: 'Saved cohorts' }).waitFor();
  }, 300_000);

  afterAll(async () => {
    await session?.close();
    await stack?.s.stop();
  });

  const applyExternalIds = async (ids: readonly string[]): Promise<void> => {
    await page.getByLabel('External study ids').fill(ids.join(', '));
    await page.getByRole('button', { name: 'Apply filter' }).click();
    await page.getByText(`${ids.length} studies match this filter.`).waitFor();
  };
  const saveAs = async (name: string, description: string): Promise<string> => {
    await page.locator('#cohort-save-project').selectOption({ label: stack.s.projects.a.name });
    await page.locator('#cohort-save-name').fill(name);
    await page.locator('#cohort-save-description').fill(description);
    await page.getByRole('button', { name: 'Save the filter as a cohort' }).click();
    const status = page.locator('.cohort-save .form-status');
    await expect.poll(() => status.textContent()).toMatch(/^Saved /);
    return (await status.textContent()) ?? '';
  };

  it('saves the filter in use as a cohort, and the same name again as version 2, each with its hash', async () => {
    const all = stack.imported;
    await applyExternalIds(all.map((s) => s.externalId));
    expect(await saveAs('imported', 'the DICOM studies')).toBe(
      `Saved "imported" version 1: 8 studies, sha256 ${sha(all.map((s) => s.id)).slice(0, 12)}….`,
    );
    await applyExternalIds(all.slice(0, 6).map((s) => s.externalId));
    expect(await saveAs('imported', 'the women')).toBe(`Saved "imported" version 2: 6 studies, sha256 ${sha(women).slice(0, 12)}….`);
    await expect.poll(() => page.locator('#cohort-pick option:checked').textContent()).toBe('imported (2 versions)');
    const versions = await page.locator('#cohort-pick-version option').allTextContents();
    expect(versions).toEqual([
      'Latest (version 2)',
      `Version 2: 6 studies, sha256 ${sha(women).slice(0, 12)}…`,
      `Version 1: 8 studies, sha256 ${sha(all.map((s) => s.id)).slice(0, 12)}…`,
    ]);
  });

  it('picking version 1 drives the studies list and the heatmap through filter.cohortId, which cite its hash', async () => {
    await page.locator('#cohort-pick-version').selectOption({ label: versions1Label() });
    await page.getByRole('button', { name: 'Use cohort' }).click();
    await expect.poll(() => page.locator('.cohort-in-use').textContent()).toContain('version 1, 8 studies');
    // The form still says six studies: the saved cohort, not the form, selects the studies now.
    await expect.poll(() => page.getByText(/^Studies 1–\d+ of \d+\.$/).textContent()).toBe('Studies 1–8 of 8.');
    await page.getByRole('radio', { name: 'Labelled' }).check();
    await expect.poll(() => page.locator('table.heatmap caption').first().textContent()).toBe('Severity labelled, over 8 studies');
    expect(await page.locator('.heatmap-panel .cohort-citation code').textContent()).toBe(`sha256 ${sha(stack.imported.map((s) => s.id))}`);
    await session.screenshot('dashboard-cohorts.png', '.cohorts-panel');
  });

  it('splits the heatmap by sex: the large group as the API counts it, the small one suppressed', async () => {
    await page.getByLabel('Split by').selectOption('SEX');
    const groups = page.locator('.heatmap-group');
    await expect.poll(() => groups.count()).toBe(2);
    const cohortId = await page.locator('#cohort-pick').inputValue();
    const api = await queryData<{
      cohortSummary: {
        grouping: { suppressedGroups: number };
        groups: {
          stratum: { label: string; studyCount: number | null; suppressed: boolean };
          cells: { condition: string; level: string; severity: string; count: number }[];
        }[];
      };
    }>(
      stack.s.url,
      `query($f: StudyFilter) { cohortSummary(filter: $f, source: LABELLED, groupBy: [SEX]) { grouping { suppressedGroups }
        groups { stratum { label studyCount suppressed } cells { condition level severity count } } } }`,
      { f: { cohortId, cohortVersion: 1 } },
      stack.s.users.researcherA.headers,
    );
    expect(api.cohortSummary.groups.map((g) => [g.stratum.label, g.stratum.studyCount, g.stratum.suppressed])).toEqual([
      ['F', 6, false],
      ['M', null, true],
    ]);
    const f = page.locator('.heatmap-group[data-stratum="F"]');
    expect(await f.locator('caption').textContent()).toBe('Sex F: 6 studies');
    // Every cell's three counts, as the page shows them in its title, equal the API's.
    const shown = await f.locator('td.heat-cell').evaluateAll((tds) =>
      tds.map((td) => ({
        key: `${td.getAttribute('data-condition')}/${td.getAttribute('data-level')}`,
        counts: [...(td.getAttribute('title') ?? '').matchAll(/\((\d+)\)/g)].map((m) => Number(m[1])),
      })),
    );
    expect(shown).toHaveLength(25);
    const count = new Map(api.cohortSummary.groups[0].cells.map((c) => [`${c.condition}/${c.level}/${c.severity}`, c.count]));
    for (const cell of shown) expect(cell.counts).toEqual(SEVERITIES.map((s) => count.get(`${cell.key}/${s}`) ?? 0));
    expect(shown.some((c) => c.counts.some((n) => n > 0))).toBe(true);
    // The men's group: withheld, no number on the page.
    const m = page.locator('.heatmap-group[data-stratum="M"]');
    expect(await m.getAttribute('class')).toContain('suppressed');
    expect(await m.textContent()).toBe('Sex M: suppressedFewer than 5 studies: withheld.');
    expect(await m.locator('td').count()).toBe(0);
    expect(await page.locator('.suppression-note').textContent()).toMatch(/^1 group has fewer than 5 studies and is suppressed/);
    await session.screenshot('dashboard-heatmap-by-sex.png', '.heatmap-panel');
  });

  it('the analytics view follows the saved cohort and cites its hash; stopping returns to the form filter', async () => {
    await page.getByRole('link', { name: 'Analytics' }).click();
    await page.getByRole('heading', { name: 'Research analytics' }).waitFor();
    await page.getByLabel('Model set', { exact: true }).selectOption({ label: 'set A' });
    await page.getByRole('button', { name: 'Show agreement' }).click();
    await page.locator('.agreement-card').first().waitFor();
    // Set A predicts every labelled row of the imported studies: the cohort's 8 studies, 25 rows each.
    expect(await page.locator('.agreement-result > p').first().textContent()).toBe('8 studies, 200 labelled rows with a prediction.');
    expect(await page.locator('.agreement-result .cohort-citation').textContent()).toBe(
      `Saved cohort imported, version 1, sha256 ${sha(stack.imported.map((s) => s.id))}`,
    );
    await page.getByRole('link', { name: '← Dashboard' }).click();
    await page.getByRole('button', { name: 'Stop using' }).click();
    await expect.poll(() => page.getByText(/^Studies 1–\d+ of \d+\.$/).textContent()).toBe('Studies 1–6 of 6.');
    expect(session.errors).toEqual([]);
  });

  function versions1Label(): string {
    return `Version 1: 8 studies, sha256 ${sha(stack.imported.map((s) => s.id)).slice(0, 12)}…`;
  }
});
