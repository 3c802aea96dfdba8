// Pull from a DICOMweb archive: pick a project and one of the sources the operator configured for it (by name:
// the page never sees a URL or a credential), search it (QIDO-RS, patient-free criteria), tick studies, and pull
// them as an import job whose per-instance progress the jobs panel follows live.
// @ts-check
import { request } from './api.js';
import { DATA_QUERIES, errorText } from './data-panel.js';
import { announce, h, replace } from './dom.js';

const Q = {
  sources: `query Sources($p: ID!) { dicomwebSources(projectId: $p) { name linkage } }`,
  search: `query Search($p: ID!, $s: String!, $q: DicomwebStudyQuery) {
    dicomwebSearch(projectId: $p, source: $s, query: $q) { studyInstanceUid studyDate modalities description seriesCount instanceCount } }`,
};

/**
 * @param {{ onJob: (job: any) => void, projects: Promise<{ id: string, name: string }[]> }} options
 * @returns {HTMLElement}
 */
export function dicomwebForm({ onJob, projects }) {
  const project = /** @type {HTMLSelectElement} */ (h('select', { id: 'pull-project', onchange: () => loadSources() }));
  const source = /** @type {HTMLSelectElement} */ (h('select', { id: 'pull-source' }));
  const input = (/** @type {string} */ id, /** @type {string} */ type, /** @type {string} */ placeholder) =>
    /** @type {HTMLInputElement} */ (h('input', { id, type, placeholder }));
  const from = input('pull-from', 'date', '');
  const to = input('pull-to', 'date', '');
  const modality = input('pull-modality', 'text', 'MR');
  modality.value = 'MR';
  const description = input('pull-description', 'text', 'e.g. lumbar');
  const searchButton = /** @type {HTMLButtonElement} */ (h('button', { type: 'submit' }, 'Search'));
  const pullButton = /** @type {HTMLButtonElement} */ (
    h('button', { type: 'button', class: 'primary', disabled: true, onclick: () => pull() }, 'Pull selected studies')
  );
  const status = h('p', { class: 'form-status', role: 'status', 'aria-live': 'polite' });
  const results = h('div', { class: 'table-scroll pull-results' });
  /** @type {HTMLInputElement[]} */
  let boxes = [];

  async function loadSources() {
    source.replaceChildren();
    replace(results);
    boxes = [];
    updatePull();
    if (!project.value) return;
    try {
      const { dicomwebSources } = await request(Q.sources, { p: project.value });
      for (const s of dicomwebSources)
        source.append(h('option', { value: s.name }, s.linkage ? `${s.name} (results link back to the originals)` : s.name));
      searchButton.disabled = dicomwebSources.length === 0;
      status.textContent = dicomwebSources.length
        ? ''
        : 'No DICOMweb source is configured for this project (the operator sets DICOMWEB_SOURCES; see docs/dicomweb.md).';
    } catch (e) {
      status.textContent = `Could not list the sources: ${errorText(e)}`;
    }
  }

  function updatePull() {
    const n = boxes.filter((b) => b.checked).length;
    pullButton.disabled = n === 0;
    pullButton.textContent = n ? `Pull ${n} ${n === 1 ? 'study' : 'studies'}` : 'Pull selected studies';
  }

  async function search() {
    searchButton.disabled = true;
    status.textContent = 'Searching…';
    try {
      const q = {
        ...(from.value ? { studyDateFrom: from.value } : {}),
        ...(to.value ? { studyDateTo: to.value } : {}),
        ...(modality.value.trim() ? { modality: modality.value.trim() } : {}),
        ...(description.value.trim() ? { studyDescriptionContains: description.value.trim() } : {}),
      };
      const { dicomwebSearch } = await request(Q.search, { p: project.value, s: source.value, q });
      boxes = dicomwebSearch.map(
        (/** @type {{ studyInstanceUid: string }} */ s, /** @type {number} */ i) =>
          /** @type {HTMLInputElement} */ (
            h('input', { type: 'checkbox', value: s.studyInstanceUid, 'aria-label': `Study ${i + 1}`, onchange: updatePull })
          ),
      );
      status.textContent = `${dicomwebSearch.length} ${dicomwebSearch.length === 1 ? 'study' : 'studies'} found.`;
      announce(status.textContent);
      replace(
        results,
        dicomwebSearch.length
          ? h(
              'table',
              { class: 'pull-studies' },
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  h('th', { scope: 'col' }, allBox()),
                  ['Date', 'Modalities', 'Description', 'Series', 'Instances'].map((t) => h('th', { scope: 'col' }, t)),
                ),
              ),
              h(
                'tbody',
                {},
                dicomwebSearch.map((/** @type {any} */ s, /** @type {number} */ i) =>
                  h(
                    'tr',
                    { 'data-study-uid': s.studyInstanceUid },
                    h('td', {}, boxes[i]),
                    h('td', {}, s.studyDate ?? '–'),
                    h('td', {}, s.modalities.join(', ')),
                    h('td', {}, s.description ?? ''),
                    h('td', { class: 'num' }, s.seriesCount ?? '–'),
                    h('td', { class: 'num' }, s.instanceCount ?? '–'),
                  ),
                ),
              ),
            )
          : null,
      );
      updatePull();
    } catch (e) {
      status.textContent = `Could not search: ${errorText(e)}`;
    } finally {
      searchButton.disabled = false;
    }
  }

  function allBox() {
    const all = /** @type {HTMLInputElement} */ (
      h('input', {
        type: 'checkbox',
        'aria-label': 'All studies',
        onchange: () => {
          for (const b of boxes) b.checked = all.checked;
          updatePull();
        },
      })
    );
    return all;
  }

  async function pull() {
    const uids = boxes.filter((b) => b.checked).map((b) => b.value);
    pullButton.disabled = true;
    status.textContent = 'Queueing…';
    try {
      const job = (
        await request(DATA_QUERIES.importStudies, { input: { source: source.value, projectId: project.value, studyInstanceUids: uids } })
      ).importStudies;
      status.textContent = `Queued pull job ${job.id.slice(0, 8)} for ${uids.length} ${uids.length === 1 ? 'study' : 'studies'}; its progress is in the jobs list.`;
      announce(status.textContent);
      onJob(job);
    } catch (e) {
      status.textContent = `Could not start the pull: ${errorText(e)}`;
    } finally {
      updatePull();
    }
  }

  projects
    .then((list) => {
      project.replaceChildren(...list.map((p) => h('option', { value: p.id }, p.name)));
      return loadSources();
    })
    .catch((e) => (status.textContent = `Could not list your projects: ${errorText(e)}`));

  const form = h(
    'form',
    { class: 'pull-form' },
    h('div', { class: 'field' }, h('label', { for: 'pull-project' }, 'Into project'), project),
    h('div', { class: 'field' }, h('label', { for: 'pull-source' }, 'DICOMweb source'), source),
    h(
      'fieldset',
      { class: 'field pull-criteria' },
      h('legend', {}, 'Search criteria (no patient attribute)'),
      h('label', { for: 'pull-from' }, 'Study date from'),
      from,
      h('label', { for: 'pull-to' }, 'to'),
      to,
      h('label', { for: 'pull-modality' }, 'Modality'),
      modality,
      h('label', { for: 'pull-description' }, 'Description contains'),
      description,
    ),
    h('div', { class: 'actions' }, searchButton, pullButton),
    status,
    results,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    search();
  });
  return form;
}
