// The cohort filter form shared by the dashboard's panels: project, labelled, series types present, external ids.
// Emits a StudyFilter (the contract's input) whenever it is applied.
// @ts-check
import { QUERIES, request } from './api.js';
import { h } from './dom.js';
import { SERIES_TYPES, SERIES_TYPE_NAMES } from './vocabulary.js';

/**
 * @typedef {{ projectId?: string, labelled?: boolean, hasSeriesTypes?: string[], externalIds?: string[] }} StudyFilter
 */

/** @param {string} text @returns {string[]} ids separated by commas, spaces or new lines */
export function parseExternalIds(text) {
  return text
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** @param {HTMLFormElement} form @returns {StudyFilter} */
export function readFilter(form) {
  const data = new FormData(form);
  /** @type {StudyFilter} */
  const filter = {};
  const projectId = String(data.get('projectId') ?? '');
  if (projectId) filter.projectId = projectId;
  const labelled = String(data.get('labelled') ?? '');
  if (labelled) filter.labelled = labelled === 'yes';
  const types = data.getAll('hasSeriesTypes').map(String);
  if (types.length) filter.hasSeriesTypes = types;
  const ids = parseExternalIds(String(data.get('externalIds') ?? ''));
  if (ids.length) filter.externalIds = ids;
  return filter;
}

/** Projects to choose from: those of the visible studies (the API has no project list yet). */
async function loadProjects() {
  const data = await request(QUERIES.projectsFromStudies);
  /** @type {Map<string, { id: string, name: string }>} */
  const byId = new Map();
  for (const e of data.studies.edges) byId.set(e.node.project.id, e.node.project);
  return [...byId.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * @param {{ onApply: (filter: StudyFilter) => void, initial?: StudyFilter }} options
 * @returns {HTMLElement}
 */
export function cohortFilterPanel({ onApply, initial = {} }) {
  const projectSelect = h('select', { id: 'filter-project', name: 'projectId' }, h('option', { value: '' }, 'All projects'));
  const count = h('p', { class: 'filter-count', role: 'status', 'aria-live': 'polite' }, 'Counting studies…');
  const form = /** @type {HTMLFormElement} */ (
    h(
      'form',
      { class: 'filter-form', 'aria-label': 'Cohort filter' },
      h('div', { class: 'field' }, h('label', { for: 'filter-project' }, 'Project'), projectSelect),
      h(
        'div',
        { class: 'field' },
        h('label', { for: 'filter-labelled' }, 'Labels'),
        h(
          'select',
          { id: 'filter-labelled', name: 'labelled' },
          h('option', { value: '' }, 'Any study'),
          h('option', { value: 'yes', selected: initial.labelled === true }, 'Labelled studies'),
          h('option', { value: 'no', selected: initial.labelled === false }, 'Unlabelled studies'),
        ),
      ),
      h(
        'fieldset',
        { class: 'field' },
        h('legend', {}, 'Has series'),
        SERIES_TYPES.map((t) =>
          h(
            'label',
            { class: 'check' },
            h('input', { type: 'checkbox', name: 'hasSeriesTypes', value: t, checked: initial.hasSeriesTypes?.includes(t) ?? false }),
            SERIES_TYPE_NAMES[t],
          ),
        ),
      ),
      h(
        'div',
        { class: 'field field-wide' },
        h('label', { for: 'filter-external-ids' }, 'External study ids'),
        h('input', {
          id: 'filter-external-ids',
          name: 'externalIds',
          type: 'text',
          inputmode: 'numeric',
          placeholder: 'e.g. 4003253, 4646740',
          value: (initial.externalIds ?? []).join(', '),
          'aria-describedby': 'filter-external-ids-hint',
        }),
        h('small', { id: 'filter-external-ids-hint' }, 'Separated by commas or spaces; empty for all.'),
      ),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'submit', class: 'primary' }, 'Apply filter'),
        h('button', { type: 'reset' }, 'Clear'),
      ),
    )
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    apply();
  });
  form.addEventListener('reset', () => setTimeout(apply));

  async function apply() {
    const filter = readFilter(form);
    onApply(filter);
    count.textContent = 'Counting studies…';
    try {
      const data = await request(QUERIES.studyCount, { filter });
      const n = data.studies.totalCount;
      count.textContent = `${n} ${n === 1 ? 'study matches' : 'studies match'} this filter.`;
    } catch (e) {
      count.textContent = `Could not count studies: ${e instanceof Error ? e.message : e}`;
    }
  }

  loadProjects()
    .then((projects) => {
      for (const p of projects) projectSelect.append(h('option', { value: p.id, selected: p.id === initial.projectId }, p.name));
    })
    .catch(() => undefined)
    .finally(apply);

  return h('section', { class: 'panel', 'aria-labelledby': 'cohort-heading' }, h('h2', { id: 'cohort-heading' }, 'Cohort'), form, count);
}
