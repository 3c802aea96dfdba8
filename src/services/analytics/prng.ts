// The bootstrap's random numbers: mulberry32, a 32-bit generator small enough to reimplement exactly in any
// language (tests/support/bootstrap_reference.py does, in Python), so a published interval can be recomputed from
// its seed. Not for cryptography.
export type Prng = () => number;

/** Returns successive unsigned 32-bit integers from `seed` (any integer; taken modulo 2^32). */
export function mulberry32(seed: number): Prng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** An index in [0, n) from one draw: floor(u * n / 2^32), exact in float64 because u * n < 2^53 for n < 2^21. */
export function drawIndex(next: Prng, n: number): number {
  return Math.floor((next() * n) / 4294967296);
}
