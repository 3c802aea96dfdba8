// Types of eslint/layers.js (plain JavaScript so that eslint.config.js loads it without a build step).
import type { ESLint } from 'eslint';

export declare const LAYERS: Readonly<Record<string, readonly string[]>>;
export declare function moduleOf(relativeFile: string, srcRoot?: string): string | null;
export declare const layersPlugin: ESLint.Plugin;
