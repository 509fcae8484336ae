// The import direction of the architecture, as lint rules. eslint.config.js applies them, and
// tests/unit/boundaries.test.ts proves they reject a wrong-way import.
//
//   entry points -> use-cases -> ports <- adapters; everyone may use core and contracts;
//   only the composition root imports adapters; core imports nothing outside core.
import { builtinModules } from 'node:module';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';

const root = import.meta.dirname;

const ALL = ['src/core', 'src/contracts', 'src/ports', 'src/use-cases', 'src/adapters', 'src/entry', 'src/composition', 'renderers', 'prompts', 'testing', 'tests', 'bench'];
const but = (...allowed) => ALL.filter((d) => !allowed.includes(d));

/** For each layer, what it may import; everything else in ALL is forbidden to it. */
const MAY_IMPORT = {
  'src/core': ['src/core'],
  'src/contracts': ['src/core', 'src/contracts'],
  'src/ports': ['src/core', 'src/contracts', 'src/ports'],
  'src/use-cases': ['src/core', 'src/contracts', 'src/ports', 'src/use-cases'],
  'src/adapters': ['src/core', 'src/contracts', 'src/ports', 'src/adapters', 'renderers', 'prompts'],
  'src/entry': ['src/core', 'src/contracts', 'src/ports', 'src/use-cases', 'src/entry', 'src/composition'],
  'src/composition': but('testing', 'tests', 'bench'),
  renderers: ['src/core', 'src/contracts', 'src/ports', 'renderers'],
  prompts: ['src/core', 'src/contracts', 'src/ports', 'prompts'],
  testing: ['src/core', 'src/contracts', 'testing'],
  bench: ['src/core', 'src/contracts', 'src/ports', 'src/use-cases', 'src/composition', 'testing', 'bench'],
};

const zones = Object.entries(MAY_IMPORT).map(([target, allowed]) => ({
  target: `./${target}`,
  from: but(...allowed).map((d) => `./${d}`),
  message: `${target} may import only ${allowed.join(', ')} (see the README, "Development": the layout and its import direction).`,
}));

/** Packages that do I/O or belong to a boundary; the pure core uses none of them. */
const IO_PACKAGES = ['express', 'multer', 'pg', '@electric-sql/pglite', 'openai', 'sharp', 'canvas', 'chartjs-node-canvas', '@slack/bolt', '@slack/web-api'];

export const boundaries = [
  {
    files: ['**/*.ts', '**/*.mts', '**/*.js', '**/*.mjs'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.mts', '.js', '.mjs', '.cjs', '.json'] })] },
    rules: {
      'import-x/no-restricted-paths': ['error', { basePath: root, zones }],
      // An import the resolver cannot follow would slip past the zones above.
      'import-x/no-unresolved': ['error', { ignore: ['^node:'] }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*', ...builtinModules], allowTypeImports: true, message: 'The core does no I/O: take what you need through a port, or import types only.' },
            { group: IO_PACKAGES, message: 'The core does no I/O: this package belongs in an adapter.' },
          ],
        },
      ],
    },
  },
];
