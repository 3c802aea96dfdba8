// Import and training from the page: a folder inside the server's data roots imported into a project you may
// import into, and a training run on the labelled studies of the cohort filter. Each queues a job the jobs panel
// follows live (status, progress, stage, cancel).
// @ts-check
import { ApiError, JOB_FIELDS, request } from './api.js';
import { announce, h } from './dom.js';

export const DATA_QUERIES = {
  projects: `query Projects { projects { id name role } }`,
  importStudies: `mutation Import($input: ImportStudiesInput!) { importStudies(input: $input) { ${JOB_FIELDS} } }`,
  startTraining: `mutation Train($input: StartTrainingInput!) { startTraining(input: $input) { ${JOB_FIELDS} } }`,
};

/** Projects where the caller may import or train (researcher or administrator). @returns {Promise<{ id: string, name: string, role: string }[]>} */
export async function writableProjects() {
  const { projects } = await request(DATA_QUERIES.projects);
  return projects.filter((/** @type {{ role: string }} */ p) => p.role === 'ADMIN' || p.role === 'RESEARCHER');
}

/** @param {unknown} e */
export function errorText(e) {
  return e instanceof ApiError ? `${e.message}${e.code ? ` (${e.code})` : ''}` : String(e);
}

/**
 * @param {{ filter: () => Record<string, unknown>, onJob: (job: any) => void, projects: Promise<{ id: string, name: string }[]> }} options
 * @returns {HTMLElement}
 */
export function importForm({ onJob, projects }) {
  const path = /** @type {HTMLInputElement} */ (
    h('input', { id: 'import-path', name: 'path', type: 'text', required: true, placeholder: 'e.g. /data/rsna/train_images' })
  );
  const project = /** @type {HTMLSelectElement} */ (h('select', { id: 'import-project', name: 'project' }));
  const button = /** @type {HTMLButtonElement} */ (h('button', { type: 'submit', class: 'primary' }, 'Import folder'));
  const status = h('p', { class: 'form-status', role: 'status', 'aria-live': 'polite' });
  projects
    .then((list) => {
      project.replaceChildren(...list.map((p) => h('option', { value: p.id }, p.name)));
      if (list.length === 0) {
        button.disabled = true;
        status.textContent = 'You may import into no project: ask a project administrator for the researcher role.';
      }
    })
    .catch((e) => (status.textContent = `Could not list your projects: ${errorText(e)}`));
  const form = h(
    'form',
    { class: 'import-form' },
    h('div', { class: 'field' }, h('label', { for: 'import-path' }, 'Folder on the server'), path),
    h('div', { class: 'field' }, h('label', { for: 'import-project' }, 'Into project'), project),
    h('div', { class: 'actions' }, button),
    status,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    button.disabled = true;
    status.textContent = 'Queueing…';
    try {
      const job = (await request(DATA_QUERIES.importStudies, { input: { path: path.value.trim(), projectId: project.value } }))
        .importStudies;
      status.textContent = `Queued import job ${job.id.slice(0, 8)}; its progress is in the jobs list.`;
      announce(status.textContent);
      onJob(job);
    } catch (err) {
      status.textContent = `Could not start the import: ${errorText(err)}`;
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

/**
 * @param {{ filter: () => Record<string, unknown>, onJob: (job: any) => void }} options
 * @returns {HTMLElement}
 */
export function trainingForm({ filter, onJob }) {
  const config = /** @type {HTMLSelectElement} */ (
    h(
      'select',
      { id: 'training-config', name: 'config' },
      h('option', { value: 'tiny' }, 'tiny (minutes on a CPU, a smoke run)'),
      h('option', { value: 'small' }, 'small (the demo set: about an hour on a CPU)'),
      h('option', { value: 'full' }, 'full (the 9th-place recipe: needs a GPU)'),
    )
  );
  const name = /** @type {HTMLInputElement} */ (
    h('input', { id: 'training-name', name: 'name', type: 'text', placeholder: 'default: trained-<config>-<job>' })
  );
  const activate = /** @type {HTMLInputElement} */ (h('input', { id: 'training-activate', type: 'checkbox' }));
  const button = /** @type {HTMLButtonElement} */ (h('button', { type: 'submit', class: 'primary' }, 'Start training'));
  const status = h('p', { class: 'form-status', role: 'status', 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'training-form' },
    h('p', { class: 'muted' }, 'Trains on the labelled studies of the cohort filter and registers a new model set.'),
    h('div', { class: 'field' }, h('label', { for: 'training-config' }, 'Configuration'), config),
    h('div', { class: 'field' }, h('label', { for: 'training-name' }, 'Model set name'), name),
    h('label', { class: 'check' }, activate, 'Activate it when training succeeds'),
    h('div', { class: 'actions' }, button),
    status,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    button.disabled = true;
    status.textContent = 'Queueing…';
    try {
      const input = {
        filter: filter(),
        config: config.value,
        activate: activate.checked,
        ...(name.value.trim() ? { name: name.value.trim() } : {}),
      };
      const job = (await request(DATA_QUERIES.startTraining, { input })).startTraining;
      status.textContent = `Queued training job ${job.id.slice(0, 8)}; its progress is in the jobs list.`;
      announce(status.textContent);
      onJob(job);
    } catch (err) {
      status.textContent = `Could not start training: ${errorText(err)}`;
    } finally {
      button.disabled = false;
    }
  });
  return form;
}
