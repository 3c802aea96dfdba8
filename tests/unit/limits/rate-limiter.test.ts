import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/domain/errors.js';
import { createRateLimiter } from '../../../src/api/limits/rate-limiter.js';

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, at: (seconds: number) => (t = start + seconds * 1000) };
}

describe('createRateLimiter', () => {
  it('allows perMinute events, then refuses with the seconds until the oldest leaves the window', () => {
    const c = clock();
    const limiter = createRateLimiter({ perMinute: 3, now: c.now });
    expect(limiter.tryConsume('u1')).toEqual({ allowed: true, remaining: 2 });
    c.at(10);
    expect(limiter.tryConsume('u1')).toEqual({ allowed: true, remaining: 1 });
    c.at(20);
    expect(limiter.tryConsume('u1')).toEqual({ allowed: true, remaining: 0 });
    c.at(30);
    expect(limiter.tryConsume('u1')).toEqual({ allowed: false, retryAfterSeconds: 30 });
  });

  it('slides: each event leaves the window 60 s after it happened, not at a minute boundary', () => {
    const c = clock();
    const limiter = createRateLimiter({ perMinute: 3, now: c.now });
    for (const s of [0, 30, 59]) {
      c.at(s);
      expect(limiter.tryConsume('u').allowed).toBe(true);
    }
    c.at(59.5);
    expect(limiter.tryConsume('u')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    c.at(60);
    expect(limiter.tryConsume('u').allowed).toBe(true); // the event at 0 s has left
    c.at(62);
    expect(limiter.tryConsume('u')).toEqual({ allowed: false, retryAfterSeconds: 28 }); // 30 + 60 - 62
    c.at(90);
    expect(limiter.tryConsume('u').allowed).toBe(true);
  });

  it('does not count refused attempts', () => {
    const c = clock();
    const limiter = createRateLimiter({ perMinute: 1, now: c.now });
    limiter.tryConsume('u');
    for (let s = 1; s < 60; s++) {
      c.at(s);
      expect(limiter.tryConsume('u').allowed).toBe(false);
    }
    c.at(60);
    expect(limiter.tryConsume('u').allowed).toBe(true);
  });

  it('keeps keys apart', () => {
    const limiter = createRateLimiter({ perMinute: 1, now: clock().now });
    expect(limiter.tryConsume('alice').allowed).toBe(true);
    expect(limiter.tryConsume('bob').allowed).toBe(true);
    expect(limiter.tryConsume('alice').allowed).toBe(false);
  });

  it('consume throws RATE_LIMITED with retryAfterSeconds', () => {
    const c = clock();
    const limiter = createRateLimiter({ perMinute: 2, now: c.now });
    limiter.consume('u');
    limiter.consume('u');
    c.at(45);
    let error: unknown;
    try {
      limiter.consume('u');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'RATE_LIMITED', retryable: true, details: { retryAfterSeconds: 15, limitPerMinute: 2 } });
  });

  it('forgets idle keys', () => {
    const c = clock();
    const limiter = createRateLimiter({ perMinute: 5, now: c.now });
    for (let i = 0; i < 100; i++) limiter.tryConsume(`user-${i}`);
    expect(limiter.size()).toBe(100);
    c.at(61);
    limiter.tryConsume('someone');
    expect(limiter.size()).toBe(1);
  });

  it('refuses a nonsensical limit', () => {
    expect(() => createRateLimiter({ perMinute: 0 })).toThrow(/positive integer/);
  });
});
