import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { boundaries } from './eslint.boundaries.js';

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'tmp/**', '.bench-out/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...boundaries,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      'no-console': 'off',
    },
  },
  // The web page (web/): plain ES modules for the browser, no build step: browser globals, not Node's.
  {
    files: ['web/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: { ...Object.fromEntries(Object.keys(globals.node).map((name) => [name, 'off'])), ...globals.browser },
    },
  },
  // The product code is linted with type information: unsafe `any`, floating promises and the like
  // are errors there. Tests and benches keep the plain rules (fixtures poke at untyped JSON a lot).
  {
    files: ['src/**/*.ts', 'renderers/**/*.ts', 'prompts/**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
  },
);
