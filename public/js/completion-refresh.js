// When the dashboard re-reads its data after jobs complete. A job's results may become readable a little after its
// completion event, and completions come in bursts (a cohort's children), so refreshes are throttled to one per
// interval; a completion that arrives while a refresh is already scheduled gets one more refresh a full interval
// after that one, so the last completion of a burst is always followed by a refresh that reads its data. (The old
// throttle ignored such a completion: its only refresh could start moments after it, before its data was readable,
// and the panels stayed stale until a reload.) Apart from the DOM so the timing is testable with a fake clock.
// @ts-check

/**
 * @typedef {{ setTimeout(callback: () => void, ms: number): unknown, clearTimeout(id: any): void }} RefreshTimers
 */

/**
 * @param {{ refresh: () => void, intervalMs?: number, timers?: RefreshTimers }} options
 *   timers: the global ones by default (called as methods of globalThis: browsers refuse a detached setTimeout)
 * @returns {{ jobUpdated: (job: { status: string }) => void, dispose: () => void }}
 */
export function completionRefresh({ refresh, intervalMs = 1500, timers = globalThis }) {
  /** @type {unknown} */
  let timer;
  let scheduled = false;
  let again = false;
  const schedule = () => {
    scheduled = true;
    timer = timers.setTimeout(() => {
      scheduled = false;
      refresh();
      if (again) {
        again = false;
        schedule();
      }
    }, intervalMs);
  };
  return {
    jobUpdated(job) {
      if (job.status !== 'COMPLETED') return;
      if (scheduled) again = true;
      else schedule();
    },
    dispose() {
      timers.clearTimeout(timer);
      scheduled = false;
      again = false;
    },
  };
}
