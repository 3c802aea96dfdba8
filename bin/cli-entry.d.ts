// Types of bin/cli-entry.js (plain JavaScript: the bin runs before anything is compiled).
export declare const BUILD_STAMP: string;
export interface CliEntry {
  readonly kind: 'dist' | 'source';
  readonly file: string;
  readonly reason: string;
}
export declare function newestSourceMtimeMs(root: string): number;
export declare function chooseCliEntry(root: string, env?: Readonly<Record<string, string | undefined>>): CliEntry;
