// The administration view in Chromium under JWT authentication: a system administrator grants a membership (it is
// in the database and the member list at once), reads the audit log entry of that grant, and opens the queue board
// through the short-lived admin cookie; a researcher is told they administer nothing.
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_A, startSecurityStack, type SecurityStack } from '../support/security-fixture.js';
import { CHROMIUM, CHROMIUM_ARGS, hasChromium } from './support/dashboard-stack.js';

describe.skipIf(!hasChromium())('the administration view', { timeout: 180_000 }, () => {
  let s: SecurityStack;
  let browser: Browser;

  beforeAll(async () => {
    s = await startSecurityStack({ env: { MUTATION_RATE_LIMIT_PER_MINUTE: '100000' } });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await s?.stop();
  });

  it('lets a system administrator grant a membership, see it in the audit log, and open the queue board', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.addInitScript(`sessionStorage.setItem('spinegraph.token', ${JSON.stringify(s.users.admin.token)})`);
    await page.goto(`${s.baseUrl}/#/admin`);
    await page.getByRole('heading', { name: 'Administration' }).waitFor();
    await page.getByLabel('Project').selectOption({ label: PROJECT_A });
    await page.locator(`table.memberships tr[data-email="${s.users.researcherA.email}"]`).waitFor();

    await page.getByLabel('Email').fill('new.colleague@example.org');
    await page.getByLabel('Role', { exact: true }).selectOption('RESEARCHER');
    await page.getByRole('button', { name: 'Grant' }).click();
    await page.locator('.form-status', { hasText: `new.colleague@example.org is now researcher in ${PROJECT_A}.` }).waitFor();
    const row = page.locator('table.memberships tr[data-email="new.colleague@example.org"]');
    await row.waitFor();
    expect(await row.locator('td.role').textContent()).toBe('researcher');
    const stored = await s.db.prisma.membership.findFirst({
      where: { project: { name: PROJECT_A }, user: { email: 'new.colleague@example.org' } },
    });
    expect(stored?.role).toBe('RESEARCHER');

    await page.getByLabel('Action').fill('mutation.grantMembership');
    await page.getByRole('button', { name: 'Show' }).click();
    await expect.poll(() => page.locator('table.audit-log tbody tr').count()).toBe(1);
    expect(await page.locator('table.audit-log tbody tr').first().textContent()).toContain(s.users.admin.email);

    const [board] = await Promise.all([context.waitForEvent('page'), page.getByRole('button', { name: 'Open the queue board' }).click()]);
    await board.waitForLoadState('load');
    expect(board.url()).toMatch(/\/admin\/queues\/$/);
    await board
      .getByText(/inference/i)
      .first()
      .waitFor({ timeout: 30_000 });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('tells a researcher they administer no project, with nothing to grant', async () => {
    const page = await browser.newPage();
    await page.addInitScript(`sessionStorage.setItem('spinegraph.token', ${JSON.stringify(s.users.researcherA.token)})`);
    await page.goto(`${s.baseUrl}/#/admin`);
    await page.getByText('You administer no project').waitFor();
    expect(await page.getByRole('button', { name: 'Grant' }).count()).toBe(0);
    expect(await page.getByRole('heading', { name: 'Audit log' }).count()).toBe(0);
    await page.close();
  });
});
