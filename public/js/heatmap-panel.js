// The cohort severity heatmap: 5 conditions x 5 levels, each cell the fractions of the three severities as a
// stacked bar, from predictions (argmax of a model set) or from labels; optionally one heatmap per group of a
// stratifier (cohortSummary groupBy), groups below the minimum size shown as suppressed, as the API answers them.
// @ts-check
import { QUERIES, request } from './api.js';
import { cohortCitation } from './cohorts-panel.js';
import { h, percent, replace } from './dom.js';
import { CONDITIONS, CONDITION_NAMES, LEVELS, SEVERITIES, SEVERITY_NAMES, levelName, severityClass } from './vocabulary.js';

/**
 * @typedef {{ condition: string, level: string, severity: string, count: number, fraction: number }} Cell
 */

/** @param {{ studyCount: number, cells: Cell[] }} summary @param {string} caption */
export function heatmapTable(summary, caption) {
  /** @type {Map<string, Cell>} */
  const byKey = new Map(summary.cells.map((c) => [`${c.condition}/${c.level}/${c.severity}`, c]));
  const cell = (/** @type {string} */ condition, /** @type {string} */ level) => {
    const parts = SEVERITIES.map(
      (s) => byKey.get(`${condition}/${level}/${s}`) ?? { condition, level, severity: s, count: 0, fraction: 0 },
    );
    const known = parts.reduce((n, p) => n + p.count, 0);
    const description = parts.map((p) => `${SEVERITY_NAMES[p.severity]} ${percent(p.fraction)} (${p.count})`).join(', ');
    // The dominant non-normal share tints the cell, so severe hot spots stand out before reading the bars.
    const tint = Math.min(1, (parts[1].fraction + 2 * parts[2].fraction) / 1.2);
    return h(
      'td',
      { class: 'heat-cell', title: description, style: { '--tint': tint.toFixed(3) }, 'data-condition': condition, 'data-level': level },
      h(
        'div',
        { class: 'stack', role: 'img', 'aria-label': `${CONDITION_NAMES[condition]} at ${levelName(level)}: ${description}` },
        parts.map((p) => h('span', { class: `seg ${severityClass(p.severity)}`, style: { width: `${(p.fraction * 100).toFixed(2)}%` } })),
      ),
      h(
        'div',
        { class: 'stack-text', 'aria-hidden': 'true' },
        known === 0 ? 'no data' : parts.map((p) => h('span', { class: severityClass(p.severity) }, percent(p.fraction))),
      ),
    );
  };
  return h(
    'table',
    { class: 'heatmap' },
    h('caption', {}, caption),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('td', {}),
        LEVELS.map((l) => h('th', { scope: 'col' }, levelName(l))),
      ),
    ),
    h(
      'tbody',
      {},
      CONDITIONS.map((c) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, CONDITION_NAMES[c]),
          LEVELS.map((l) => cell(c, l)),
        ),
      ),
    ),
  );
}

/** @type {Record<string, string>} */
export const STRATIFIER_NAMES = { SEX: 'Sex', AGE_BAND: 'Age band', MANUFACTURER: 'Manufacturer', FIELD_STRENGTH: 'Field strength' };

/**
 * One heatmap per group; a suppressed group (small-cell suppression, for non-administrators) shows no numbers,
 * only that it was withheld and why.
 * @param {{ grouping: { minGroupSize: number, suppressed: boolean, suppressedGroups: number },
 *   groups: { stratum: { label: string, studyCount: number | null, suppressed: boolean }, cells: Cell[] }[] }} summary
 * @param {string} by the stratifier's name
 */
export function groupedHeatmaps(summary, by) {
  const { minGroupSize, suppressedGroups } = summary.grouping;
  const note = suppressedGroups
    ? `${suppressedGroups} ${suppressedGroups === 1 ? 'group has' : 'groups have'} fewer than ${minGroupSize} studies and ${suppressedGroups === 1 ? 'is' : 'are'} suppressed (small-cell suppression): no counts are shown for ${suppressedGroups === 1 ? 'it' : 'them'}.`
    : `Every group has at least ${minGroupSize} studies; smaller ones would be suppressed.`;
  return h(
    'div',
    { class: 'heatmap-groups-wrap' },
    h('p', { class: 'suppression-note muted' }, note),
    h(
      'div',
      { class: 'heatmap-groups' },
      summary.groups.map((g) =>
        g.stratum.suppressed
          ? h(
              'figure',
              { class: 'heatmap-group suppressed', 'data-stratum': g.stratum.label },
              h('figcaption', {}, h('strong', {}, `${by} ${g.stratum.label}`), ': suppressed'),
              h('p', { class: 'muted' }, `Fewer than ${minGroupSize} studies: withheld.`),
            )
          : h(
              'figure',
              { class: 'heatmap-group', 'data-stratum': g.stratum.label },
              heatmapTable(
                { studyCount: g.stratum.studyCount ?? 0, cells: g.cells },
                `${by} ${g.stratum.label}: ${g.stratum.studyCount} ${g.stratum.studyCount === 1 ? 'study' : 'studies'}`,
              ),
            ),
      ),
    ),
  );
}

export function severityLegend() {
  return h(
    'ul',
    { class: 'legend', 'aria-label': 'Severity colours' },
    SEVERITIES.map((s) => h('li', {}, h('span', { class: `swatch ${severityClass(s)}`, 'aria-hidden': 'true' }), SEVERITY_NAMES[s])),
  );
}

/**
 * @param {{ filter: () => Record<string, unknown>, modelSets: () => Promise<{ id: string, name: string, isActive: boolean }[]> }} options
 * @returns {{ element: HTMLElement, refresh: () => Promise<void> }}
 */
export function heatmapPanel({ filter, modelSets }) {
  const body = h('div', { class: 'heatmap-body', 'aria-live': 'polite', 'aria-busy': 'true' }, 'Loading…');
  const modelSelect = /** @type {HTMLSelectElement} */ (h('select', { id: 'heatmap-model-set', onchange: () => refresh() }));
  const sourceRadios = ['PREDICTED', 'LABELLED'].map((value) =>
    h(
      'label',
      { class: 'toggle' },
      h('input', { type: 'radio', name: 'heatmap-source', value, checked: value === 'PREDICTED', onchange: () => refresh() }),
      value === 'PREDICTED' ? 'Predicted' : 'Labelled',
    ),
  );
  const splitSelect = /** @type {HTMLSelectElement} */ (
    h(
      'select',
      { id: 'heatmap-split', onchange: () => refresh() },
      h('option', { value: '' }, 'Whole cohort'),
      Object.entries(STRATIFIER_NAMES).map(([value, name]) => h('option', { value }, name)),
    )
  );
  const controls = h(
    'div',
    { class: 'controls' },
    h('fieldset', { class: 'segmented' }, h('legend', {}, 'Source'), sourceRadios),
    h('div', { class: 'field' }, h('label', { for: 'heatmap-model-set' }, 'Model set'), modelSelect),
    h('div', { class: 'field' }, h('label', { for: 'heatmap-split' }, 'Split by'), splitSelect),
  );
  const element = h(
    'section',
    { class: 'panel heatmap-panel', 'aria-labelledby': 'heatmap-heading' },
    h('h2', { id: 'heatmap-heading' }, 'Cohort severity'),
    controls,
    severityLegend(),
    body,
  );

  /** Re-fills the model-set choice when the registered sets changed (a first run registers one), keeping the choice. */
  let shownSets = '';
  /** @param {{ id: string, name: string, isActive: boolean }[]} sets */
  function fillSets(sets) {
    const key = sets.map((s) => `${s.id}:${s.isActive}`).join(',');
    if (key === shownSets) return;
    shownSets = key;
    const chosen = modelSelect.value;
    modelSelect.replaceChildren();
    if (!sets.some((s) => s.isActive)) modelSelect.append(h('option', { value: '' }, 'Active set'));
    for (const s of sets)
      modelSelect.append(
        h('option', { value: s.id, selected: chosen ? s.id === chosen : s.isActive }, s.isActive ? `${s.name} (active)` : s.name),
      );
  }

  let generation = 0;
  async function refresh() {
    const mine = ++generation;
    /** @type {{ id: string, name: string, isActive: boolean }[]} */
    const sets = await modelSets().catch(() => []);
    if (mine !== generation) return;
    fillSets(sets);
    const source =
      /** @type {HTMLInputElement | null} */ (element.querySelector('input[name="heatmap-source"]:checked'))?.value ?? 'PREDICTED';
    modelSelect.disabled = source === 'LABELLED';
    // Before the first run there is nothing to predict with: say what to do instead of showing an error.
    if (source === 'PREDICTED' && !modelSelect.value && !sets.some((s) => s.isActive)) {
      replace(
        body,
        h(
          'p',
          { class: 'empty' },
          sets.length
            ? 'No model set is active yet: activate one under Model sets below, or pick one above.'
            : 'No predictions yet: run inference on the cohort (Run inference above; the first run registers the bundled demo set) and this heatmap fills in. The Labelled source shows the labels now.',
        ),
      );
      body.setAttribute('aria-busy', 'false');
      return;
    }
    body.setAttribute('aria-busy', 'true');
    try {
      const variables = {
        filter: filter(),
        source,
        ...(modelSelect.value && source === 'PREDICTED' ? { modelSetId: modelSelect.value } : {}),
      };
      const by = splitSelect.value;
      const { cohortSummary } = by
        ? await request(QUERIES.cohortSummaryGrouped, { ...variables, groupBy: [by] })
        : await request(QUERIES.cohortSummary, variables);
      if (mine !== generation) return; // a newer refresh superseded this one
      const what = source === 'PREDICTED' ? `predicted by ${modelSelect.selectedOptions[0]?.textContent ?? 'the active set'}` : 'labelled';
      const n = cohortSummary.studyCount;
      const caption = `Severity ${what}, over ${n} ${n === 1 ? 'study' : 'studies'}`;
      replace(
        body,
        cohortCitation(cohortSummary.cohort),
        by
          ? [
              h('p', { class: 'heatmap-caption' }, `${caption}, by ${STRATIFIER_NAMES[by].toLowerCase()}`),
              groupedHeatmaps(cohortSummary, STRATIFIER_NAMES[by]),
            ]
          : heatmapTable(cohortSummary, caption),
      );
    } catch (e) {
      if (mine === generation)
        replace(
          body,
          h('p', { class: 'error', role: 'alert' }, `Could not load the cohort summary: ${e instanceof Error ? e.message : e}`),
        );
    } finally {
      if (mine === generation) body.setAttribute('aria-busy', 'false');
    }
  }
  return { element, refresh };
}
