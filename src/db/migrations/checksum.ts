import { createHash } from 'node:crypto';

// Prisma's migration checksum: SHA-256 of the migration.sql bytes, lowercase hex. A recorded checksum
// still "matches" a script whose line endings git converted (CRLF <-> LF), and rows written by old
// Prisma engines hold hex without zero padding; Prisma accepts both, so the migrator must too.

const CHECKSUM_HEX_LENGTH = 64;

export function migrationChecksum(script: string | Uint8Array): string {
  return createHash('sha256').update(script).digest('hex');
}

export function checksumMatches(script: string, recorded: string): boolean {
  const candidates = [script, script.replaceAll('\r\n', '\n'), script.replaceAll('\n', '\r\n')];
  return candidates.some((candidate) => {
    const digest = createHash('sha256').update(candidate).digest();
    const rendered = recorded.length !== 0 && recorded.length !== CHECKSUM_HEX_LENGTH ? unpaddedHex(digest) : digest.toString('hex');
    return rendered === recorded;
  });
}

function unpaddedHex(digest: Buffer): string {
  return Array.from(digest, (byte) => byte.toString(16)).join('');
}
