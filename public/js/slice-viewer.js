// The study viewer: one series at a time, every slice reachable (slider, arrow keys, mouse wheel), window/level and
// zoom, and the points that belong to the slice shown drawn over it: model keypoints, manual corrections and the
// labelled points. A model or manual keypoint can be dragged to where it belongs; dropping it stores a manual
// correction (correctKeypoint) beside the model's, which stays.
// @ts-check
import { ApiError, QUERIES, request, token } from './api.js';
import { announce, h, replace } from './dom.js';
import { CONDITION_NAMES, SERIES_TYPE_NAMES, levelName } from './vocabulary.js';

const SVG = 'http://www.w3.org/2000/svg';

/**
 * @typedef {{ id: string, instanceNumber: number | null, stackIndex: number, sliceIndex: number, rows: number, columns: number }} Instance
 * @typedef {{ id: string, type: string, instances: Instance[] }} Series
 * @typedef {{ id: string, level: string, side: string, role: string, source: string, seriesId: string, instanceId: string | null, pixelX: number, pixelY: number }} Keypoint
 * @typedef {{ condition: string, level: string, seriesId: string, instanceId: string | null, x: number, y: number }} LabelPoint
 * @typedef {{ id: string, series: Series[], keypoints: Keypoint[], labelPoints: LabelPoint[] }} Study
 */

/**
 * @param {{ study: Study, onCorrected: () => Promise<Study | null>, openAt?: { seriesId: string, instanceId: string } | null }} options
 *   openAt: the slice to open on (the review queue's row), instead of the slice most points lie on
 * @returns {HTMLElement}
 */
export function sliceViewer({ study: initial, onCorrected, openAt = null }) {
  let study = initial;
  const usable = study.series.filter((s) => s.instances.length > 0);
  const state = {
    series: usable[0],
    index: 0,
    /** @type {{ centre: number, width: number } | null} */
    window: null,
    zoom: 1,
    /** The reader is typing a window: a slice arriving meanwhile does not overwrite it. */
    editing: false,
  };
  const seriesSelect = /** @type {HTMLSelectElement} */ (
    h(
      'select',
      { id: 'viewer-series' },
      usable.map((s) => h('option', { value: s.id }, `${SERIES_TYPE_NAMES[s.type] ?? s.type} (${s.instances.length} slices)`)),
    )
  );
  const slider = /** @type {HTMLInputElement} */ (h('input', { id: 'viewer-slice', type: 'range', min: '0', step: '1', value: '0' }));
  const sliceText = h('output', { for: 'viewer-slice', class: 'slice-text' });
  const centreInput = /** @type {HTMLInputElement} */ (h('input', { id: 'viewer-centre', type: 'number', step: '1', size: '6' }));
  const widthInput = /** @type {HTMLInputElement} */ (h('input', { id: 'viewer-width', type: 'number', step: '1', min: '1', size: '6' }));
  const zoom = /** @type {HTMLInputElement} */ (
    h('input', { id: 'viewer-zoom', type: 'range', min: '1', max: '4', step: '0.5', value: '1' })
  );
  const status = h('p', { class: 'form-status', role: 'status', 'aria-live': 'polite' });
  const img = /** @type {HTMLImageElement} */ (h('img', { class: 'viewer-image', alt: '', draggable: 'false' }));
  const overlay = document.createElementNS(SVG, 'svg');
  overlay.setAttribute('class', 'viewer-overlay');
  overlay.setAttribute('preserveAspectRatio', 'none');
  const stage = h(
    'div',
    { class: 'viewer-stage', tabindex: '0', 'aria-label': 'Slice image; arrow keys or the mouse wheel change the slice' },
    img,
  );
  stage.append(overlay);
  const scroller = h('div', { class: 'viewer-scroll' }, stage);

  const current = () => state.series.instances[state.index];

  function setSeries(/** @type {Series} */ series) {
    state.series = series;
    state.window = null;
    state.editing = false;
    slider.max = String(series.instances.length - 1);
    // Open on the slice most points lie on (else the middle one): where there is something to look at.
    const counts = series.instances.map(
      (i) => study.keypoints.filter((k) => k.instanceId === i.id).length + study.labelPoints.filter((p) => p.instanceId === i.id).length,
    );
    const best = counts.indexOf(Math.max(...counts));
    show(counts[best] > 0 ? best : Math.floor((series.instances.length - 1) / 2));
  }

  function show(/** @type {number} */ index) {
    state.index = Math.max(0, Math.min(state.series.instances.length - 1, index));
    slider.value = String(state.index);
    const instance = current();
    sliceText.textContent = `Slice ${state.index + 1} of ${state.series.instances.length} (instance ${instance.instanceNumber ?? '?'})`;
    stage.dataset.instanceId = instance.id;
    overlay.setAttribute('viewBox', `0 0 ${instance.columns} ${instance.rows}`);
    drawPoints();
    loadImage();
  }

  async function loadImage() {
    const instance = current();
    const q = new URLSearchParams({
      keypoints: '0',
      scale: '2',
      ...(state.window ? { window: `${Math.round(state.window.centre)},${Math.round(state.window.width)}` } : {}),
    });
    const url = `/studies/${encodeURIComponent(study.id)}/instances/${encodeURIComponent(instance.id)}.png?${q}`;
    img.dataset.src = url;
    const res = await fetch(url, { headers: token() ? { authorization: `Bearer ${token()}` } : {} });
    if (img.dataset.src !== url) return; // a newer slice or window replaced this one while it loaded
    if (!res.ok) {
      status.textContent = `The slice could not be loaded (${res.status}).`;
      return;
    }
    // The window the server used (the file's, or percentiles): the starting point of window/level.
    const used = /^(-?[\d.]+),([\d.]+)/.exec(res.headers.get('x-window') ?? '');
    if (used && !state.window && !state.editing) {
      centreInput.value = String(Math.round(Number(used[1])));
      widthInput.value = String(Math.round(Number(used[2])));
    }
    const previous = img.dataset.blobUrl;
    img.dataset.blobUrl = URL.createObjectURL(await res.blob());
    img.src = img.dataset.blobUrl;
    img.alt = `${SERIES_TYPE_NAMES[state.series.type] ?? state.series.type}, ${sliceText.textContent}`;
    if (previous) URL.revokeObjectURL(previous);
  }

  function drawPoints() {
    const instance = current();
    overlay.replaceChildren();
    const r = Math.max(2, instance.columns / 90);
    for (const p of study.labelPoints.filter((l) => l.instanceId === instance.id)) {
      const mark = document.createElementNS(SVG, 'rect');
      mark.setAttribute('class', 'label-point');
      mark.setAttribute('x', String(p.x - r));
      mark.setAttribute('y', String(p.y - r));
      mark.setAttribute('width', String(2 * r));
      mark.setAttribute('height', String(2 * r));
      mark.setAttribute('data-level', p.level);
      const title = document.createElementNS(SVG, 'title');
      title.textContent = `Labelled: ${CONDITION_NAMES[p.condition] ?? p.condition}, ${levelName(p.level)}`;
      mark.append(title);
      overlay.append(mark);
    }
    for (const k of study.keypoints.filter((kp) => kp.instanceId === instance.id)) {
      const dot = document.createElementNS(SVG, 'circle');
      dot.setAttribute('class', `keypoint keypoint-${k.source.toLowerCase()}`);
      dot.setAttribute('cx', String(k.pixelX));
      dot.setAttribute('cy', String(k.pixelY));
      dot.setAttribute('r', String(r));
      dot.setAttribute('data-keypoint-id', k.id);
      dot.setAttribute('data-level', k.level);
      dot.setAttribute('tabindex', '0');
      const label = `${k.source === 'MANUAL' ? 'Manual' : 'Model'} keypoint ${levelName(k.level)}${k.side !== 'NONE' ? ` ${k.side.toLowerCase()}` : ''}`;
      dot.setAttribute('aria-label', `${label}; drag to correct`);
      const title = document.createElementNS(SVG, 'title');
      title.textContent = `${label} (drag to correct)`;
      dot.append(title);
      dragToCorrect(dot, k);
      overlay.append(dot);
    }
  }

  /** @param {SVGCircleElement} dot @param {Keypoint} k */
  function dragToCorrect(dot, k) {
    /** @param {PointerEvent} e */
    const toImage = (e) => {
      const m = overlay.getScreenCTM();
      if (!m) return null;
      const p = new DOMPoint(e.clientX, e.clientY).matrixTransform(m.inverse());
      const instance = current();
      return { x: Math.max(0, Math.min(instance.columns - 1, p.x)), y: Math.max(0, Math.min(instance.rows - 1, p.y)) };
    };
    dot.addEventListener('pointerdown', (e) => {
      e.preventDefault();
      dot.setPointerCapture(e.pointerId);
      dot.classList.add('dragging');
    });
    dot.addEventListener('pointermove', (e) => {
      if (!dot.hasPointerCapture(e.pointerId)) return;
      const p = toImage(e);
      if (!p) return;
      dot.setAttribute('cx', String(p.x));
      dot.setAttribute('cy', String(p.y));
    });
    dot.addEventListener('pointerup', async (e) => {
      if (!dot.hasPointerCapture(e.pointerId)) return;
      dot.releasePointerCapture(e.pointerId);
      dot.classList.remove('dragging');
      const p = toImage(e);
      if (!p) return;
      if (Math.hypot(p.x - k.pixelX, p.y - k.pixelY) < 0.5) return; // a click, not a move
      status.textContent = 'Saving the correction…';
      try {
        const input = {
          studyId: study.id,
          instanceId: /** @type {string} */ (k.instanceId),
          level: k.level,
          side: k.side,
          pixelX: Math.round(p.x * 10) / 10,
          pixelY: Math.round(p.y * 10) / 10,
          role: k.role === 'manual' ? null : k.role,
        };
        const saved = (await request(QUERIES.correctKeypoint, { input })).correctKeypoint;
        status.textContent = `Corrected ${levelName(saved.level)} keypoint saved at (${saved.pixelX.toFixed(1)}, ${saved.pixelY.toFixed(1)}).`;
        announce(status.textContent);
        study = (await onCorrected()) ?? study;
        drawPoints();
      } catch (err) {
        status.textContent = `Could not save the correction: ${err instanceof ApiError ? `${err.message} (${err.code ?? 'error'})` : err}`;
        drawPoints();
      }
    });
  }

  function applyWindow() {
    const centre = Number(centreInput.value);
    const width = Number(widthInput.value);
    if (!Number.isFinite(centre) || !Number.isFinite(width) || width < 1) return;
    state.window = { centre, width };
    state.editing = false;
    loadImage();
  }

  seriesSelect.addEventListener('change', () => setSeries(/** @type {Series} */ (usable.find((s) => s.id === seriesSelect.value))));
  slider.addEventListener('input', () => show(Number(slider.value)));
  for (const input of [centreInput, widthInput]) input.addEventListener('input', () => (state.editing = true));
  centreInput.addEventListener('change', applyWindow);
  widthInput.addEventListener('change', applyWindow);
  zoom.addEventListener('input', () => {
    state.zoom = Number(zoom.value);
    stage.style.width = `${state.zoom * 100}%`;
  });
  stage.addEventListener(
    'wheel',
    (e) => {
      e.preventDefault();
      show(state.index + (e.deltaY > 0 ? 1 : -1));
    },
    { passive: false },
  );
  stage.addEventListener('keydown', (e) => {
    const step = { ArrowUp: -1, ArrowLeft: -1, PageUp: -5, ArrowDown: 1, ArrowRight: 1, PageDown: 5 }[e.key];
    if (step === undefined) return;
    e.preventDefault();
    show(state.index + step);
  });

  /** Opens the series and slice a point belongs to, wherever the viewer is. @param {string} seriesId @param {string} instanceId */
  function goTo(seriesId, instanceId) {
    const series = usable.find((s) => s.id === seriesId);
    const index = series?.instances.findIndex((i) => i.id === instanceId) ?? -1;
    if (!series || index < 0) return;
    if (series !== state.series) {
      seriesSelect.value = series.id;
      setSeries(series);
    }
    show(index);
    stage.focus();
  }

  // Every labelled point, each a way to the slice it belongs to (a label rarely sits on the slice shown first).
  const located = study.labelPoints.filter((p) => p.instanceId && usable.some((s) => s.id === p.seriesId));
  const labelList = located.length
    ? h(
        'div',
        { class: 'label-points' },
        h('h3', { id: 'label-points-heading' }, 'Labelled points'),
        h(
          'ul',
          { class: 'label-points-list', 'aria-labelledby': 'label-points-heading' },
          located.map((p) => {
            const series = /** @type {Series} */ (usable.find((s) => s.id === p.seriesId));
            const k = series.instances.findIndex((i) => i.id === p.instanceId);
            return h(
              'li',
              {},
              h(
                'button',
                {
                  type: 'button',
                  class: 'small',
                  'data-instance-id': p.instanceId,
                  onclick: () => goTo(p.seriesId, /** @type {string} */ (p.instanceId)),
                },
                `${CONDITION_NAMES[p.condition] ?? p.condition}, ${levelName(p.level)}: ${SERIES_TYPE_NAMES[series.type] ?? series.type} slice ${k + 1}`,
              ),
            );
          }),
        ),
      )
    : null;

  const element = h(
    'section',
    { class: 'panel viewer', 'aria-labelledby': 'viewer-heading' },
    h('h2', { id: 'viewer-heading' }, 'Viewer'),
    h(
      'div',
      { class: 'viewer-controls' },
      h('div', { class: 'field' }, h('label', { for: 'viewer-series' }, 'Series'), seriesSelect),
      h('div', { class: 'field' }, h('label', { for: 'viewer-slice' }, 'Slice'), slider, sliceText),
      h('div', { class: 'field' }, h('label', { for: 'viewer-centre' }, 'Window centre'), centreInput),
      h('div', { class: 'field' }, h('label', { for: 'viewer-width' }, 'Window width'), widthInput),
      h(
        'div',
        { class: 'field' },
        h('label', {}, ' '),
        h(
          'button',
          { type: 'button', class: 'small', onclick: () => ((state.window = null), (state.editing = false), loadImage()) },
          'Reset window',
        ),
      ),
      h('div', { class: 'field' }, h('label', { for: 'viewer-zoom' }, 'Zoom'), zoom),
    ),
    h(
      'p',
      { class: 'muted' },
      'Model keypoints are drawn as circles, manual corrections in their own colour, labelled points as squares; drag a keypoint to correct it.',
    ),
    status,
    scroller,
    labelList,
  );
  if (usable.length === 0) replace(element, h('p', { class: 'muted' }, 'This study has no images.'));
  else
    queueMicrotask(() => {
      setSeries(state.series);
      if (openAt) goTo(openAt.seriesId, openAt.instanceId);
    });
  return element;
}
