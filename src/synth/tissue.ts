// The phantom's analytic anatomy: which tissue lies at a point given in spine coordinates (x, a, s) (see
// spine-curve.ts and anatomy.ts). Structures are tested from the anterior column backwards; the first match wins.
// Runs once per pixel, so it works on plain numbers captured in a closure and allocates nothing.
import { VERTEBRAE, type SpineAnatomy } from './anatomy.js';

export const TISSUE = {
  AIR: 0,
  SUBCUTANEOUS_FAT: 1,
  MUSCLE: 2,
  VISCERA: 3,
  VESSEL: 4,
  MARROW: 5,
  CORTEX: 6,
  ANNULUS: 7,
  CSF: 8,
  NEURAL: 9,
  EPIDURAL_FAT: 10,
  LIGAMENT: 11,
  POSTERIOR_BONE: 12,
  FORAMEN_FAT: 13,
  FACET_FLUID: 14,
  PARASPINAL_FAT: 15,
  /** Nucleus pulposus of disc j is NUCLEUS_FIRST + j (its T2 signal depends on that disc's degeneration). */
  NUCLEUS_FIRST: 16,
} as const;
export const TISSUE_COUNT = TISSUE.NUCLEUS_FIRST + VERTEBRAE.length - 1;

const FIRST_SACRAL = VERTEBRAE.indexOf('S1');
const L1 = VERTEBRAE.indexOf('L1');
const L4 = VERTEBRAE.indexOf('L4');
const L5 = VERTEBRAE.indexOf('L5');

const LOOKUP_STEP = 0.5;
const LOOKUP_MIN = -400;
const LOOKUP_COUNT = 1601;

export type TissueClassifier = (x: number, a: number, s: number) => number;

export function createTissueClassifier(anatomy: SpineAnatomy): TissueClassifier {
  const {
    vertebraCentre: vc,
    vertebraHalfHeight: vhh,
    bodyHalfDepth: bhd,
    bodyHalfWidth: bhw,
    discCentre: dc,
    discHalfHeight: dhh,
    posteriorWall: pw,
    canalCentreA: canalA,
    canalHalfWidth: cw,
    canalHalfDepth: cd,
    sacCentreA,
    sacHalfWidth: sw,
    sacHalfDepth: sd,
    recessX,
    recessA,
    recessHalfWidth: rhw,
    recessHalfDepth: rhd,
    foramenA: fa,
    foramenAboveDisc,
    foramenHalfDepth: fhd,
    foramenHalfHeight: fhh,
    foramenX,
    sacEndS,
    conusTipS,
    centralBulge,
    flavumThickening,
    recessFacetRadius,
    paracentralBulge,
    foramenOpen,
    psoasGrowth,
  } = anatomy;
  const nv = vc.length;
  const nd = dc.length;

  // For every s: the vertebra whose territory (between the centres of its two discs) holds it, and the nearest disc.
  const vertebraAt = new Uint8Array(LOOKUP_COUNT);
  const discAt = new Uint8Array(LOOKUP_COUNT);
  for (let i = 0; i < LOOKUP_COUNT; i++) {
    const s = LOOKUP_MIN + i * LOOKUP_STEP;
    let k = 0;
    while (k < nd && s < dc[k]) k++;
    vertebraAt[i] = k;
    let best = 0;
    for (let j = 1; j < nd; j++) if (Math.abs(s - dc[j]) < Math.abs(s - dc[best])) best = j;
    discAt[i] = best;
  }
  const psoasTop = vc[L1];
  const psoasSpan = vc[L1] - vc[L5];
  const aortaEnd = vc[L4];
  const ivcEnd = vc[L5];

  /** How far disc j bulges behind the posterior wall at x: broad central bulge or a paracentral one. */
  function bulgeAt(x: number, side: number, j: number): number {
    const cx = x / 11;
    const central = cx < 1 && cx > -1 ? centralBulge[j] * (1 - cx * cx) : 0;
    const px = (x - (side === 0 ? 9 : -9)) / 6;
    const paracentral = px < 1 && px > -1 ? paracentralBulge[j * 2 + side] * (1 - px * px) : 0;
    return central > paracentral ? central : paracentral;
  }

  return function classify(x: number, a: number, s: number): number {
    const ax = x < 0 ? -x : x;
    const side = x < 0 ? 1 : 0;
    let u = ((s - LOOKUP_MIN) / LOOKUP_STEP + 0.5) | 0;
    if (u < 0) u = 0;
    else if (u >= LOOKUP_COUNT) u = LOOKUP_COUNT - 1;
    const k = vertebraAt[u];
    const j = discAt[u];
    const ds = s - dc[j];
    const dh = dhh[j];
    const inDisc = ds <= dh && ds >= -dh;
    // Body cross-section: the disc takes the mean of its two neighbours.
    const hw = inDisc ? 0.5 * (bhw[j] + bhw[j + 1]) : bhw[k];
    const hd = inDisc ? 0.5 * (bhd[j] + bhd[j + 1]) : bhd[k];
    const ab = pw - hd + 3; // ellipse centre; the ellipse is cut flat at the posterior wall

    // 1. Anterior column: vertebral bodies and discs (a disc bulges backwards into the canal).
    if (a < pw + 12 && ax < hw + 3) {
      if (inDisc) {
        const prof = 1 - (ds / (dh + 3)) * (ds / (dh + 3));
        const bulge = bulgeAt(x, side, j) * prof;
        const rx = hw + 1.2 * prof;
        const ry = hd + 1.2 * prof;
        let aa = a - ab;
        if (aa > 0) aa = aa > bulge ? aa - bulge : 0;
        const q = (x / rx) * (x / rx) + (aa / ry) * (aa / ry);
        if (q <= 1 && a <= pw + bulge) {
          if (j >= FIRST_SACRAL) return TISSUE.CORTEX;
          const nx = x / (0.72 * hw);
          const na = (a - ab + 1) / (0.62 * hd);
          const ns = ds / (0.8 * dh);
          return nx * nx + na * na + ns * ns <= 1 ? TISSUE.NUCLEUS_FIRST + j : TISSUE.ANNULUS;
        }
      } else {
        // A bulging disc also rides up and down behind the vertebral corners.
        const reach = dh + 3;
        if (a > pw && ds < reach && ds > -reach) {
          const prof = 1 - (ds / reach) * (ds / reach);
          if (a <= pw + bulgeAt(x, side, j) * prof) return TISSUE.ANNULUS;
        }
        const sv = s - vc[k];
        const vh = vhh[k];
        if (sv <= vh && sv >= -vh && a <= pw) {
          const q = (x / hw) * (x / hw) + ((a - ab) / hd) * ((a - ab) / hd);
          if (q <= 1) {
            const iw = hw - 1.3;
            const id = hd - 1.3;
            const qi = (x / iw) * (x / iw) + ((a - ab) / id) * ((a - ab) / id);
            if (qi > 1 || a > pw - 1.3 || sv > vh - 1.1 || sv < -vh + 1.1) return TISSUE.CORTEX;
            return TISSUE.MARROW;
          }
        }
      }
    }

    // Facet joints and ligamenta flava thicken around the disc level; the profile reaches a little above it.
    const dsl = (ds - 2) / (dh + 6);
    const flavumProfile = dsl < 1 && dsl > -1 ? 1 - dsl * dsl : 0;
    const ac = a - canalA;

    // 2. The canal: an ellipse plus a lateral recess lobe on each side, holding the dural sac, fat and ligaments.
    const qc = (x / cw) * (x / cw) + (ac / cd) * (ac / cd);
    const lx = (ax - recessX) / rhw;
    const la = (a - recessA) / rhd;
    const inRecess = lx * lx + la * la <= 1;
    if (qc <= 1 || inRecess) {
      const facetR = 3.5 + (recessFacetRadius[j * 2 + side] - 3.5) * flavumProfile;
      const fx = ax - (recessX + 5.5);
      const fy = a - (recessA + 6.5);
      if (fx * fx + fy * fy <= facetR * facetR) return TISSUE.LIGAMENT;
      if (ac > -1) {
        const lf = 1.2 + flavumThickening[j] * flavumProfile;
        const iw = cw - lf;
        const id = cd - lf;
        if ((x / iw) * (x / iw) + (ac / id) * (ac / id) > 1) return TISSUE.LIGAMENT;
      }
      const as = a - sacCentreA;
      const qs = (x / sw) * (x / sw) + (as / sd) * (as / sd);
      if (qs <= 1 || inRecess) {
        if (s < sacEndS) return TISSUE.EPIDURAL_FAT;
        if (s > conusTipS) {
          const r = s - conusTipS > 12 ? 1 : (s - conusTipS) / 12;
          const cx = x / (4 * r);
          const ca = as / (3.5 * r);
          if (cx * cx + ca * ca <= 1) return TISSUE.NEURAL;
        }
        if (inRecess) {
          const rx = ax - (recessX + 1.8);
          const ra = a - (recessA - 0.3);
          if (rx * rx + ra * ra <= 1.44) return TISSUE.NEURAL;
        }
        return TISSUE.CSF;
      }
      return TISSUE.EPIDURAL_FAT;
    }

    // 3. The neural arch beside the canal: pedicles, the neural foramina between them, articular pillars.
    if (ax > cw - 1.5 && a >= pw && a < pw + 26) {
      if (ax < cw + 9 && a < fa + fhd) {
        const xoff = foramenX[j];
        const t = ax > xoff ? (ax - xoff) / 10 : 0;
        const taper = 1 - t * t;
        if (taper > 0) {
          const st = Math.sqrt(taper);
          const ra0 = fhd * st;
          const rs0 = fhh * st;
          const da = a - fa;
          const dss = s - (dc[j] + foramenAboveDisc);
          if ((da / ra0) * (da / ra0) + (dss / rs0) * (dss / rs0) <= 1) {
            const open = foramenOpen[j * 2 + side];
            const ra = ra0 * open;
            const rs = rs0 * (0.3 + 0.7 * open);
            const rr = dss - 4;
            if (da * da + rr * rr <= 5.3) return TISSUE.NEURAL;
            if ((da / ra) * (da / ra) + (dss / rs) * (dss / rs) <= 1) return TISSUE.FORAMEN_FAT;
            return TISSUE.LIGAMENT;
          }
        }
        const pa = (a - (pw + 6.5)) / 7;
        const ps = (s - (vc[k] + 0.3 * vhh[k])) / (0.64 * vhh[k]);
        const qp = pa * pa + ps * ps;
        if (qp <= 1) return qp > 0.8 ? TISSUE.CORTEX : TISSUE.POSTERIOR_BONE;
        if (k >= FIRST_SACRAL) return TISSUE.POSTERIOR_BONE;
        return TISSUE.PARASPINAL_FAT;
      }
      if (ax < cw + 14 && a >= fa + fhd - 0.5) {
        // The joint runs obliquely (anteromedial to posterolateral) and tilts with height.
        const joint = a - (fa + fhd + 5 + 0.35 * ds + 0.8 * (ax - (cw + 6)));
        if (joint < 0.9 && joint > -0.9 && ds < 14 && ds > -14) return TISSUE.FACET_FLUID;
        return TISSUE.POSTERIOR_BONE;
      }
    }

    // 4. Laminae (interlaminar gaps hold the ligamenta flava) and the spinous processes, sloping downwards.
    if (ax < cw + 4 && ac >= cd - 1 && ac < cd + 6) {
      const sv = s - vc[k];
      return sv > -vhh[k] - 5 && sv < 0.4 * vhh[k] ? TISSUE.POSTERIOR_BONE : TISSUE.LIGAMENT;
    }
    if (ax < 3.5 && ac >= cd + 4 && ac < cd + 40) {
      const sv = s - vc[k] + (ac - cd) * 0.35;
      const top = 0.25 * vhh[k];
      const bottom = -vhh[k] - 6;
      if (sv < top && sv > bottom && k < FIRST_SACRAL + 1) {
        return sv > top - 1 || sv < bottom + 1 || ax > 2.5 ? TISSUE.CORTEX : TISSUE.POSTERIOR_BONE;
      }
      return TISSUE.PARASPINAL_FAT; // between the spinous processes
    }

    // 5. Sacral alae, great vessels, psoas and back muscles, abdominal contents, fat.
    const hwk = bhw[k];
    const hdk = bhd[k];
    if (k >= FIRST_SACRAL && k < nv && ax > hwk - 6 && ax < hwk + 45 && a > pw - 2 * hdk + 6 && a < pw + 22) {
      return TISSUE.POSTERIOR_BONE;
    }
    const front = pw - 2 * hdk + 3;
    if (a < front) {
      if (s > aortaEnd) {
        const vx = x - 14;
        const va = a - (front - 11);
        if (vx * vx + va * va <= 100) return TISSUE.VESSEL;
      } else {
        const spread = 14 + (aortaEnd - s) * 0.45;
        const vx = ax - spread;
        const va = a - (front - 11);
        if (vx * vx + va * va <= 42) return TISSUE.VESSEL;
      }
      if (s > ivcEnd) {
        const vx = x + 19;
        const va = a - (front - 9);
        if (vx * vx + va * va <= 121) return TISSUE.VESSEL;
      }
    }
    // Transverse processes: a bony bar out of each lumbar vertebra's arch.
    if (k < FIRST_SACRAL && ax > cw + 8 && ax < cw + 30 && a > pw + 2 && a < pw + 10) {
      const sv = s - vc[k] - 0.2 * vhh[k];
      if (sv < 4.5 && sv > -4.5) return sv > 3.7 || sv < -3.7 ? TISSUE.CORTEX : TISSUE.POSTERIOR_BONE;
    }
    // Psoas hugs the bodies and thickens towards L5; quadratus lumborum lies behind it, the back muscles behind that.
    let grow = (psoasTop - s) / psoasSpan;
    if (grow < 0) grow = 0;
    else if (grow > 1.3) grow = 1.3;
    const pr = psoasGrowth * (7 + 12 * grow);
    const px = (ax - (hwk + 0.6 * pr)) / pr;
    const pa = (a - (pw - hdk + 2)) / (pr * 1.15);
    if (px * px + pa * pa <= 1) return TISSUE.MUSCLE;
    const qx = (ax - (hwk + pr + 18)) / 16;
    const qa = (a - (pw + 8)) / 11;
    if (qx * qx + qa * qa <= 1) return TISSUE.MUSCLE;
    const mx = (ax - 27) / 29;
    const ma = (a - (pw + 38)) / 36;
    if (a > pw - 4 && mx * mx + ma * ma <= 1) return TISSUE.MUSCLE;
    // Retroperitoneal fat wraps the spine and psoas; the abdomen's contents fill the cavity in front; flank
    // muscles lie outside it.
    const rx = x / (hwk + 2 * pr + 10);
    const ra = (a - (pw - hdk)) / (hdk + 16);
    if (rx * rx + ra * ra <= 1) return TISSUE.PARASPINAL_FAT;
    const vx = x / 140;
    const va = (a - (front - 30)) / 105;
    return vx * vx + va * va <= 1 ? TISSUE.VISCERA : TISSUE.MUSCLE;
  };
}
