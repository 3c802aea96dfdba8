// One study: the Sag T2 slice its keypoints lie on (else the middle slice), the Sag T1 slices of the foraminal
// keypoints, the axial slice of each level, all rendered by the image endpoint with the keypoints drawn in; and
// the 25 predictions beside the labels.
// @ts-check
import { QUERIES, request, token } from './api.js';
import { fixed, h, replace } from './dom.js';
import { severityLegend } from './heatmap-panel.js';
import { sliceOfRow } from './row-slice.js';
import { sliceViewer } from './slice-viewer.js';
import { srActions } from './sr-actions.js';
import { CONDITIONS, CONDITION_NAMES, LEVELS, SEVERITY_NAMES, SERIES_TYPE_NAMES, levelName, severityClass } from './vocabulary.js';

/**
 * @typedef {{ id: string, instanceNumber: number | null, stackIndex: number, sliceIndex: number }} Instance
 * @typedef {{ id: string, type: string, externalId: string, description: string | null, instanceCount: number, instances: Instance[] }} Series
 * @typedef {{ id: string, level: string, side: string, role: string, source: string, seriesId: string, instanceId: string | null, pixelX: number, pixelY: number, score: number | null }} Keypoint
 * @typedef {{ series: Series, instance: Instance, caption: string, keypoints: Keypoint[] }} View
 */

/**
 * Which slices to show: pure, so it can be reasoned about apart from the DOM.
 * @param {{ series: Series[], keypoints: Keypoint[] }} study
 * @returns {{ sagittalT2: View[], sagittalT1: View[], axial: View[] }}
 */
export function chooseViews(study) {
  const ofType = (/** @type {string} */ type) => study.series.filter((s) => s.type === type && s.instances.length > 0);
  /** @param {Series} series @returns {Map<string, Keypoint[]>} keypoints of a series by instance */
  const byInstance = (series) => {
    /** @type {Map<string, Keypoint[]>} */
    const map = new Map();
    for (const k of study.keypoints) {
      if (k.seriesId !== series.id || !k.instanceId) continue;
      map.set(k.instanceId, [...(map.get(k.instanceId) ?? []), k]);
    }
    return map;
  };
  const instanceOf = (/** @type {Series} */ series, /** @type {string} */ id) => series.instances.find((i) => i.id === id);
  const middle = (/** @type {Series} */ series) => series.instances[Math.floor((series.instances.length - 1) / 2)];
  const sliceName = (/** @type {Instance} */ i) => `instance ${i.instanceNumber ?? '?'}`;
  const levelsOf = (/** @type {Keypoint[]} */ ks) => [...new Set(ks.map((k) => levelName(k.level)))].join(', ');
  const sidesOf = (/** @type {Keypoint[]} */ ks) =>
    [...new Set(ks.map((k) => k.side).filter((s) => s !== 'NONE'))].map((s) => s.toLowerCase()).join(' and ');

  const sagittalT2 = ofType('SAGITTAL_T2_STIR')
    .slice(0, 1)
    .map((series) => {
      const marked = [...byInstance(series)].sort((a, b) => b[1].length - a[1].length)[0];
      const instance = (marked && instanceOf(series, marked[0])) ?? middle(series);
      const keypoints = marked && instance.id === marked[0] ? marked[1] : [];
      return {
        series,
        instance,
        keypoints,
        caption: `Sagittal T2/STIR, ${keypoints.length ? 'keypoint slice' : 'middle slice'} (${sliceName(instance)})`,
      };
    });

  const sagittalT1 = ofType('SAGITTAL_T1')
    .slice(0, 1)
    .flatMap((series) => {
      const marked = [...byInstance(series)].flatMap(([id, ks]) => {
        const instance = instanceOf(series, id);
        return instance
          ? [
              {
                series,
                instance,
                keypoints: ks,
                caption: `Sagittal T1, ${sidesOf(ks) || 'foramina'} ${levelsOf(ks)} (${sliceName(instance)})`,
              },
            ]
          : [];
      });
      marked.sort((a, b) => a.instance.sliceIndex - b.instance.sliceIndex);
      return marked.length
        ? marked
        : [{ series, instance: middle(series), keypoints: [], caption: `Sagittal T1, middle slice (${sliceName(middle(series))})` }];
    });

  /** @type {View[]} */
  const axial = [];
  for (const level of LEVELS) {
    for (const series of ofType('AXIAL_T2')) {
      const onLevel = study.keypoints.filter((k) => k.seriesId === series.id && k.level === level && k.instanceId);
      if (!onLevel.length) continue;
      // Left and right keypoints of a level normally share a slice; show the slice most of them lie on.
      /** @type {Map<string, Keypoint[]>} */
      const counts = new Map();
      for (const k of onLevel)
        counts.set(/** @type {string} */ (k.instanceId), [...(counts.get(/** @type {string} */ (k.instanceId)) ?? []), k]);
      const [id, ks] = [...counts].sort((a, b) => b[1].length - a[1].length)[0];
      const instance = instanceOf(series, id);
      if (instance) axial.push({ series, instance, keypoints: ks, caption: `Axial T2, ${levelName(level)} (${sliceName(instance)})` });
      break;
    }
  }
  return { sagittalT2, sagittalT1, axial };
}

/**
 * The slices labelled points lie on that the views above do not show: with "Labelled points" on, each is shown too,
 * so a label is never drawn on a slice that is not on the page.
 * @param {{ series: Series[], labelPoints: { condition: string, level: string, seriesId: string, instanceId: string | null }[] }} study
 * @param {Set<string>} shown instance ids already shown
 * @returns {View[]}
 */
export function labelledViews(study, shown) {
  /** @type {Map<string, View>} */
  const views = new Map();
  for (const p of study.labelPoints) {
    if (!p.instanceId || shown.has(p.instanceId)) continue;
    const series = study.series.find((s) => s.id === p.seriesId);
    const instance = series?.instances.find((i) => i.id === p.instanceId);
    if (!series || !instance) continue;
    const view = views.get(instance.id) ?? {
      series,
      instance,
      keypoints: [],
      caption: `${SERIES_TYPE_NAMES[series.type] ?? series.type}, labelled (instance ${instance.instanceNumber ?? '?'}):`,
    };
    view.caption += ` ${levelName(p.level)}`;
    views.set(instance.id, view);
  }
  return [...views.values()];
}

/** @param {string} studyId @param {string} instanceId @param {Record<string, string>} options */
export function imageUrl(studyId, instanceId, options) {
  const q = new URLSearchParams(options);
  return `/studies/${encodeURIComponent(studyId)}/instances/${encodeURIComponent(instanceId)}.png?${q}`;
}

/**
 * Shows an image of the endpoint. With a bearer token the image is fetched with it (an <img> cannot send headers)
 * and shown from a blob URL; `data-src` keeps the endpoint URL either way.
 * @param {HTMLImageElement} img @param {string} url
 */
export async function showImage(img, url) {
  img.dataset.src = url;
  if (!token()) {
    img.src = url;
    return;
  }
  const res = await fetch(url, { headers: { authorization: `Bearer ${token()}` } });
  if (img.dataset.src !== url) return; // a newer overlay choice replaced this one while it loaded
  if (!res.ok) {
    img.removeAttribute('src');
    img.alt = `${img.alt} (could not be loaded: ${res.status})`;
    return;
  }
  const previous = img.dataset.blobUrl;
  img.dataset.blobUrl = URL.createObjectURL(await res.blob());
  img.src = img.dataset.blobUrl;
  if (previous) URL.revokeObjectURL(previous);
}

/**
 * @param {HTMLElement} main @param {string} studyId
 * @param {{ condition: string, level: string } | null} [row] the (condition, level) it was opened for: the viewer opens at its slice
 */
export async function renderStudyView(main, studyId, row = null) {
  const sets = await request(QUERIES.modelSets)
    .then((d) => d.modelSets)
    .catch(() => []);
  const state = {
    modelSetId: /** @type {string} */ (sets.find((/** @type {any} */ s) => s.isActive)?.id ?? ''),
    keypoints: true,
    rois: false,
    labels: false,
  };
  const heading = h('h1', { tabindex: '-1' }, 'Study');
  const content = h('div', { 'aria-live': 'polite', 'aria-busy': 'true' }, 'Loading the study…');
  const modelSelect = /** @type {HTMLSelectElement} */ (
    h(
      'select',
      { id: 'study-model-set', onchange: () => ((state.modelSetId = modelSelect.value), load()) },
      sets.length ? null : h('option', { value: '' }, 'Active set'),
      sets.map((/** @type {any} */ s) =>
        h('option', { value: s.id, selected: s.id === state.modelSetId }, s.isActive ? `${s.name} (active)` : s.name),
      ),
    )
  );
  const overlayToggle = (/** @type {'keypoints' | 'rois' | 'labels'} */ key, /** @type {string} */ text) =>
    h(
      'label',
      { class: 'check' },
      h('input', {
        type: 'checkbox',
        checked: state[key],
        onchange: (/** @type {Event} */ e) => {
          state[key] = /** @type {HTMLInputElement} */ (e.target).checked;
          // The slices of labelled points join the page only while they are drawn (hidden images would never load).
          if (key === 'labels') load();
          else refreshImages();
        },
      }),
      text,
    );
  replace(
    main,
    h('p', {}, h('a', { href: '#/' }, '← Dashboard')),
    heading,
    h(
      'div',
      { class: 'controls panel' },
      h('div', { class: 'field' }, h('label', { for: 'study-model-set' }, 'Model set'), modelSelect),
      h(
        'fieldset',
        { class: 'field' },
        h('legend', {}, 'Overlay'),
        overlayToggle('keypoints', 'Keypoints'),
        overlayToggle('rois', '50 mm ROIs'),
        overlayToggle('labels', 'Labelled points'),
      ),
      markLegend(),
    ),
    content,
  );
  heading.focus();

  /** @type {{ img: HTMLImageElement, instanceId: string }[]} */
  let images = [];
  function refreshImages() {
    for (const { img, instanceId } of images) showImage(img, imageUrl(studyId, instanceId, overlayOptions()));
  }
  function overlayOptions() {
    return {
      keypoints: state.keypoints ? '1' : '0',
      rois: state.rois ? '1' : '0',
      labels: state.labels ? '1' : '0',
      ...(state.modelSetId ? { modelSetId: state.modelSetId } : {}),
      scale: '2',
    };
  }

  async function load() {
    content.setAttribute('aria-busy', 'true');
    try {
      const { study } = await request(QUERIES.study, { id: studyId, ...(state.modelSetId ? { modelSetId: state.modelSetId } : {}) });
      if (!study) {
        replace(content, h('p', { class: 'error', role: 'alert' }, 'This study was not found.'));
        return;
      }
      heading.textContent = `Study ${study.externalId}`;
      document.title = `Study ${study.externalId} · spinegraph`;
      const views = chooseViews(study);
      const openAt = row ? sliceOfRow(study, row.condition, row.level) : null;
      images = [];
      const labelledGroup = (/** @type {ReturnType<typeof chooseViews>} */ v) => {
        const shown = new Set([...v.sagittalT2, ...v.sagittalT1, ...v.axial].map((x) => x.instance.id));
        const extra = labelledViews(study, shown);
        if (!extra.length || !state.labels) return null;
        const g = group('Slices with labelled points', extra.map(figure));
        g.classList.add('labelled-slices');
        return g;
      };
      const figure = (/** @type {View} */ v) => {
        const img = /** @type {HTMLImageElement} */ (
          h('img', {
            alt: `${v.caption}${v.keypoints.length ? `, ${v.keypoints.length} keypoints` : ''}`,
            loading: 'lazy',
            decoding: 'async',
          })
        );
        images.push({ img, instanceId: v.instance.id });
        showImage(img, imageUrl(study.id, v.instance.id, overlayOptions()));
        return h('figure', { class: 'slice', 'data-instance-id': v.instance.id }, img, h('figcaption', {}, v.caption));
      };
      replace(
        content,
        h(
          'p',
          { class: 'muted' },
          `Project ${study.project.name} · `,
          study.series.map((/** @type {Series} */ s) => `${SERIES_TYPE_NAMES[s.type] ?? s.type} (${s.instanceCount})`).join(', '),
        ),
        srActions({ studyId: study.id, projectId: study.project.id, modelSetId: () => state.modelSetId }),
        row ? rowNote(row, openAt) : null,
        sliceViewer({
          study,
          openAt,
          onCorrected: async () =>
            (await request(QUERIES.study, { id: studyId, ...(state.modelSetId ? { modelSetId: state.modelSetId } : {}) })).study,
        }),
        h(
          'div',
          { class: 'study-layout' },
          h(
            'section',
            { class: 'panel images', 'aria-labelledby': 'images-heading' },
            h('h2', { id: 'images-heading' }, 'Images'),
            group('Sagittal T2/STIR', views.sagittalT2.map(figure)),
            group('Sagittal T1', views.sagittalT1.map(figure)),
            labelledGroup(views),
            group(
              'Axial T2 by level',
              views.axial.length
                ? views.axial.map(figure)
                : [h('p', { class: 'muted' }, 'No axial keypoints yet: run inference on this study.')],
            ),
          ),
          h(
            'section',
            { class: 'panel', 'aria-labelledby': 'predictions-heading' },
            h('h2', { id: 'predictions-heading' }, 'Predictions and labels'),
            severityLegend(),
            predictionsTable(study.predictions, study.labels),
          ),
        ),
      );
    } catch (e) {
      replace(content, h('p', { class: 'error', role: 'alert' }, `Could not load the study: ${e instanceof Error ? e.message : e}`));
    } finally {
      content.setAttribute('aria-busy', 'false');
    }
  }
  await load();
}

/**
 * Says which row the viewer was opened for and where its slice came from (or that none of its points is on a slice).
 * @param {{ condition: string, level: string }} row @param {ReturnType<typeof sliceOfRow>} at
 */
function rowNote(row, at) {
  const what = `${CONDITION_NAMES[row.condition] ?? row.condition} at ${levelName(row.level)}`;
  const where = at
    ? `the viewer opens on the slice of its ${at.from === 'label' ? 'labelled point' : 'keypoint'}.`
    : 'neither a labelled point nor a keypoint of it lies on a slice of this study.';
  return h('p', { class: 'row-focus', role: 'status' }, `Review row: ${what}; ${where}`);
}

/** @param {string} title @param {HTMLElement[]} figures */
function group(title, figures) {
  return h('div', { class: 'slice-group' }, h('h3', {}, title), h('div', { class: 'slices' }, figures));
}

function markLegend() {
  return h(
    'ul',
    { class: 'legend marks', 'aria-label': 'Image marks' },
    h('li', {}, h('span', { class: 'mark mark-model', 'aria-hidden': 'true' }), 'Model keypoint'),
    h('li', {}, h('span', { class: 'mark mark-manual', 'aria-hidden': 'true' }), 'Manual correction'),
    h('li', {}, h('span', { class: 'mark mark-label', 'aria-hidden': 'true' }), 'Labelled point'),
    h('li', {}, h('span', { class: 'mark mark-roi', 'aria-hidden': 'true' }), '50 mm ROI'),
  );
}

/** The first reason of a fallback in a line, the whole story one click away. @param {string} fallback */
function fallbackNote(fallback) {
  const headline = fallback.split(/[:;]/)[0].trim();
  return h('details', { class: 'fallback' }, h('summary', {}, `Fallback: ${headline}`), h('p', {}, fallback));
}

/**
 * @param {{ condition: string, level: string, normalMild: number, moderate: number, severe: number, severity: string, fallback: string | null }[]} predictions
 * @param {{ condition: string, level: string, severity: string }[]} labels
 */
export function predictionsTable(predictions, labels) {
  const key = (/** @type {{ condition: string, level: string }} */ r) => `${r.condition}/${r.level}`;
  const predicted = new Map(predictions.map((p) => [key(p), p]));
  const labelled = new Map(labels.map((l) => [key(l), l]));
  const severityBadge = (/** @type {string | undefined} */ s) =>
    s ? h('span', { class: `badge ${severityClass(s)}` }, SEVERITY_NAMES[s]) : h('span', { class: 'muted' }, '–');
  let agree = 0;
  let compared = 0;
  const rows = CONDITIONS.flatMap((condition) =>
    LEVELS.map((level, i) => {
      const p = predicted.get(`${condition}/${level}`);
      const l = labelled.get(`${condition}/${level}`);
      const match = p && l ? p.severity === l.severity : undefined;
      if (match !== undefined) {
        compared += 1;
        if (match) agree += 1;
      }
      return h(
        'tr',
        { class: match === false ? 'mismatch' : '' },
        i === 0 ? h('th', { scope: 'rowgroup', rowspan: String(LEVELS.length) }, CONDITION_NAMES[condition]) : null,
        h('th', { scope: 'row' }, levelName(level)),
        h(
          'td',
          { class: 'probs' },
          p
            ? [
                h(
                  'div',
                  {
                    class: 'stack small',
                    role: 'img',
                    'aria-label': `normal/mild ${fixed(p.normalMild, 2)}, moderate ${fixed(p.moderate, 2)}, severe ${fixed(p.severe, 2)}`,
                  },
                  [
                    ['NORMAL_MILD', p.normalMild],
                    ['MODERATE', p.moderate],
                    ['SEVERE', p.severe],
                  ].map(([s, v]) =>
                    h('span', { class: `seg ${severityClass(String(s))}`, style: { width: `${(Number(v) * 100).toFixed(1)}%` } }),
                  ),
                ),
                h(
                  'span',
                  { class: 'prob-text', 'aria-hidden': 'true' },
                  `${fixed(p.normalMild, 2)} · ${fixed(p.moderate, 2)} · ${fixed(p.severe, 2)}`,
                ),
              ]
            : h('span', { class: 'muted' }, 'not predicted'),
        ),
        h('td', {}, severityBadge(p?.severity), p?.fallback ? fallbackNote(p.fallback) : null),
        h('td', {}, severityBadge(l?.severity)),
        h(
          'td',
          { class: 'agree' },
          match === undefined ? '' : match ? h('span', { 'aria-label': 'agrees' }, '✓') : h('span', { 'aria-label': 'differs' }, '✗'),
        ),
      );
    }),
  );
  return h(
    'div',
    { class: 'table-scroll' },
    h(
      'table',
      { class: 'predictions' },
      h('caption', {}, compared ? `Predicted severity agrees with the label in ${agree} of ${compared} rows.` : 'No rows to compare yet.'),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Condition', 'Level', 'P(normal/mild · moderate · severe)', 'Predicted', 'Labelled', ''].map((t) =>
            h('th', { scope: 'col' }, t),
          ),
        ),
      ),
      h('tbody', {}, rows),
    ),
  );
}
