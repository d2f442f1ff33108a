// `npm run lint`. The rules that matter here are the layering rules of the architecture
// (README, "Layout"): lower layers never import the engine, the API or the CLI; the engine never
// imports the API or the CLI; model/ is a leaf; only kernel/ touches node:child_process. Imports
// are resolved to real files (`.js` specifiers to their `.ts` sources), so the rules hold however
// deep the importing file sits. The rest is the stock recommended set, tuned to this code.
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Folders below the engine: they serve it and may not reach back up. */
const LOWER = ['store', 'kernel', 'model', 'ipam', 'dns', 'firewall', 'runtime', 'drivers'];
/** The layers above them: the HTTP edge, the client, and the engine itself. */
const UPPER = ['engine', 'api', 'cli'];

const layering = 'layering: README, "Layout"';

/** Zones below are relative to this file, not to wherever eslint was started. */
const basePath = fileURLToPath(new URL('.', import.meta.url));

/** Test code may spawn processes (fixtures, throwaway hosts, real clients). */
const TEST_FILES = ['**/*.test.ts', '**/*.test-helper.ts', 'src/**/testing/**', 'test/**'];

const childProcess = {
  message: `only src/kernel/ starts processes: call the Kernel (${layering}).`,
};

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'bench/results/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    rules: {
      // `let x; … closure reads x …; x = value` is the one way to close over a later value.
      'prefer-const': ['error', { destructuring: 'all', ignoreReadBeforeAssign: true }],
    },
  },
  {
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [
        createNodeResolver({
          extensions: ['.ts', '.js', '.json', '.node'],
          extensionAlias: { '.js': ['.ts', '.js'] },
        }),
      ],
    },
    rules: {
      // TypeScript already reports these, with types (tsc is strict and runs first).
      'no-undef': 'off',
      '@typescript-eslint/no-unused-vars': 'off',
      'import-x/no-restricted-paths': [
        'error',
        {
          basePath,
          zones: [
            ...LOWER.map((layer) => ({
              target: `./src/${layer}`,
              from: UPPER.map((up) => `./src/${up}`),
              message: `src/${layer}/ is below the engine and may not import src/engine, src/api or src/cli (${layering}).`,
            })),
            {
              target: './src/engine',
              from: ['./src/api', './src/cli'],
              message: `src/engine/ may not import src/api or src/cli (${layering}).`,
            },
            {
              target: './src/model',
              from: './src',
              except: ['./model'],
              message: `src/model/ is a leaf: it imports nothing else of ours (${layering}).`,
            },
          ],
        },
      ],
    },
  },
  {
    // Tests poke at untyped JSON and compare against golden text literally.
    files: TEST_FILES,
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      'no-regex-spaces': 'off',
    },
  },
  {
    // Only the kernel spawns: `import type` counts too, so no layer above it handles raw processes
    // except through the Kernel's own types.
    files: ['src/**/*.ts'],
    ignores: ['src/kernel/**', ...TEST_FILES],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'node:child_process', ...childProcess },
            { name: 'child_process', ...childProcess },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ImportExpression[source.value=/^(node:)?child_process$/]',
          message: childProcess.message,
        },
      ],
    },
  },
);
