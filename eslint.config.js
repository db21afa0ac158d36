import js from '@eslint/js';
import importPlugin from 'eslint-plugin-import';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

export default tseslint.config(
  { ignores: ['out/', 'dist/', 'node_modules/', 'tests/.artifacts/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    plugins: { import: importPlugin },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'import/no-cycle': ['error', { ignoreExternal: true }],
      'no-restricted-imports': 'off',
    },
    settings: {
      'import/ignore': ['node_modules'],
      'import/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import/extensions': ['.ts', '.js'],
      'import/resolver': { node: { extensions: ['.ts', '.js', '.svelte', '.json'] } },
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'], svelteConfig } },
  },
  {
    // Core services never import electron: only the two shell files may.
    files: ['src-main/**/*.ts'],
    ignores: ['src-main/index.ts', 'src-main/preload.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              message: 'core services run under plain Node; only src-main/index.ts and preload.ts import electron',
            },
          ],
        },
      ],
    },
  },
  {
    // The Fairness view's chart and table builders run in the renderer (through the `@charts` alias) and in Node
    // (a report exporter): pure, so nothing from Node, the database or electron, and nothing of core outside them
    // but the API's schemas.
    files: ['src-main/core/evaluation/charts/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'better-sqlite3', 'electron', 'sharp'],
              message: 'chart builders are pure: the API schemas, echarts and each other only',
            },
            {
              regex: '^\\.\\./(?!\\.\\./\\.\\./api/)',
              message: 'chart builders are pure: the API schemas, echarts and each other only',
            },
          ],
        },
      ],
    },
  },
  {
    // The renderer reaches the app only through the API contract (and the pure `@charts` builders).
    files: ['src-renderer/**/*.ts', 'src-renderer/**/*.svelte'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'better-sqlite3', 'electron', '**/core/**'],
              message: 'the renderer talks to the API contract only',
            },
          ],
        },
      ],
    },
  },
);
