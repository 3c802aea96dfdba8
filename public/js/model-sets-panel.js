// Registered model sets, the active one marked, each scored with the competition metric on the cohort's labelled
// studies (lower is better), beside the cross-validated metric recorded when it was trained.
// @ts-check
import { ApiError, QUERIES, request } from './api.js';
import { announce, dateTime, fixed, h, replace } from './dom.js';

/**
 * @param {{ filter: () => Record<string, unknown>, modelSets: (fresh?: boolean) => Promise<any[]>, onActivated: () => void }} options
 * @returns {{ element: HTMLElement, refresh: () => Promise<void> }}
 */
export function modelSetsPanel({ filter, modelSets, onActivated }) {
  const body = h('div', { 'aria-live': 'polite', 'aria-busy': 'true' }, 'Loading…');
  const element = h(
    'section',
    { class: 'panel', 'aria-labelledby': 'model-sets-heading' },
    h('h2', { id: 'model-sets-heading' }, 'Model sets'),
    h(
      'p',
      { class: 'muted' },
      'Score: the RSNA 2024 metric (sample-weighted log loss, lower is better) on the labelled studies of the cohort.',
    ),
    body,
  );

  let generation = 0;
  async function refresh(fresh = false) {
    const mine = ++generation;
    body.setAttribute('aria-busy', 'true');
    try {
      const sets = await modelSets(fresh);
      const f = filter();
      const scores = await Promise.all(
        sets.map((s) =>
          request(QUERIES.evaluation, { filter: f, modelSetId: s.id })
            .then((d) => d.evaluation)
            .catch((/** @type {unknown} */ e) => ({ error: e instanceof Error ? e.message : String(e) })),
        ),
      );
      if (mine !== generation) return;
      if (sets.length === 0) {
        replace(body, h('p', { class: 'empty' }, 'No model set is registered yet; the first inference registers the bundled demo set.'));
        return;
      }
      replace(body, h('div', { class: 'table-scroll' }, table(sets, scores)));
    } catch (e) {
      if (mine === generation)
        replace(body, h('p', { class: 'error', role: 'alert' }, `Could not load model sets: ${e instanceof Error ? e.message : e}`));
    } finally {
      if (mine === generation) body.setAttribute('aria-busy', 'false');
    }
  }

  /** @param {any[]} sets @param {any[]} scores */
  function table(sets, scores) {
    return h(
      'table',
      { class: 'model-sets' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          [
            'Model set',
            'Created',
            'CV metric',
            'Score',
            'Spinal',
            'Foraminal',
            'Subarticular',
            'Any severe spinal',
            'Studies / rows',
            '',
          ].map((t, k) => h('th', { scope: 'col', class: k >= 3 && k <= 8 ? 'num' : null }, t)),
        ),
      ),
      h(
        'tbody',
        {},
        sets.map((s, i) => {
          const e = scores[i];
          const scored = e && !e.error && e.score !== null && e.score !== undefined;
          return h(
            'tr',
            { class: s.isActive ? 'active' : '' },
            h('th', { scope: 'row' }, s.name, s.isActive ? h('span', { class: 'badge status-completed' }, 'active') : null),
            h('td', {}, dateTime(s.createdAt)),
            h('td', {}, cvMetric(s.metrics)),
            h(
              'td',
              { class: 'num strong' },
              scored
                ? fixed(e.score)
                : h('span', { class: 'muted', title: e?.error ?? '' }, e?.error ? 'error' : 'no labelled predictions'),
            ),
            ['spinal', 'foraminal', 'subarticular', 'anySevereSpinal'].map((k) => h('td', { class: 'num' }, scored ? fixed(e[k]) : '–')),
            h('td', { class: 'num' }, e && !e.error ? `${e.studyCount} / ${e.rowCount}` : '–'),
            h('td', {}, s.isActive ? null : h('button', { type: 'button', class: 'small', onclick: () => activate(s) }, 'Activate')),
          );
        }),
      ),
    );
  }

  /** @param {{ id: string, name: string }} set */
  async function activate(set) {
    try {
      await request(QUERIES.activateModelSet, { id: set.id });
      announce(`Model set ${set.name} is now active`);
      onActivated();
      await refresh(true);
    } catch (e) {
      announce(`Could not activate ${set.name}: ${e instanceof ApiError ? e.message : e}`);
    }
  }

  return { element, refresh: () => refresh(false) };
}

/**
 * The headline number of a set's training metrics: the cross-validated competition metric of the classifiers
 * (`cv.classifiers`: the ensemble's, else the split or global models'), as the trainer's run summary records it for
 * sets trained here and for bundled sets with a training-summary.json; older flat shapes by their known names.
 * Other numbers (seed, study counts) are not a metric and are never shown as one.
 * @param {any} metrics
 */
export function cvMetric(metrics) {
  if (!metrics || typeof metrics !== 'object') return '–';
  const classifiers = metrics.cv?.classifiers;
  for (const kind of ['ensemble', 'split', 'global']) {
    const score = classifiers?.[kind]?.score;
    if (typeof score === 'number') {
      const rows = classifiers[kind].rows;
      return h(
        'span',
        { title: `${kind} models, cross-validated${typeof rows === 'number' ? ` on ${rows} rows` : ''}` },
        `${fixed(score)} (${kind})`,
      );
    }
  }
  for (const key of ['cvScore', 'cv_score', 'score', 'oofScore', 'oof_score']) {
    if (typeof metrics[key] === 'number') return `${fixed(metrics[key])}`;
  }
  return '–';
}
