// @ts-check
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');
const globals = require('globals');

/**
 * A feature folder's public face is its index.ts: code outside the folder imports that, never one of
 * its files. `up` is how a file at that depth reaches app/src ('./' from app/src itself, '../' from a
 * feature folder...); going up that far and then into a folder's file is a deep import.
 */
function onlyPublicFaces(up) {
  const escaped = up.replace(/\./g, '\\.');
  return {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            regex: `^${escaped}[^./][^/]*/.+`,
            message: 'Import another feature through its index.ts (what it offers the rest of the app), not one of its files.',
          },
        ],
      },
    ],
  };
}

/** Only the composition root builds the app's parts; everything else asks it (see docs/architecture.md). */
const builtOnlyByTheCompositionRoot = {
  '@typescript-eslint/no-restricted-imports': [
    'error',
    {
      patterns: [
        {
          regex: '^(\\./|(\\.\\./)+)(app/)?(src/)?(app|backends|services)$',
          importNames: ['createApp', 'openBackends', 'createServices'],
          allowTypeImports: true,
          message: 'Build the app through composition.ts (openApp, openCore), the one place it is put together.',
        },
      ],
    },
  ],
};

module.exports = tseslint.config(
  { ignores: ['node_modules/', 'app/dist/', 'test-artifacts/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['app/**/*.ts', 'bench/**/*.ts', 'infra/**/*.ts', 'monitoring/**/*.ts', 'loadtest/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
      eqeqeq: ['error', 'always'],
      // Input sanitizing deliberately matches control characters.
      'no-control-regex': 'off',
    },
  },
  {
    files: ['app/**/*.ts', 'bench/**/*.ts', 'infra/**/test/**/*.ts', 'monitoring/test/**/*.ts'],
    ignores: ['app/src/composition.ts'],
    rules: builtOnlyByTheCompositionRoot,
  },
  { files: ['app/src/*.ts'], rules: onlyPublicFaces('./') },
  { files: ['app/src/*/*.ts'], rules: onlyPublicFaces('../') },
  { files: ['app/src/*/*/*.ts'], rules: onlyPublicFaces('../../') },
  { files: ['app/src/*/*/*/*.ts'], rules: onlyPublicFaces('../../../') },
  // The shared load scenarios run in k6 and in Node: they import one another, and nothing else.
  {
    files: ['loadtest/scenarios/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^(?!\\./)', message: 'The shared scenarios are plain TypeScript: no k6, Node or npm import (loadtest/README.md).' }] },
      ],
    },
  },
  // The k6 scripts import k6's own modules and the repository's files, never Node's or npm's (k6 has neither).
  {
    files: ['loadtest/k6/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^(?!\\.{1,2}/|k6$|k6/)', message: 'A k6 script imports only k6 modules and files of this repository.' }] },
      ],
    },
  },
  {
    files: ['app/public/js/**/*.js'],
    languageOptions: { globals: globals.browser, sourceType: 'script' },
  },
  {
    files: ['*.js', 'scripts/**/*.js', 'bin/**/*.js', 'app/test/**/*.cjs'],
    languageOptions: { globals: globals.node, sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
