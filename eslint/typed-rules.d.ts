// Types of eslint/typed-rules.js (plain JavaScript so that eslint.config.js loads it without a build step).
import type { Linter } from 'eslint';

export declare const TYPED_RULES: Linter.RulesRecord;
export declare const TYPED_RULES_OFF: Linter.RulesRecord;
