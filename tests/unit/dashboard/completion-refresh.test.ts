// When the dashboard re-reads its data after jobs complete (public/js/completion-refresh.js), driven by synthetic
// jobUpdated events on a fake clock: at most one refresh per interval, and every completion is followed by a refresh
// that starts a full interval after it, including one that arrives while a refresh is already scheduled (the old
// throttle dropped that one, so the panels missed the last job of a burst). The clock is injected rather than
// vi.useFakeTimers(): unit tests share one module graph per worker and stub no globals.
import { describe, expect, it } from 'vitest';
import { completionRefresh, type RefreshTimers } from '../../../public/js/completion-refresh.js';

/** A deterministic clock: callbacks run in due order as time is advanced, including those they schedule. */
class FakeClock implements RefreshTimers {
  now = 0;
  private nextId = 1;
  private readonly due = new Map<number, { at: number; callback: () => void }>();
  setTimeout(callback: () => void, ms: number): number {
    const id = this.nextId++;
    this.due.set(id, { at: this.now + ms, callback });
    return id;
  }
  clearTimeout(id: unknown): void {
    this.due.delete(id as number);
  }
  get pending(): number {
    return this.due.size;
  }
  advanceTo(time: number): void {
    for (;;) {
      const next = [...this.due.entries()].filter(([, t]) => t.at <= time).sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
      if (!next) break;
      this.due.delete(next[0]);
      this.now = next[1].at;
      next[1].callback();
    }
    this.now = time;
  }
}

const INTERVAL = 1500;

/** A refresher on a fake clock that records when each refresh started; `at(t, status)` delivers an event at time t. */
function harness() {
  const clock = new FakeClock();
  const refreshes: number[] = [];
  const refresher = completionRefresh({ refresh: () => refreshes.push(clock.now), intervalMs: INTERVAL, timers: clock });
  const at = (time: number, status = 'COMPLETED') => {
    clock.advanceTo(time);
    refresher.jobUpdated({ status });
  };
  return { clock, refreshes, refresher, at };
}

describe('completionRefresh', () => {
  it('refreshes once, one interval after a completion, and ignores other job updates', () => {
    const { clock, refreshes, at } = harness();
    at(0, 'RUNNING');
    at(100, 'FAILED');
    clock.advanceTo(10_000);
    expect(refreshes).toEqual([]);

    at(10_000);
    clock.advanceTo(10_000 + INTERVAL - 1);
    expect(refreshes).toEqual([]);
    clock.advanceTo(20_000);
    expect(refreshes).toEqual([10_000 + INTERVAL]);
    expect(clock.pending).toBe(0);
  });

  it('refreshes again after a completion that arrives while a refresh is scheduled, a full interval after it', () => {
    const { clock, refreshes, at } = harness();
    at(0);
    at(1400); // job B completes 100 ms before the refresh scheduled for job A
    clock.advanceTo(10_000);
    expect(refreshes).toEqual([INTERVAL, 2 * INTERVAL]);
    // Every completion has a refresh that starts at least one interval after it (its data has had time to land).
    for (const completion of [0, 1400]) expect(refreshes.some((r) => r - completion >= INTERVAL)).toBe(true);
    expect(clock.pending).toBe(0);
  });

  it('throttles a burst to one refresh per interval and ends with one after the last completion', () => {
    const { clock, refreshes, at } = harness();
    // 0 ... 4400 ms, as a cohort's children finish; the last one lands 300 ms before a throttled refresh would start.
    const burst = Array.from({ length: 23 }, (_, i) => i * 200);
    for (const t of burst) at(t);
    clock.advanceTo(60_000);
    for (let i = 1; i < refreshes.length; i++) expect(refreshes[i] - refreshes[i - 1]).toBeGreaterThanOrEqual(INTERVAL);
    expect(refreshes.length).toBeLessThanOrEqual(Math.ceil((burst[burst.length - 1] + 2 * INTERVAL) / INTERVAL));
    for (const completion of burst)
      expect(
        refreshes.some((r) => r - completion >= INTERVAL),
        `${completion} ms`,
      ).toBe(true);
    expect(clock.pending).toBe(0);
  });

  it('schedules afresh after an idle refresh, and nothing after dispose', () => {
    const { clock, refreshes, refresher, at } = harness();
    at(0);
    at(5000); // long after the first refresh: no trailing refresh left over from the first
    clock.advanceTo(9000);
    expect(refreshes).toEqual([INTERVAL, 5000 + INTERVAL]);

    at(10_000);
    at(11_000);
    refresher.dispose(); // the dashboard was left: a refresh would redraw panels that are gone
    clock.advanceTo(30_000);
    expect(refreshes).toEqual([INTERVAL, 5000 + INTERVAL]);
    expect(clock.pending).toBe(0);
  });
});
