// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { LAYERS, layersPlugin } from './eslint/layers.js';
import { TYPED_RULES } from './eslint/typed-rules.js';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'dist.*/',
      'src/db/generated/',
      'coverage/',
      '.spinegraph/',
      'docs/',
      'models/',
      'src/training/python/',
      'public/',
      // Deliberately wrong code, linted by tests/integration/architecture/typed-lint.test.ts.
      'tests/fixtures/lint/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        CustomEvent: 'readonly',
        Event: 'readonly',
        EventTarget: 'readonly',
        performance: 'readonly',
        structuredClone: 'readonly',
        fetch: 'readonly',
        TextDecoder: 'readonly',
        TextEncoder: 'readonly',
        WebAssembly: 'readonly',
        queueMicrotask: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'error',
    },
  },
  { files: ['tests/**', 'bench/**', 'scripts/**'], rules: { 'no-console': 'off' } },
  // Type-aware rules (eslint/typed-rules.js says why each). projectService reads tsconfig.json, which covers src,
  // tests, bench, scripts and the root *.ts files; tests/fixtures/lint/ holds the files that must fail them.
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: TYPED_RULES,
  },
  // Imports point down the layers (docs/architecture.md); eslint/layers.js holds the map.
  { files: ['src/**/*.ts'], plugins: { spinegraph: layersPlugin }, rules: { 'spinegraph/layers': ['error', { layers: LAYERS }] } },
);
