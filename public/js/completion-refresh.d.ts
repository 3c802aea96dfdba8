// Types of completion-refresh.js for the TypeScript tests that import it (the dashboard itself is checked JS).
export interface RefreshTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}
export function completionRefresh(options: { refresh: () => void; intervalMs?: number; timers?: RefreshTimers }): {
  jobUpdated: (job: { status: string }) => void;
  dispose: () => void;
};
