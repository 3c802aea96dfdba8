// The SVG drawn over a rendered slice: keypoints (the model's and manual corrections in different marks), the
// labelled coordinates when asked, and optional ROI boxes. Coordinates are source pixels with DICOM's convention
// (0, 0 = centre of the first pixel); the SVG's user space has pixel i covering [i, i + 1], hence the half-pixel shift.

export type MarkKind = 'model' | 'manual' | 'label';

export interface OverlayMark {
  readonly kind: MarkKind;
  /** Source pixel column and row (sub-pixel allowed). */
  readonly x: number;
  readonly y: number;
  /** Shown as an SVG <title> (tooltips when the SVG is inspected), e.g. "L4_L5 LEFT". */
  readonly title?: string;
}

export interface RoiBox {
  readonly x: number;
  readonly y: number;
  /** Full box size in source pixels along columns and rows (50 mm / pixel spacing). */
  readonly width: number;
  readonly height: number;
}

/** Mark colours, also used by the dashboard legend and the tests that look for them in the PNG. */
export const MARK_COLOURS: Readonly<Record<MarkKind | 'roi', string>> = {
  model: '#00e5ff',
  manual: '#ff2bd6',
  label: '#7cff3a',
  roi: '#ffd400',
};

export interface OverlayOptions {
  readonly columns: number;
  readonly rows: number;
  /** Output pixels per source pixel; marks keep a constant size on screen. */
  readonly scale: number;
}

export function overlaySvg(marks: readonly OverlayMark[], rois: readonly RoiBox[], options: OverlayOptions): string {
  const { columns, rows, scale } = options;
  // Sizes are given in output pixels and converted to source units, so marks look the same at every scale.
  const px = (outputPx: number): number => outputPx / scale;
  const parts: string[] = [];
  for (const r of rois) {
    parts.push(
      `<rect x="${fmt(r.x + 0.5 - r.width / 2)}" y="${fmt(r.y + 0.5 - r.height / 2)}" width="${fmt(r.width)}" height="${fmt(r.height)}" ` +
        `fill="none" stroke="${MARK_COLOURS.roi}" stroke-width="${fmt(px(1.5))}" stroke-dasharray="${fmt(px(4))} ${fmt(px(3))}"/>`,
    );
  }
  // Labels first, then the model, then manual corrections on top: the correction is what a reader looks for.
  const order: readonly MarkKind[] = ['label', 'model', 'manual'];
  for (const kind of order) for (const m of marks.filter((k) => k.kind === kind)) parts.push(markSvg(m, px));
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${columns * scale}" height="${rows * scale}" viewBox="0 0 ${columns} ${rows}">` +
    parts.join('') +
    '</svg>'
  );
}

function markSvg(m: OverlayMark, px: (outputPx: number) => number): string {
  const cx = m.x + 0.5;
  const cy = m.y + 0.5;
  const colour = MARK_COLOURS[m.kind];
  const title = m.title ? `<title>${escapeXml(m.title)}</title>` : '';
  const square = (half: number, attrs: string): string =>
    `<rect x="${fmt(cx - half)}" y="${fmt(cy - half)}" width="${fmt(2 * half)}" height="${fmt(2 * half)}" ${attrs}/>`;
  if (m.kind === 'model') {
    // A ring with a solid centre: the centre carries the colour, the ring keeps it visible on bright tissue.
    return (
      `<g>${title}<circle cx="${fmt(cx)}" cy="${fmt(cy)}" r="${fmt(px(7))}" fill="none" stroke="${colour}" stroke-width="${fmt(px(1.5))}"/>` +
      `<circle cx="${fmt(cx)}" cy="${fmt(cy)}" r="${fmt(px(2.5))}" fill="${colour}"/></g>`
    );
  }
  if (m.kind === 'manual') {
    // A diagonal cross with a solid square centre: distinct from the model's ring even in greyscale prints.
    const d = px(7);
    const path = `M${fmt(cx - d)} ${fmt(cy - d)}L${fmt(cx + d)} ${fmt(cy + d)}M${fmt(cx - d)} ${fmt(cy + d)}L${fmt(cx + d)} ${fmt(cy - d)}`;
    return `<g>${title}<path d="${path}" stroke="${colour}" stroke-width="${fmt(px(2))}"/>${square(px(2.5), `fill="${colour}"`)}</g>`;
  }
  // A labelled coordinate: a hollow square, so it never hides the model's mark it is compared with.
  return `<g>${title}${square(px(5), `fill="none" stroke="${colour}" stroke-width="${fmt(px(1.5))}"`)}</g>`;
}

function fmt(n: number): string {
  return String(Math.round(n * 1000) / 1000);
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
