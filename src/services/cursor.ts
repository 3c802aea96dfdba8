// Opaque keyset cursors: base64url of "createdAt|id". Stable under inserts, unlike offsets.
import { badInput } from '../domain/errors.js';
import { isUuid } from '../domain/ids.js';

export interface CursorKey {
  readonly createdAt: Date;
  readonly id: string;
}

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(`${key.createdAt.toISOString()}|${key.id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): CursorKey {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const [iso, id, ...rest] = text.split('|');
  const createdAt = new Date(iso ?? '');
  // Both halves checked here: an id that is not a UUID would otherwise reach SQL as a type error.
  if (!id || rest.length > 0 || !isUuid(id) || Number.isNaN(createdAt.getTime()))
    throw badInput(`Cursor "${cursor.slice(0, 120)}" is not valid; pass an endCursor this API returned`, { field: 'after' });
  return { createdAt, id };
}

export function pageSize(first: number | null | undefined, max: number, fallback = 50): number {
  if (first == null) return Math.min(fallback, max);
  if (!Number.isInteger(first) || first < 0) throw badInput(`first must be a non-negative integer, got ${first}`, { field: 'first' });
  if (first > max) throw badInput(`first must be at most ${max}, got ${first}`, { field: 'first' });
  return first;
}
