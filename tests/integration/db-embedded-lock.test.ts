import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockEmbeddedDatabase } from '../../src/db/embedded-lock.js';

describe('the embedded database lock', () => {
  it('refuses a second process on the same folder, naming its pid and the way out', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'sg-lock-')), 'db');
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      writeFileSync(`${dir}.lock`, `${other.pid}\n`);
      expect(() => lockEmbeddedDatabase(dir)).toThrow(
        expect.objectContaining({ code: 'CONFLICT', message: expect.stringMatching(new RegExp(`pid ${other.pid}.*DATABASE_URL`)) }),
      );
    } finally {
      other.kill();
    }
  });

  it('takes over a lock whose process is gone, and releases it on close', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'sg-lock-')), 'db');
    const gone = spawn(process.execPath, ['-e', '']);
    await new Promise((r) => gone.once('exit', r));
    writeFileSync(`${dir}.lock`, `${gone.pid}\n`);
    const lock = lockEmbeddedDatabase(dir);
    expect(() => lockEmbeddedDatabase(dir)).toThrow(/already has the embedded database/);
    lock.release();
    expect(existsSync(`${dir}.lock`)).toBe(false);
    lockEmbeddedDatabase(dir).release();
  });
});
