// @ts-check
// The rules that need type information (typescript-eslint with the program of tsconfig.json). One list, so the
// config turns them on and tests that lint without a program (tests/integration/architecture/layers.test.ts) turn them off.
/** @type {import('eslint').Linter.RulesRecord} */
export const TYPED_RULES = {
  // A promise nobody awaits loses its rejection (an unhandled rejection ends the process) and its ordering.
  '@typescript-eslint/no-floating-promises': 'error',
  // An async function where a void callback is expected (event handlers, forEach) runs unawaited, errors unseen.
  '@typescript-eslint/no-misused-promises': 'error',
  // A switch over a union names every member, so a new job kind, VR or status fails the lint where it is not handled.
  '@typescript-eslint/switch-exhaustiveness-check': 'error',
};

/** The same rules off: for linting without type information. @type {import('eslint').Linter.RulesRecord} */
export const TYPED_RULES_OFF = Object.fromEntries(Object.keys(TYPED_RULES).map((rule) => [rule, 'off']));
