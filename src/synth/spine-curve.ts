// The lordotic spinal curve and the "spine coordinates" the phantom is modelled in.
//
// The canal centreline is a curve in the body's mid-sagittal plane (body y = posterior, z = superior), given by
// its tangent angle theta(s) against arc length s (theta > 0 tilts the superior end anteriorly, so lordosis is
// theta growing towards the sacrum). A body point maps to spine coordinates (x, a, s): x = body x (+ = patient
// left), s = arc length of the nearest centreline point, a = signed distance along the posterior normal. Modelling
// every structure in (x, a, s) lets discs, canal and foramina follow the curve without per-level transforms.
import type { Vec3 } from './vec.js';

export interface CurveKnot {
  /** Arc length, mm (+ = superior). */
  readonly s: number;
  /** Tangent angle, degrees. */
  readonly thetaDeg: number;
}

const STEP = 0.5;
const S_MIN = -400;
const S_MAX = 400;
const COUNT = Math.round((S_MAX - S_MIN) / STEP) + 1;

export class SpineCurve {
  /** Centreline (body y, z), tangent angle sine/cosine and dtheta/ds, tabulated every STEP mm of arc. */
  private readonly cy = new Float64Array(COUNT);
  private readonly cz = new Float64Array(COUNT);
  private readonly sin = new Float64Array(COUNT);
  private readonly cos = new Float64Array(COUNT);
  private readonly dtheta = new Float64Array(COUNT);

  /** Knots sorted by s; theta is linear between knots and constant beyond them. The curve passes through body
   * (0, 0, 0) at s = 0. */
  constructor(knots: readonly CurveKnot[]) {
    const sorted = [...knots].sort((p, q) => p.s - q.s);
    const theta = (s: number): number => {
      if (s <= sorted[0].s) return sorted[0].thetaDeg;
      for (let i = 1; i < sorted.length; i++) {
        if (s <= sorted[i].s) {
          const t = (s - sorted[i - 1].s) / (sorted[i].s - sorted[i - 1].s);
          return sorted[i - 1].thetaDeg + t * (sorted[i].thetaDeg - sorted[i - 1].thetaDeg);
        }
      }
      return sorted[sorted.length - 1].thetaDeg;
    };
    const rad = Math.PI / 180;
    const zero = Math.round(-S_MIN / STEP);
    for (let i = 0; i < COUNT; i++) {
      const s = S_MIN + i * STEP;
      const t = theta(s) * rad;
      this.sin[i] = Math.sin(t);
      this.cos[i] = Math.cos(t);
      this.dtheta[i] = ((theta(s + 0.01) - theta(s - 0.01)) / 0.02) * rad;
    }
    // Integrate the tangent (-sin, cos) outwards from s = 0 with the midpoint angle of each step.
    this.cy[zero] = 0;
    this.cz[zero] = 0;
    for (let i = zero + 1; i < COUNT; i++) {
      const t = theta(S_MIN + (i - 0.5) * STEP) * rad;
      this.cy[i] = this.cy[i - 1] - Math.sin(t) * STEP;
      this.cz[i] = this.cz[i - 1] + Math.cos(t) * STEP;
    }
    for (let i = zero - 1; i >= 0; i--) {
      const t = theta(S_MIN + (i + 0.5) * STEP) * rad;
      this.cy[i] = this.cy[i + 1] + Math.sin(t) * STEP;
      this.cz[i] = this.cz[i + 1] - Math.cos(t) * STEP;
    }
  }

  /**
   * Spine coordinates of body point (y, z) (body x passes through unchanged). `sGuess` is where Newton's method
   * starts: the previous pixel's s makes it converge in one or two steps. Writes [a, s] into `out`.
   */
  toSpine(y: number, z: number, sGuess: number, out: Float64Array): void {
    let s = sGuess;
    let a = 0;
    for (let iter = 0; iter < 8; iter++) {
      let u = (s - S_MIN) / STEP;
      if (u < 0) u = 0;
      else if (u > COUNT - 1.000001) u = COUNT - 1.000001;
      const i = u | 0;
      const f = u - i;
      const cy = this.cy[i] + f * (this.cy[i + 1] - this.cy[i]);
      const cz = this.cz[i] + f * (this.cz[i + 1] - this.cz[i]);
      const sn = this.sin[i] + f * (this.sin[i + 1] - this.sin[i]);
      const cs = this.cos[i] + f * (this.cos[i + 1] - this.cos[i]);
      const dy = y - cy;
      const dz = z - cz;
      const along = -dy * sn + dz * cs;
      a = dy * cs + dz * sn;
      let denominator = 1 + this.dtheta[i] * a;
      // Beyond the centre of curvature the projection is not unique; a damped step still lands on a nearby root.
      if (denominator < 0.2) denominator = 0.2;
      s += along / denominator;
      if (along < 1e-4 && along > -1e-4) break;
    }
    out[0] = a;
    out[1] = s;
  }

  /** Body coordinates of spine point (x, a, s). */
  toBody(x: number, a: number, s: number): Vec3 {
    const u = Math.min(Math.max((s - S_MIN) / STEP, 0), COUNT - 1.000001);
    const i = Math.floor(u);
    const f = u - i;
    const cy = this.cy[i] + f * (this.cy[i + 1] - this.cy[i]);
    const cz = this.cz[i] + f * (this.cz[i + 1] - this.cz[i]);
    const sn = this.sin[i] + f * (this.sin[i + 1] - this.sin[i]);
    const cs = this.cos[i] + f * (this.cos[i + 1] - this.cos[i]);
    return [x, cy + a * cs, cz + a * sn];
  }

  /** Unit tangent (towards superior) at arc length s, body coordinates. */
  tangent(s: number): Vec3 {
    const u = Math.min(Math.max((s - S_MIN) / STEP, 0), COUNT - 1.000001);
    const i = Math.floor(u);
    const f = u - i;
    const sn = this.sin[i] + f * (this.sin[i + 1] - this.sin[i]);
    const cs = this.cos[i] + f * (this.cos[i + 1] - this.cos[i]);
    const len = Math.hypot(sn, cs);
    return [0, -sn / len, cs / len];
  }
}
