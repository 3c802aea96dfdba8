import { describe, expect, it } from 'vitest';
import { checksumMatches, migrationChecksum } from '../../src/db/migrations/checksum.js';

describe('migration checksum (Prisma-compatible)', () => {
  it('is the zero-padded SHA-256 hex Prisma records', () => {
    // Vector from prisma-engines' own checksum test.
    expect(migrationChecksum('hello')).toBe('2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
    expect(migrationChecksum(Buffer.from('hello'))).toBe(migrationChecksum('hello'));
  });

  it('matches the same script whatever git did to its line endings', () => {
    const lf = 'CREATE TABLE a (x int);\nCREATE TABLE b (y int);\n';
    const crlf = lf.replaceAll('\n', '\r\n');
    expect(checksumMatches(lf, migrationChecksum(crlf))).toBe(true);
    expect(checksumMatches(crlf, migrationChecksum(lf))).toBe(true);
  });

  it('refuses a script that changed', () => {
    expect(checksumMatches('abc', migrationChecksum('abcd'))).toBe(false);
    expect(checksumMatches('abc\n', migrationChecksum('abc'))).toBe(false);
  });

  it('accepts rows written by old engines without zero padding', () => {
    // Find a script whose digest has a byte < 0x10, so padded and unpadded renderings differ.
    let script = '';
    for (let i = 0; ; i++) {
      script = `-- ${i}\n`;
      if (/^(?:[0-9a-f]{2})*0[0-9a-f]/.test(migrationChecksum(script))) break;
    }
    const unpadded = Array.from(Buffer.from(migrationChecksum(script), 'hex'), (byte) => byte.toString(16)).join('');
    expect(unpadded.length).toBeLessThan(64);
    expect(checksumMatches(script, unpadded)).toBe(true);
    expect(checksumMatches(`${script} `, unpadded)).toBe(false);
  });
});
