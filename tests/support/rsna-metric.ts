// An independent implementation of the RSNA 2024 metric, written from the reference text, to check the SQL one.
export interface ScoredRow {
  readonly studyId: string;
  readonly core: 'spinal' | 'foraminal' | 'subarticular';
  readonly label: 0 | 1 | 2;
  readonly p: readonly [number, number, number];
}

const EPS = 2.220446049250313e-16;
const WEIGHTS = [1, 2, 4];

function normalised(p: readonly number[]): number[] {
  const c = p.map((v) => Math.min(Math.max(v, EPS), 1 - EPS));
  const s = c[0] + c[1] + c[2];
  return c.map((v) => v / s);
}

export function rsnaMetric(rows: readonly ScoredRow[]): {
  score: number;
  spinal: number;
  foraminal: number;
  subarticular: number;
  anySevereSpinal: number;
} {
  const loss: Record<string, number> = {};
  for (const core of ['spinal', 'foraminal', 'subarticular'] as const) {
    let num = 0;
    let den = 0;
    for (const r of rows.filter((x) => x.core === core)) {
      const w = WEIGHTS[r.label];
      num += w * -Math.log(normalised(r.p)[r.label]);
      den += w;
    }
    loss[core] = num / den;
  }
  const studies = new Map<string, { y: number; w: number; p: number }>();
  for (const r of rows.filter((x) => x.core === 'spinal')) {
    const s = studies.get(r.studyId) ?? { y: 0, w: 0, p: 0 };
    s.y = Math.max(s.y, r.label === 2 ? 1 : 0);
    s.w = Math.max(s.w, WEIGHTS[r.label]);
    // The seed's metric takes the raw severe probability here (not renormalised).
    s.p = Math.max(s.p, r.p[2]);
    studies.set(r.studyId, s);
  }
  let num = 0;
  let den = 0;
  for (const s of studies.values()) {
    const p = Math.min(Math.max(s.p, EPS), 1 - EPS);
    num += s.w * -(s.y * Math.log(p) + (1 - s.y) * Math.log(1 - p));
    den += s.w;
  }
  const anySevereSpinal = num / den;
  return { ...loss, anySevereSpinal, score: (loss.spinal + loss.foraminal + loss.subarticular + anySevereSpinal) / 4 } as ReturnType<
    typeof rsnaMetric
  >;
}
