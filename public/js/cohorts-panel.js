// Saved cohorts on the dashboard: save the filter in use under a name (saving a name again makes its next version),
// and pick a saved cohort and version, which then selects the studies of every panel and of #/analytics through
// filter.cohortId. A saved cohort is a frozen list of studies, so while one is in use it is the whole filter.
// @ts-check
import { request } from './api.js';
import { errorText, writableProjects } from './data-panel.js';
import { h, replace } from './dom.js';

export const COHORT_QUERIES = {
  cohorts: `query SavedCohorts { cohorts { id projectId name versions { version description studyCount hash createdBy createdAt } } }`,
  save: `mutation SaveCohort($input: SaveCohortInput!) { saveCohort(input: $input) { id name latest { version studyCount hash } } }`,
};

/**
 * @typedef {{ version: number, description: string | null, studyCount: number, hash: string, createdBy: string, createdAt: string }} Version
 * @typedef {{ id: string, projectId: string, name: string, versions: Version[] }} Cohort
 * @typedef {{ cohortId: string, cohortVersion?: number }} CohortChoice
 */

/** The first 12 hex digits of a hash: enough to tell versions apart on screen; the full hash is in the title. */
export const shortHash = (/** @type {string} */ hash) => `sha256 ${hash.slice(0, 12)}…`;

/** The saved cohort an answer was computed over, cited by its hash. @param {{ name: string, version: number, hash: string } | null} cohort */
export function cohortCitation(cohort) {
  return cohort
    ? h(
        'p',
        { class: 'cohort-citation' },
        `Saved cohort ${cohort.name}, version ${cohort.version}, `,
        h('code', { title: cohort.hash }, `sha256 ${cohort.hash}`),
      )
    : null;
}

/**
 * @param {{
 *   filter: () => Record<string, unknown>,
 *   chosen: () => CohortChoice | null,
 *   onPick: (choice: CohortChoice | null) => void,
 * }} options  filter: the filter in use (what "Save" freezes); chosen: the cohort in use, if any; onPick: use a
 *   cohort (or, with null, go back to the cohort form's filter)
 * @returns {HTMLElement}
 */
export function cohortsPanel({ filter, chosen, onPick }) {
  const projectSelect = /** @type {HTMLSelectElement} */ (h('select', { id: 'cohort-save-project', name: 'projectId', required: true }));
  const nameInput = /** @type {HTMLInputElement} */ (
    h('input', { id: 'cohort-save-name', name: 'name', type: 'text', required: true, maxlength: '200', autocomplete: 'off' })
  );
  const descriptionInput = /** @type {HTMLTextAreaElement} */ (
    h('textarea', { id: 'cohort-save-description', name: 'description', rows: '2', maxlength: '2000' })
  );
  const saveStatus = h('p', { class: 'form-status', role: 'status', 'aria-live': 'polite' });
  const cohortSelect = /** @type {HTMLSelectElement} */ (h('select', { id: 'cohort-pick', onchange: () => fillVersions() }));
  const versionSelect = /** @type {HTMLSelectElement} */ (h('select', { id: 'cohort-pick-version' }));
  const inUse = h('p', { class: 'cohort-in-use', role: 'status', 'aria-live': 'polite' });
  const useButton = /** @type {HTMLButtonElement} */ (
    h('button', { type: 'button', class: 'primary', onclick: () => use() }, 'Use cohort')
  );
  const stopButton = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', onclick: () => stop() }, 'Stop using'));

  /** @type {Cohort[]} */
  let cohorts = [];

  function fillVersions() {
    const cohort = cohorts.find((c) => c.id === cohortSelect.value);
    versionSelect.replaceChildren(
      h('option', { value: '' }, cohort ? `Latest (version ${cohort.versions[0].version})` : '—'),
      ...(cohort?.versions ?? []).map((v) =>
        h('option', { value: String(v.version) }, `Version ${v.version}: ${v.studyCount} studies, ${shortHash(v.hash)}`),
      ),
    );
    useButton.disabled = !cohort;
  }

  function showInUse() {
    const choice = chosen();
    stopButton.disabled = !choice;
    if (!choice) {
      inUse.textContent = 'No saved cohort in use: the panels follow the cohort filter above.';
      return;
    }
    const cohort = cohorts.find((c) => c.id === choice.cohortId);
    const version = cohort?.versions.find((v) => v.version === choice.cohortVersion) ?? cohort?.versions[0];
    replace(
      inUse,
      'In use: ',
      h('strong', {}, cohort?.name ?? choice.cohortId),
      version
        ? h(
            'span',
            {},
            ` version ${version.version}${choice.cohortVersion ? '' : ' (latest)'}, ${version.studyCount} studies, `,
            h('code', { title: version.hash }, shortHash(version.hash)),
          )
        : '',
      '. The cohort filter above does not apply while it is in use.',
    );
  }

  /** @param {string} [select] the cohort to show chosen after the reload */
  async function reload(select) {
    try {
      cohorts = (await request(COHORT_QUERIES.cohorts)).cohorts;
    } catch (e) {
      replace(inUse, h('span', { class: 'error', role: 'alert' }, `Could not list the saved cohorts: ${errorText(e)}`));
      return;
    }
    const keep = select ?? (cohortSelect.value || chosen()?.cohortId);
    cohortSelect.replaceChildren(
      ...(cohorts.length ? [] : [h('option', { value: '' }, 'No saved cohort yet')]),
      ...cohorts.map((c) =>
        h(
          'option',
          { value: c.id, selected: c.id === keep },
          `${c.name} (${c.versions.length} version${c.versions.length === 1 ? '' : 's'})`,
        ),
      ),
    );
    fillVersions();
    showInUse();
  }

  function use() {
    if (!cohortSelect.value) return;
    onPick({ cohortId: cohortSelect.value, ...(versionSelect.value ? { cohortVersion: Number(versionSelect.value) } : {}) });
    showInUse();
  }

  function stop() {
    onPick(null);
    showInUse();
  }

  async function save(/** @type {SubmitEvent} */ e) {
    e.preventDefault();
    saveStatus.textContent = 'Saving…';
    try {
      const input = {
        projectId: projectSelect.value,
        name: nameInput.value.trim(),
        ...(descriptionInput.value.trim() ? { description: descriptionInput.value.trim() } : {}),
        filter: filter(),
      };
      const { saveCohort } = await request(COHORT_QUERIES.save, { input });
      const v = saveCohort.latest;
      replace(
        saveStatus,
        `Saved "${saveCohort.name}" version ${v.version}: ${v.studyCount} studies, `,
        h('code', { title: v.hash }, shortHash(v.hash)),
        '.',
      );
      await reload(saveCohort.id);
    } catch (err) {
      replace(saveStatus, h('span', { class: 'error', role: 'alert' }, `Could not save the cohort: ${errorText(err)}`));
    }
  }

  writableProjects()
    .then((projects) => {
      const wanted = filter().projectId;
      projectSelect.replaceChildren(...projects.map((p) => h('option', { value: p.id, selected: p.id === wanted }, p.name)));
    })
    .catch(() => undefined);
  void reload(chosen()?.cohortId);

  return h(
    'section',
    { class: 'panel cohorts-panel', 'aria-labelledby': 'cohorts-heading' },
    h('h2', { id: 'cohorts-heading' }, 'Saved cohorts'),
    h(
      'form',
      { class: 'cohort-save', 'aria-label': 'Save the filter as a cohort', onsubmit: save },
      h('div', { class: 'field' }, h('label', { for: 'cohort-save-project' }, 'Project'), projectSelect),
      h('div', { class: 'field' }, h('label', { for: 'cohort-save-name' }, 'Name'), nameInput),
      h('div', { class: 'field field-wide' }, h('label', { for: 'cohort-save-description' }, 'Description'), descriptionInput),
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Save the filter as a cohort')),
      saveStatus,
    ),
    h(
      'div',
      { class: 'cohort-pick row' },
      h('div', { class: 'field' }, h('label', { for: 'cohort-pick' }, 'Saved cohort'), cohortSelect),
      h('div', { class: 'field' }, h('label', { for: 'cohort-pick-version' }, 'Version'), versionSelect),
      h('div', { class: 'actions' }, useButton, stopButton),
    ),
    inUse,
  );
}
