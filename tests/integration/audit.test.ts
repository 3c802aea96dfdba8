// The audit log on a real PostgreSQL database: what is written, that nothing can change it afterwards, and the
// admin-only listing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_ADMIN, type Viewer } from '../../src/auth/viewer.js';
import * as auditService from '../../src/services/audit.service.js';
import { encodeAuditCursor, listAudit, MAX_TARGET_IDS, recordAudit } from '../../src/services/audit.service.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

let tdb: TestDatabase;
let researcher: Viewer;
let admin: Viewer;

const PROJECT = '11111111-1111-4111-8111-111111111111';
const STUDY_A = '22222222-2222-4222-8222-222222222222';
const STUDY_B = '33333333-3333-4333-8333-333333333333';

beforeAll(async () => {
  tdb = await createTestDatabase();
  const r = await tdb.db.prisma.user.create({ data: { email: 'researcher@example.org' } });
  const a = await tdb.db.prisma.user.create({ data: { email: 'admin@example.org', isAdmin: true } });
  researcher = {
    userId: r.id,
    email: r.email,
    isAdmin: false,
    scope: { kind: 'projects', projectIds: [PROJECT] },
    roles: new Map([[PROJECT, 'RESEARCHER']]),
  };
  admin = { userId: a.id, email: a.email, isAdmin: true, scope: { kind: 'all' }, roles: new Map() };
});

afterAll(async () => {
  await tdb?.drop();
});

describe('recordAudit', () => {
  it('writes who, what, which ids, the filter, the outcome and the request id', async () => {
    const before = Date.now();
    const event = await recordAudit(tdb.db, {
      viewer: researcher,
      action: 'studies.list',
      targetIds: [STUDY_A, STUDY_B],
      filter: { projectId: PROJECT, labelled: true, since: new Date('2024-05-01T00:00:00Z') },
      outcome: 'SUCCESS',
      requestId: 'req-1',
    });
    const row = await tdb.db.prisma.auditEvent.findUniqueOrThrow({ where: { id: BigInt(event.id) } });
    expect(row).toMatchObject({
      userId: researcher.userId,
      userEmail: 'researcher@example.org',
      action: 'studies.list',
      targetIds: [STUDY_A, STUDY_B],
      filter: { projectId: PROJECT, labelled: true, since: '2024-05-01T00:00:00.000Z' },
      outcome: 'SUCCESS',
      requestId: 'req-1',
      detail: null,
    });
    expect(row.at.getTime()).toBeGreaterThanOrEqual(before - 5_000);
    expect(event).toMatchObject({ action: 'studies.list', outcome: 'SUCCESS', targetIds: [STUDY_A, STUDY_B] });
  });

  it('records the local administrator and denials without ids', async () => {
    const event = await recordAudit(tdb.db, { viewer: LOCAL_ADMIN, action: 'inference.run', outcome: 'DENIED', detail: 'FORBIDDEN' });
    expect(event).toMatchObject({ userId: null, userEmail: 'local@spinegraph', targetIds: [], filter: null, detail: 'FORBIDDEN' });
  });

  it('keeps at most MAX_TARGET_IDS ids and says how many more there were', async () => {
    const ids = Array.from({ length: MAX_TARGET_IDS + 250 }, (_, i) => `study-${i}`);
    const event = await recordAudit(tdb.db, {
      viewer: researcher,
      action: 'export.csv',
      targetIds: ids,
      outcome: 'SUCCESS',
      detail: 'csv',
    });
    expect(event.targetIds).toHaveLength(MAX_TARGET_IDS);
    expect(event.detail).toBe('csv (+250 more target ids)');
  });

  it('refuses an action that is not area.verb', async () => {
    for (const action of ['', 'Studies list', 'studies..list', 'x'.repeat(101)]) {
      await expect(recordAudit(tdb.db, { viewer: researcher, action, outcome: 'SUCCESS' })).rejects.toThrow(/must look like/);
    }
  });
});

describe('append-only', () => {
  it('has no update or delete function', () => {
    expect(Object.keys(auditService).filter((name) => /update|delete|remove|edit|purge|clear/i.test(name))).toEqual([]);
  });

  it('is enforced by the database for UPDATE and DELETE, through SQL and through Prisma', async () => {
    const event = await recordAudit(tdb.db, { viewer: researcher, action: 'studies.get', targetIds: [STUDY_A], outcome: 'SUCCESS' });
    await expect(tdb.db.sql.query('UPDATE "AuditEvent" SET "outcome" = \'DENIED\' WHERE id = $1', [event.id])).rejects.toThrow(
      'AuditEvent is append-only: UPDATE refused',
    );
    await expect(tdb.db.sql.query('DELETE FROM "AuditEvent" WHERE id = $1', [event.id])).rejects.toThrow(
      'AuditEvent is append-only: DELETE refused',
    );
    await expect(tdb.db.prisma.auditEvent.update({ where: { id: BigInt(event.id) }, data: { detail: 'rewritten' } })).rejects.toThrow(
      /append-only/,
    );
    await expect(tdb.db.prisma.auditEvent.deleteMany({})).rejects.toThrow(/append-only/);
    const row = await tdb.db.prisma.auditEvent.findUniqueOrThrow({ where: { id: BigInt(event.id) } });
    expect(row).toMatchObject({ outcome: 'SUCCESS', detail: null });
  });

  it('refuses TRUNCATE (a statement trigger: row triggers do not fire for it)', async () => {
    await expect(tdb.db.sql.exec('TRUNCATE "AuditEvent"')).rejects.toThrow('AuditEvent is append-only: TRUNCATE refused');
    expect(await tdb.db.prisma.auditEvent.count()).toBeGreaterThan(0);
  });
});

describe('listAudit', () => {
  let ids: string[];

  beforeAll(async () => {
    ids = [];
    for (let i = 0; i < 7; i++) {
      const viewer = i % 2 === 0 ? researcher : admin;
      const event = await recordAudit(tdb.db, {
        viewer,
        action: i < 4 ? 'listing.page' : 'listing.other',
        targetIds: [`t${i}`],
        outcome: i === 6 ? 'DENIED' : 'SUCCESS',
      });
      ids.push(event.id);
    }
  });

  it('is refused to a caller who administers no project', async () => {
    await expect(listAudit(tdb.db, researcher)).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('pages newest first with a cursor until the end', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const page: auditService.AuditPage = await listAudit(tdb.db, admin, { first: 3, after, action: 'listing.page' });
      pages++;
      seen.push(...page.events.map((e) => e.id));
      if (!page.hasNextPage) break;
      after = page.endCursor;
    }
    expect(pages).toBe(2);
    expect(seen).toEqual(ids.slice(0, 4).reverse());
  });

  it('filters by user and outcome', async () => {
    const byResearcher = await listAudit(tdb.db, admin, { first: 100, userId: researcher.userId, action: 'listing.other' });
    expect(byResearcher.events.map((e) => e.targetIds[0])).toEqual(['t6', 't4']);
    const denied = await listAudit(tdb.db, admin, { first: 100, outcome: 'DENIED', action: 'listing.other' });
    expect(denied.events.map((e) => e.id)).toEqual([ids[6]]);
  });

  it('continues from a cursor past the newest event with nothing', async () => {
    const next = BigInt(ids[6] as string) + 1000n;
    const page = await listAudit(tdb.db, admin, { first: 2, after: encodeAuditCursor(next.toString()), action: 'listing.other' });
    expect(page.events.map((e) => e.id)).toEqual([ids[6], ids[5]]);
  });

  it('refuses bad cursors, user ids and page sizes as BAD_USER_INPUT', async () => {
    await expect(listAudit(tdb.db, admin, { after: 'not-a-cursor' })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(listAudit(tdb.db, admin, { userId: 'robert; drop table' })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(listAudit(tdb.db, admin, { first: 501 })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });
});
