// The dashboard's entry point: hash routes (#/ the dashboard, #/studies/:id a study), the live-connection badge,
// and the access-token dialog for servers that require a bearer token.
// @ts-check
import { QUERIES, liveClient, onLiveStatus, request, setToken, subscribe, token } from './api.js';
import { cohortFilterPanel } from './cohort-filter.js';
import { cohortsPanel } from './cohorts-panel.js';
import { completionRefresh } from './completion-refresh.js';
import { importForm, trainingForm, writableProjects } from './data-panel.js';
import { dicomwebForm } from './dicomweb-panel.js';
import { h, replace } from './dom.js';
import { heatmapPanel } from './heatmap-panel.js';
import { inferencePanel } from './inference-panel.js';
import { jobsPanel } from './jobs-panel.js';
import { modelSetsPanel } from './model-sets-panel.js';
import { renderAdminView } from './admin-view.js';
import { renderAnalyticsView } from './analytics-view.js';
import { studiesPanel } from './studies-panel.js';
import { rowOfHash } from './row-slice.js';
import { renderStudyView } from './study-view.js';

const main = /** @type {HTMLElement} */ (document.getElementById('main'));
/** @type {(() => void) | undefined} */
let disposeView;

/** The cohort filter survives navigation to a study and back. */
/** @type {Record<string, unknown>} */
let cohortFilter = {};
/** The saved cohort in use, if any: while set it is the whole filter of every panel and of #/analytics. */
/** @type {{ cohortId: string, cohortVersion?: number } | null} */
let savedCohort = null;
const filterInUse = () => savedCohort ?? cohortFilter;

/** @type {Promise<any[]> | undefined} */
let modelSetsCache;
/** @param {boolean} [fresh] */
function modelSets(fresh = false) {
  if (fresh || !modelSetsCache) modelSetsCache = request(QUERIES.modelSets).then((d) => d.modelSets);
  return modelSetsCache;
}

function renderDashboard() {
  document.title = 'spinegraph';
  const filter = filterInUse;
  const jobs = jobsPanel();
  const heatmap = heatmapPanel({ filter, modelSets });
  const sets = modelSetsPanel({ filter, modelSets, onActivated: () => modelSets(true) });
  const studies = studiesPanel({ filter });
  const refreshAll = () => Promise.all([heatmap.refresh(), sets.refresh(), studies.refresh()]);
  const cohort = cohortFilterPanel({
    initial: cohortFilter,
    onApply: (f) => {
      cohortFilter = f;
      refreshAll();
    },
  });
  const saved = cohortsPanel({
    filter,
    chosen: () => savedCohort,
    onPick: (choice) => {
      savedCohort = choice;
      refreshAll();
    },
  });
  const inference = inferencePanel({ filter, modelSets, onJob: (job) => jobs.add(job) });
  const onJob = (/** @type {any} */ job) => jobs.add(job);
  const projects = writableProjects();
  const data = h(
    'section',
    { class: 'panel data-panel', 'aria-labelledby': 'data-heading' },
    h('h2', { id: 'data-heading' }, 'Add studies and train'),
    h(
      'details',
      { class: 'data-part', open: true },
      h('summary', {}, h('h3', {}, 'Import a folder')),
      importForm({ filter, onJob, projects }),
    ),
    h('details', { class: 'data-part' }, h('summary', {}, h('h3', {}, 'Pull from a DICOMweb archive')), dicomwebForm({ onJob, projects })),
    h('details', { class: 'data-part' }, h('summary', {}, h('h3', {}, 'Train a model set')), trainingForm({ filter, onJob })),
  );
  replace(
    main,
    h('h1', { class: 'visually-hidden' }, 'Dashboard'),
    h(
      'div',
      { class: 'dashboard' },
      h('div', { class: 'column-left' }, cohort, saved, inference.element, data),
      h('div', { class: 'column-right' }, jobs.element),
    ),
    heatmap.element,
    sets.element,
    studies.element,
  );
  // Jobs that finish change predictions: refresh the panels that show them (timing in completion-refresh.js).
  const completions = completionRefresh({
    refresh: () => {
      modelSets(true);
      refreshAll();
      inference.refresh();
    },
  });
  const stopCompletions = subscribe('subscription DashboardJobs { jobUpdated { id status } }', {}, (data) =>
    completions.jobUpdated(data.jobUpdated),
  );
  return () => {
    jobs.dispose();
    stopCompletions();
    completions.dispose();
  };
}

async function route() {
  disposeView?.();
  disposeView = undefined;
  const match = /^#\/studies\/([^/?]+)/.exec(location.hash);
  if (location.hash === '#/admin') {
    await renderAdminView(main);
  } else if (location.hash === '#/analytics') {
    await renderAnalyticsView(main, filterInUse);
  } else if (match) {
    await renderStudyView(main, decodeURIComponent(match[1]), rowOfHash(location.hash));
  } else {
    disposeView = renderDashboard();
  }
}

function connectionBadge() {
  const badge = /** @type {HTMLElement} */ (document.getElementById('connection'));
  /** @type {Record<string, string>} */
  const text = {
    idle: 'Live updates: idle',
    connecting: 'Live updates: connecting…',
    connected: 'Live updates: connected',
    closed: 'Live updates: off',
  };
  onLiveStatus((event) => {
    badge.dataset.status = event.status;
    badge.textContent =
      event.status === 'reconnecting'
        ? `Live updates: connection lost, retrying in ${Math.ceil((event.retryInMs ?? 0) / 1000)} s (attempt ${event.attempt})`
        : event.status === 'closed' && event.closeCode
          ? `Live updates: refused (${event.closeCode}${event.reason ? ` ${event.reason}` : ''}). Check the access token.`
          : (text[event.status] ?? event.status);
  });
  window.addEventListener('online', () => liveClient().retryNow());
}

function tokenDialog() {
  const dialog = /** @type {HTMLDialogElement} */ (document.getElementById('token-dialog'));
  const input = /** @type {HTMLInputElement} */ (document.getElementById('token-input'));
  const open = /** @type {HTMLButtonElement} */ (document.getElementById('token-button'));
  open.addEventListener('click', () => {
    input.value = token();
    dialog.showModal();
  });
  dialog.addEventListener('close', () => {
    if (dialog.returnValue !== 'save') return;
    setToken(input.value.trim());
    location.reload();
  });
}

connectionBadge();
tokenDialog();
window.addEventListener('hashchange', route);
route();
