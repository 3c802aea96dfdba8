// Ensemble members' probabilities as stored beside a prediction: float32 little-endian triples (12 bytes a
// member; 10 members x 25 rows = 3,000 bytes a study), and the spread the review queue ranks by.
export type Triple = readonly [number, number, number];

export function encodeMembers(members: readonly Triple[] | undefined): Buffer | null {
  if (!members || members.length === 0) return null;
  const out = Buffer.alloc(members.length * 12);
  members.forEach((m, i) => {
    out.writeFloatLE(m[0], i * 12);
    out.writeFloatLE(m[1], i * 12 + 4);
    out.writeFloatLE(m[2], i * 12 + 8);
  });
  return out;
}

export function decodeMembers(bytes: Uint8Array): Triple[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Triple[] = [];
  for (let o = 0; o + 12 <= bytes.byteLength; o += 12) {
    out.push([view.getFloat32(o, true), view.getFloat32(o + 4, true), view.getFloat32(o + 8, true)]);
  }
  return out;
}

/**
 * max over the three classes of (largest - smallest member probability); null with fewer than two members. From
 * the float32 values that are stored, so the spread is what anyone decoding the stored members computes.
 */
export function memberSpread(members: readonly Triple[] | undefined): number | null {
  if (!members || members.length < 2) return null;
  let spread = 0;
  for (let k = 0; k < 3; k++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const m of members) {
      const v = Math.fround(m[k]);
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    spread = Math.max(spread, hi - lo);
  }
  return spread;
}
