import type { Linter } from 'eslint';

/** The import-direction rules of eslint.boundaries.js (typed for tests/unit/boundaries.test.ts). */
export declare const boundaries: Linter.Config[];
