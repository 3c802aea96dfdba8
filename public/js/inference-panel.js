// Starts inference on the current cohort with the chosen model set (the active one by default).
// @ts-check
import { ApiError, QUERIES, request } from './api.js';
import { announce, h } from './dom.js';

/**
 * @param {{ filter: () => Record<string, unknown>, modelSets: () => Promise<{ id: string, name: string, isActive: boolean }[]>,
 *   onJob: (job: any) => void }} options
 */
export function inferencePanel({ filter, modelSets, onJob }) {
  const select = /** @type {HTMLSelectElement} */ (h('select', { id: 'inference-model-set', name: 'modelSetId' }));
  const status = h('p', { class: 'form-status', role: 'status', 'aria-live': 'polite' });
  const button = /** @type {HTMLButtonElement} */ (h('button', { type: 'submit', class: 'primary' }, 'Run inference on cohort'));
  const form = h(
    'form',
    { class: 'inference-form', 'aria-labelledby': 'inference-heading' },
    h('div', { class: 'field' }, h('label', { for: 'inference-model-set' }, 'Model set'), select),
    h('div', { class: 'actions' }, button),
    status,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    button.disabled = true;
    status.textContent = 'Queueing…';
    try {
      const input = { filter: filter(), ...(select.value ? { modelSetId: select.value } : {}) };
      const job = (await request(QUERIES.runInference, { input })).runInference;
      const n = job.params?.studyCount;
      status.textContent = `Queued inference job ${job.id.slice(0, 8)}${typeof n === 'number' ? ` for ${n} studies` : ''}.`;
      announce(status.textContent);
      onJob(job);
    } catch (err) {
      status.textContent = `Could not start inference: ${err instanceof ApiError ? `${err.message} (${err.code ?? 'error'})` : err}`;
    } finally {
      button.disabled = false;
    }
  });
  // Re-read after jobs finish: a set registered meanwhile (the demo's, a training's) appears without a reload.
  const fill = () =>
    modelSets()
      .then((sets) => {
        const chosen = select.value;
        select.replaceChildren();
        if (sets.length === 0) select.append(h('option', { value: '' }, 'Bundled demo set (none registered yet)'));
        for (const s of sets)
          select.append(
            h('option', { value: s.id, selected: chosen ? s.id === chosen : s.isActive }, s.isActive ? `${s.name} (active)` : s.name),
          );
      })
      .catch(() => select.replaceChildren(h('option', { value: '' }, 'Active model set')));
  fill();
  const element = h(
    'section',
    { class: 'panel', 'aria-labelledby': 'inference-heading' },
    h('h2', { id: 'inference-heading' }, 'Run inference'),
    h('p', { class: 'muted' }, 'Runs the 9th-place pipeline on every study of the cohort above, one child job per study.'),
    form,
  );
  return { element, refresh: fill };
}
