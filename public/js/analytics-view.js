// Research analytics (#/analytics): a comparison of two model sets (forest plot of b - a with its bootstrap
// interval), a model set's agreement with the labels (confusion matrices and reliability diagrams per condition) and
// the review queue, whose rows open the study viewer at the row's slice. Every part reads the dashboard's filter in
// use (a saved cohort picked there included: the answers then cite it by its hash). Plots are SVG drawn here (no
// library, no CDN).
// @ts-check
import { request } from './api.js';
import { h, replace } from './dom.js';
import { cohortCitation } from './cohorts-panel.js';

const SVG = 'http://www.w3.org/2000/svg';
const SEVERITY_NAMES = ['Normal/mild', 'Moderate', 'Severe'];
const CLASS_COLOURS = ['#2e7d32', '#ef6c00', '#c62828'];

/** @param {string} tag @param {Record<string, string | number>} attrs @param {...(Node | string)} children */
function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.append(c);
  return el;
}

const fmt = (/** @type {number | null | undefined} */ v, digits = 3) => (v === null || v === undefined ? '—' : v.toFixed(digits));
const pretty = (/** @type {string} */ v) => v.toLowerCase().replace(/_/g, ' ');

/**
 * The forest plot: one row per metric part, the interval as a line, the difference as a dot, zero as a dashed line.
 * @param {{ part: string, difference: number | null, lower: number | null, upper: number | null }[]} parts
 */
export function forestPlot(parts) {
  const width = 560;
  const rowH = 34;
  const left = 170;
  const right = 30;
  const height = rowH * parts.length + 40;
  const values = parts.flatMap((p) => [p.lower, p.upper, p.difference]).filter((v) => v !== null);
  const span = Math.max(1e-6, ...values.map((v) => Math.abs(/** @type {number} */ (v))));
  const x = (/** @type {number} */ v) => left + ((v + span) / (2 * span)) * (width - left - right);
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', class: 'forest-plot' });
  svg.append(s('title', {}, 'Difference b - a per metric part with its 95 % bootstrap interval (negative: B better)'));
  svg.append(s('line', { x1: x(0), x2: x(0), y1: 4, y2: height - 28, stroke: '#888', 'stroke-dasharray': '4 3' }));
  parts.forEach((p, i) => {
    const y = 20 + i * rowH;
    svg.append(s('text', { x: 4, y: y + 4, 'font-size': 13 }, pretty(p.part)));
    if (p.lower !== null && p.upper !== null)
      svg.append(s('line', { x1: x(p.lower), x2: x(p.upper), y1: y, y2: y, stroke: '#1565c0', 'stroke-width': 3, class: 'interval' }));
    if (p.difference !== null) svg.append(s('circle', { cx: x(p.difference), cy: y, r: 5, fill: '#0d47a1', class: 'estimate' }));
  });
  const axisY = height - 12;
  for (const v of [-span, 0, span]) svg.append(s('text', { x: x(v), y: axisY, 'font-size': 11, 'text-anchor': 'middle' }, v.toFixed(3)));
  return svg;
}

/**
 * A reliability diagram: per class, mean predicted probability against the observed share, over the diagonal.
 * @param {{ severity: string, bins: { meanPredicted: number, observed: number, count: number }[] }[]} curves
 */
export function reliabilityDiagram(curves) {
  const size = 200;
  const pad = 24;
  const p = (/** @type {number} */ v) => pad + v * (size - 2 * pad);
  const q = (/** @type {number} */ v) => size - pad - v * (size - 2 * pad);
  const svg = s('svg', { viewBox: `0 0 ${size} ${size}`, width: size, height: size, role: 'img', class: 'reliability' });
  svg.append(s('title', {}, 'Reliability: mean predicted probability (x) against observed share (y), per class'));
  svg.append(s('rect', { x: pad, y: pad, width: size - 2 * pad, height: size - 2 * pad, fill: 'none', stroke: '#ccc' }));
  svg.append(s('line', { x1: p(0), y1: q(0), x2: p(1), y2: q(1), stroke: '#aaa', 'stroke-dasharray': '3 3' }));
  curves.forEach((c, k) => {
    const points = c.bins.map((b) => `${p(b.meanPredicted).toFixed(1)},${q(b.observed).toFixed(1)}`).join(' ');
    if (c.bins.length) svg.append(s('polyline', { points, fill: 'none', stroke: CLASS_COLOURS[k], 'stroke-width': 2, class: 'curve' }));
  });
  return svg;
}

/** @param {number[][]} m */
function confusionTable(m) {
  const max = Math.max(1, ...m.flat());
  return h(
    'table',
    { class: 'confusion' },
    h('caption', {}, 'Rows: label; columns: prediction'),
    h('tr', {}, h('th', {}, ''), ...SEVERITY_NAMES.map((n) => h('th', { scope: 'col' }, n))),
    ...m.map((row, i) =>
      h(
        'tr',
        {},
        h('th', { scope: 'row' }, SEVERITY_NAMES[i]),
        ...row.map((v) => h('td', { style: { background: `rgba(21, 101, 192, ${(0.6 * v) / max})` } }, String(v))),
      ),
    ),
  );
}

/** @typedef {() => Record<string, unknown>} FilterOf */

/** @param {any[]} sets @param {FilterOf} filter */
function comparisonSection(sets, filter) {
  const pick = (/** @type {string} */ name, /** @type {number} */ index) =>
    h(
      'select',
      { name, 'aria-label': `Model set ${name.toUpperCase()}` },
      ...sets.map((m, i) => h('option', { value: m.id, selected: i === index }, m.name)),
    );
  const a = pick('a', 0);
  const b = pick('b', Math.min(1, sets.length - 1));
  const out = h('div', { class: 'comparison-result' });
  const run = async () => {
    replace(out, h('p', {}, 'Resampling…'));
    try {
      const d = await request(
        `query Compare($a: ID!, $b: ID!, $f: StudyFilter) { compareModelSets(a: $a, b: $b, filter: $f, bootstrap: 2000) {
          studyCount seed parts { part a b difference lower upper bBetterShare } cohort { name version hash } } }`,
        { a: /** @type {HTMLSelectElement} */ (a).value, b: /** @type {HTMLSelectElement} */ (b).value, f: filter() },
      );
      const c = d.compareModelSets;
      replace(
        out,
        h('p', {}, `${c.studyCount} studies, 2,000 paired resamples (seed ${c.seed}); loss: lower is better.`),
        cohortCitation(c.cohort),
        forestPlot(c.parts),
        h(
          'table',
          { class: 'comparison-table' },
          h('tr', {}, ...['part', 'A', 'B', 'B - A', '95 % interval', 'B better in'].map((t) => h('th', { scope: 'col' }, t))),
          ...c.parts.map((/** @type {any} */ p) =>
            h(
              'tr',
              {},
              h('td', {}, pretty(p.part)),
              h('td', {}, fmt(p.a)),
              h('td', {}, fmt(p.b)),
              h('td', {}, fmt(p.difference)),
              h('td', {}, `${fmt(p.lower)} to ${fmt(p.upper)}`),
              h('td', {}, p.bBetterShare === null ? '—' : `${(100 * p.bBetterShare).toFixed(1)} %`),
            ),
          ),
        ),
      );
    } catch (e) {
      replace(out, h('p', { class: 'error', role: 'alert' }, /** @type {Error} */ (e).message));
    }
  };
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'compare-heading', id: 'comparison' },
    h('h2', { id: 'compare-heading' }, 'Compare model sets'),
    h(
      'div',
      { class: 'row' },
      h('label', {}, 'A ', a),
      h('label', {}, 'B ', b),
      h('button', { type: 'button', class: 'primary', onclick: run }, 'Compare'),
    ),
    out,
  );
}

/** @param {any[]} sets @param {FilterOf} filter */
function agreementSection(sets, filter) {
  const pick = h('select', { 'aria-label': 'Model set' }, ...sets.map((m) => h('option', { value: m.id, selected: m.isActive }, m.name)));
  const out = h('div', { class: 'agreement-result' });
  const run = async () => {
    replace(out, h('p', {}, 'Computing…'));
    try {
      const d = await request(
        `query Agreement($m: ID, $f: StudyFilter) { agreement(modelSetId: $m, filter: $f) { studyCount rowCount cohort { name version hash } groups { condition level rows confusion kappa { value reason } severeAuc { value reason } ece { value reason }
          severe { sensitivity { value } specificity { value } } reliability { severity bins { meanPredicted observed count } } } } }`,
        { m: /** @type {HTMLSelectElement} */ (pick).value, f: filter() },
      );
      const pooled = d.agreement.groups.filter((/** @type {any} */ g) => g.level === null);
      const stat = (/** @type {{ value: number | null, reason?: string | null }} */ st) =>
        st.value === null ? `— (${st.reason})` : st.value.toFixed(3);
      replace(
        out,
        h('p', {}, `${d.agreement.studyCount} studies, ${d.agreement.rowCount} labelled rows with a prediction.`),
        cohortCitation(d.agreement.cohort),
        h(
          'div',
          { class: 'agreement-grid' },
          ...pooled.map((/** @type {any} */ g) =>
            h(
              'figure',
              { class: 'agreement-card' },
              h('figcaption', {}, h('strong', {}, pretty(g.condition)), ` (${g.rows} rows, all levels)`),
              confusionTable(g.confusion),
              reliabilityDiagram(g.reliability),
              h(
                'dl',
                {},
                h('dt', {}, 'Quadratic kappa'),
                h('dd', {}, stat(g.kappa)),
                h('dt', {}, 'Severe AUC'),
                h('dd', {}, stat(g.severeAuc)),
                h('dt', {}, 'ECE'),
                h('dd', {}, stat(g.ece)),
                h('dt', {}, 'Severe sensitivity / specificity'),
                h('dd', {}, `${stat(g.severe.sensitivity)} / ${stat(g.severe.specificity)}`),
              ),
            ),
          ),
        ),
        h('p', { class: 'legend' }, ...SEVERITY_NAMES.map((n, k) => h('span', { style: { color: CLASS_COLOURS[k] } }, `■ ${n} `))),
      );
    } catch (e) {
      replace(out, h('p', { class: 'error', role: 'alert' }, /** @type {Error} */ (e).message));
    }
  };
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'agreement-heading', id: 'agreement' },
    h('h2', { id: 'agreement-heading' }, 'Agreement with the labels'),
    h(
      'div',
      { class: 'row' },
      h('label', {}, 'Model set ', pick),
      h('button', { type: 'button', class: 'primary', onclick: run }, 'Show agreement'),
    ),
    out,
  );
}

/** @param {FilterOf} filter */
function reviewSection(filter) {
  const order = h(
    'select',
    { 'aria-label': 'Order' },
    ...['UNCERTAINTY', 'DISAGREEMENT', 'MEMBER_SPREAD'].map((o) => h('option', { value: o }, pretty(o))),
  );
  const out = h('div', { class: 'review-result' });
  const load = async () => {
    try {
      const d = await request(
        `query Review($o: ReviewOrder, $f: StudyFilter) { reviewQueue(order: $o, filter: $f, first: 25) {
          edges { node { studyId externalId condition level score predicted label } } } }`,
        { o: /** @type {HTMLSelectElement} */ (order).value, f: filter() },
      );
      replace(
        out,
        h(
          'table',
          { class: 'review-queue' },
          h('tr', {}, ...['study', 'condition', 'level', 'score', 'predicted', 'label'].map((t) => h('th', { scope: 'col' }, t))),
          ...d.reviewQueue.edges.map((/** @type {any} */ { node }) => {
            // The study viewer opens at the row's slice (row-slice.js reads condition and level from the link).
            const href = `#/studies/${encodeURIComponent(node.studyId)}?condition=${node.condition}&level=${node.level}`;
            return h(
              'tr',
              {
                class: 'review-row',
                title: "Open the study viewer at this row's slice",
                onclick: (/** @type {MouseEvent} */ e) => {
                  if (!(e.target instanceof HTMLAnchorElement)) location.hash = href;
                },
              },
              h('td', {}, h('a', { href }, node.externalId)),
              h('td', {}, pretty(node.condition)),
              h('td', {}, node.level.replace('_', '/')),
              h('td', {}, fmt(node.score)),
              h('td', {}, pretty(node.predicted)),
              h('td', {}, node.label ? pretty(node.label) : '—'),
            );
          }),
        ),
      );
    } catch (e) {
      replace(out, h('p', { class: 'error', role: 'alert' }, /** @type {Error} */ (e).message));
    }
  };
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'review-heading', id: 'review' },
    h('h2', { id: 'review-heading' }, 'Review queue'),
    h(
      'div',
      { class: 'row' },
      h('label', {}, 'Order ', order),
      h('button', { type: 'button', class: 'primary', onclick: load }, 'Load queue'),
    ),
    out,
  );
}

/** @param {HTMLElement} main @param {FilterOf} filter the dashboard's filter in use */
export async function renderAnalyticsView(main, filter) {
  document.title = 'Analytics · spinegraph';
  const { modelSets } = await request('query AnalyticsSets { modelSets { id name isActive } }');
  replace(
    main,
    h('p', {}, h('a', { href: '#/' }, '← Dashboard')),
    h('h1', {}, 'Research analytics'),
    h('p', { class: 'muted analytics-filter' }, filterNote(filter())),
    comparisonSection(modelSets, filter),
    agreementSection(modelSets, filter),
    reviewSection(filter),
  );
}

/** Which studies the answers below are over, in a line. @param {Record<string, unknown>} f */
function filterNote(f) {
  if (f.cohortId) return 'Over the saved cohort picked on the dashboard (its name and hash are shown with each answer).';
  return Object.keys(f).length ? "Over the dashboard's cohort filter." : 'Over every study you can see (no filter on the dashboard).';
}
