// Hunting identifying values in text: every table of a database, every Redis key under a prefix, log output,
// API responses. A value is looked for whole (case-insensitively) and, for person names, part by part; digit-only
// values (dates, times) must stand alone, so a date never "matches" inside a hash, a UUID or a pseudonymous UID.
import { Redis } from 'ioredis';
import type { Database } from '../../src/db/client.js';
import type { IdentifyingValue } from './phi-dicom.js';

export interface Needle {
  readonly attribute: string;
  readonly value: string;
  readonly pattern: RegExp;
}

export interface Haystack {
  readonly source: string;
  readonly text: string;
}

export interface Finding {
  readonly source: string;
  readonly attribute: string;
  readonly value: string;
  readonly excerpt: string;
}

/** Words of the synthetic generator's names that are not identifying on their own ("SYNTH^PATIENT^0001"). */
const FILLER_WORDS = new Set(['PATIENT', 'REFERRER']);
const DATE_ATTRIBUTES = new Set(['StudyDate', 'SeriesDate', 'PatientBirthDate']);

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const standalone = (digits: string): RegExp => new RegExp(`(?<![0-9A-Za-z])${escape(digits)}(?![0-9A-Za-z])`);

export function needlesFor(values: readonly IdentifyingValue[]): Needle[] {
  const needles = new Map<string, Needle>();
  const add = (attribute: string, value: string, pattern: RegExp): void => {
    if (!needles.has(`${attribute}|${value}`)) needles.set(`${attribute}|${value}`, { attribute, value, pattern });
  };
  for (const { attribute, value } of values) {
    if (/^\d+$/.test(value)) add(attribute, value, standalone(value));
    // A UID must not match as the prefix of a longer one (1.2.3.1 inside 1.2.3.1.7).
    else if (/^\d+(\.\d+)+$/.test(value)) add(attribute, value, new RegExp(`(?<![0-9.])${escape(value)}(?![0-9]|\\.[0-9])`));
    else add(attribute, value, new RegExp(escape(value), 'i'));
    if (DATE_ATTRIBUTES.has(attribute) && /^\d{8}$/.test(value)) {
      const iso = `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}`;
      add(attribute, iso, standalone(iso));
    }
    if (attribute.endsWith('Name')) {
      for (const part of value.split(/[\^=]/).map((p) => p.trim())) {
        if (part.length >= 4 && !/^\d+$/.test(part) && !FILLER_WORDS.has(part.toUpperCase()))
          add(`${attribute} part`, part, new RegExp(`\\b${escape(part)}\\b`, 'i'));
      }
    }
  }
  return [...needles.values()];
}

export function findIn(haystacks: readonly Haystack[], needles: readonly Needle[]): Finding[] {
  const findings: Finding[] = [];
  for (const { source, text } of haystacks) {
    for (const needle of needles) {
      const match = needle.pattern.exec(text);
      if (match)
        findings.push({
          source,
          attribute: needle.attribute,
          value: needle.value,
          excerpt: text.slice(Math.max(0, match.index - 60), match.index + match[0].length + 60),
        });
    }
  }
  return findings;
}

/** One haystack per table of the public schema: every row as JSON. */
export async function databaseHaystacks(db: Database): Promise<Haystack[]> {
  const tables = await db.sql.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  const out: Haystack[] = [];
  for (const { name } of tables) {
    const rows = await db.sql.query<{ j: string }>(`SELECT row_to_json(t)::text AS j FROM "${name.replace(/"/g, '""')}" t`);
    out.push({ source: `table ${name} (${rows.length} rows)`, text: rows.map((r) => r.j).join('\n') });
  }
  return out;
}

/** One haystack per Redis key under `prefix:`, whatever its type (BullMQ keeps hashes, lists, sets, streams). */
export async function redisHaystacks(url: string, prefix: string): Promise<Haystack[]> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    const out: Haystack[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      for (const key of keys) out.push({ source: `redis ${key}`, text: `${key}\n${JSON.stringify(await dumpKey(redis, key))}` });
    } while (cursor !== '0');
    return out;
  } finally {
    redis.disconnect();
  }
}

async function dumpKey(redis: Redis, key: string): Promise<unknown> {
  switch (await redis.type(key)) {
    case 'string':
      return redis.get(key);
    case 'hash':
      return redis.hgetall(key);
    case 'list':
      return redis.lrange(key, 0, -1);
    case 'set':
      return redis.smembers(key);
    case 'zset':
      return redis.zrange(key, 0, -1, 'WITHSCORES');
    case 'stream':
      return redis.xrange(key, '-', '+');
    default:
      return null;
  }
}
