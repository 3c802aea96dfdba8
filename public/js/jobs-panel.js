// Live job list: the newest jobs from a query, kept current by `jobUpdated` (any job changed) and, for every job
// still queued or running, `jobProgress` (its current state first, then each change). After a dropped connection
// the client re-subscribes on its own; the list is re-read because `jobUpdated` does not replay missed events.
// @ts-check
import { ApiError, QUERIES, onLiveStatus, request, subscribe } from './api.js';
import { announce, dateTime, duration, h, percent, replace } from './dom.js';
import { TERMINAL_STATUSES } from './vocabulary.js';

const LIST_SIZE = 15;

/**
 * @typedef {{ id: string, parentId?: string | null, kind: string, status: string, progress: number, stage: string | null, message: string | null,
 *   error: { code: string, message: string } | null, result: any, params: any, createdAt: string, startedAt: string | null,
 *   finishedAt: string | null }} Job
 */

/** @returns {{ element: HTMLElement, add: (job: Job) => void, dispose: () => void }} */
export function jobsPanel() {
  /** @type {Map<string, Job>} */
  const jobs = new Map();
  /** @type {Map<string, () => void>} */
  const progressSubscriptions = new Map();
  /** @type {Map<string, HTMLElement>} */
  const rows = new Map();
  /** @type {WeakMap<HTMLElement, { status: HTMLElement, progress: HTMLProgressElement, progressText: HTMLElement, stage: HTMLElement, started: HTMLElement, time: HTMLElement, action: HTMLElement }>} */
  const cellsOf = new WeakMap();
  const tbody = h('tbody');
  const empty = h('p', { class: 'empty' }, 'No jobs yet.');
  const error = h('p', { class: 'error', role: 'alert', hidden: true });
  const table = h(
    'table',
    { class: 'jobs', 'aria-describedby': 'jobs-heading' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Job', 'Status', 'Progress', 'Stage', 'Started', 'Time', ''].map((t) => h('th', { scope: 'col' }, t)),
      ),
    ),
    tbody,
  );
  const element = h(
    'section',
    { class: 'panel jobs-panel', 'aria-labelledby': 'jobs-heading' },
    h('h2', { id: 'jobs-heading' }, 'Jobs'),
    error,
    empty,
    h('div', { class: 'table-scroll' }, table),
  );

  /** @param {Job} job */
  function upsert(job) {
    // Per-study children of a cohort job are summed up in their parent's progress; the list shows the parent.
    if (job.parentId) return;
    const before = jobs.get(job.id);
    // A status event can arrive after progress events of the same status (separate subscriptions): it does not
    // move the bar back.
    const progress = before && before.status === job.status ? Math.max(before.progress, job.progress) : job.progress;
    jobs.set(job.id, { ...before, ...job, progress });
    if (before && before.status !== job.status) announce(`${kindName(job.kind)} job ${shortId(job.id)} ${job.status.toLowerCase()}`);
    watchProgress(job);
    render();
  }

  /** @param {Job} job */
  function watchProgress(job) {
    if (TERMINAL_STATUSES.has(job.status) || progressSubscriptions.has(job.id)) return;
    const stop = subscribe(QUERIES.jobProgress, { jobId: job.id }, (data) => {
      const event = data.jobProgress;
      const current = jobs.get(event.jobId);
      if (!current) return;
      const statusChanged = current.status !== event.status;
      const stageChanged = current.stage !== event.stage;
      Object.assign(current, { status: event.status, progress: event.progress, stage: event.stage, message: event.message });
      if (event.status === 'RUNNING' && !current.startedAt) current.startedAt = event.at;
      if (TERMINAL_STATUSES.has(event.status)) {
        current.finishedAt ??= event.at;
        progressSubscriptions.get(event.jobId)?.();
        progressSubscriptions.delete(event.jobId);
      }
      if (statusChanged) announce(`${kindName(current.kind)} job ${shortId(current.id)} ${event.status.toLowerCase()}`);
      else if (stageChanged && event.stage) announce(`${kindName(current.kind)} job ${shortId(current.id)}: ${event.stage}`);
      renderRow(current);
    });
    progressSubscriptions.set(job.id, stop);
  }

  function render() {
    const newest = [...jobs.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt)).slice(0, LIST_SIZE);
    empty.hidden = newest.length > 0;
    table.hidden = newest.length === 0;
    const keep = new Set(newest.map((j) => j.id));
    for (const [id, row] of rows) {
      if (!keep.has(id)) {
        row.remove();
        rows.delete(id);
      }
    }
    newest.forEach((job, i) => {
      renderRow(job);
      const row = rowOf(job);
      // Move a row only when it is out of place: moving a node drops the focus inside it.
      if (tbody.children[i] !== row) tbody.insertBefore(row, tbody.children[i] ?? null);
    });
  }

  /** @param {Job} job */
  function rowOf(job) {
    let row = rows.get(job.id);
    if (row) return row;
    const label = `${kindName(job.kind)} ${shortId(job.id)}`;
    const cells = {
      status: h('span', { class: 'badge' }),
      progress: /** @type {HTMLProgressElement} */ (h('progress', { max: '1', value: '0', 'aria-label': `Progress of ${label}` })),
      progressText: h('span', { class: 'progress-text' }),
      stage: h('td', { class: 'stage' }),
      started: h('td', {}),
      time: h('td', {}),
      action: h('td', {}),
    };
    // Cells are created once and updated in place, so focus and screen-reader position survive each event.
    row = h(
      'tr',
      { 'data-job-id': job.id },
      h(
        'th',
        { scope: 'row' },
        h('span', { class: 'job-kind' }, kindName(job.kind)),
        ' ',
        h('code', {}, shortId(job.id)),
        studyCountOf(job),
      ),
      h('td', {}, cells.status),
      h('td', { class: 'progress-cell' }, cells.progress, cells.progressText),
      cells.stage,
      cells.started,
      cells.time,
      cells.action,
    );
    cellsOf.set(row, cells);
    cells.action.append(
      h('button', { type: 'button', class: 'small', 'aria-label': `Cancel ${label}`, onclick: () => cancel(job.id) }, 'Cancel'),
    );
    rows.set(job.id, row);
    return row;
  }

  /** @param {Job} job */
  function renderRow(job) {
    const row = rowOf(job);
    const cells = cellsOf.get(row);
    if (!cells) return;
    const status = job.status.toLowerCase();
    row.className = `job status-${status}`;
    cells.status.className = `badge status-${status}`;
    cells.status.textContent = status;
    cells.progress.value = job.progress;
    cells.progressText.textContent = percent(job.progress);
    if (job.error) replace(cells.stage, h('span', { class: 'error' }, `${job.error.code}: ${job.error.message}`));
    else replace(cells.stage, job.stage ?? '', job.message ? h('small', {}, ` ${job.message}`) : null);
    cells.started.textContent = dateTime(job.startedAt ?? job.createdAt);
    const started = job.startedAt ? Date.parse(job.startedAt) : undefined;
    const finished = job.finishedAt ? Date.parse(job.finishedAt) : undefined;
    cells.time.textContent = started ? duration((finished ?? Date.now()) - started) : '–';
    const button = cells.action.querySelector('button');
    if (button) button.hidden = !(job.status === 'QUEUED' || job.status === 'RUNNING');
  }

  /** @param {string} id */
  async function cancel(id) {
    try {
      upsert((await request(QUERIES.cancelJob, { id })).cancelJob);
    } catch (e) {
      showError(e);
    }
  }

  /** @param {unknown} e */
  function showError(e) {
    error.hidden = false;
    error.textContent = e instanceof ApiError ? `${e.message}${e.code ? ` (${e.code})` : ''}` : String(e);
  }

  async function load() {
    try {
      const data = await request(QUERIES.jobs, { first: LIST_SIZE });
      error.hidden = true;
      for (const edge of data.jobs.edges) upsert(edge.node);
    } catch (e) {
      showError(e);
    }
  }

  const stopUpdates = subscribe(QUERIES.jobUpdated, {}, (data) => upsert(data.jobUpdated), showError);
  const stopStatus = onLiveStatus((event) => {
    if (event.status === 'connected' && event.reconnected) load();
  });
  // Durations of running jobs tick even when no event arrives.
  const ticker = setInterval(() => jobs.forEach((j) => j.status === 'RUNNING' && renderRow(j)), 1000);
  render();
  load();

  return {
    element,
    add: upsert,
    dispose() {
      stopUpdates();
      stopStatus();
      clearInterval(ticker);
      progressSubscriptions.forEach((stop) => stop());
    },
  };
}

/** @param {string} kind */
function kindName(kind) {
  return kind.charAt(0) + kind.slice(1).toLowerCase();
}

/** @param {string} id */
function shortId(id) {
  return id.slice(0, 8);
}

/** @param {Job} job */
function studyCountOf(job) {
  const n = job.params?.studyCount ?? job.params?.studyIds?.length;
  return typeof n === 'number' ? h('small', { class: 'muted' }, ` · ${n} ${n === 1 ? 'study' : 'studies'}`) : null;
}
