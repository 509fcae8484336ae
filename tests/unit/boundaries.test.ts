/**
 * The architecture's import direction is a lint rule (eslint.boundaries.js). These tests lint
 * small probe files placed in each layer with the very same rules, so a rule that silently stops
 * matching (a moved folder, an unresolved import) fails here, not in review.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { boundaries } from '../../eslint.boundaries.js';

const eslint = new ESLint({
  cwd: process.cwd(),
  overrideConfigFile: true,
  overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, { plugins: { '@typescript-eslint': tseslint.plugin } }, ...boundaries],
});

/** The rule ids that fire when `code` sits at `path` (relative to the project root). */
async function violations(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path });
  return result.messages.map((m) => m.ruleId ?? `fatal: ${m.message}`);
}

describe('the import direction is enforced by lint', () => {
  test('when a use case imports an adapter, then lint rejects it', async () => {
    const ids = await violations('src/use-cases/probe.ts', "import { sharpImageNormalizer } from '../adapters/images/sharp-images.ts';\nexport const x = sharpImageNormalizer;\n");
    assert.deepEqual(ids, ['import-x/no-restricted-paths']);
  });

  test('when the core imports a port, a use case or the composition root, then lint rejects each', async () => {
    for (const target of ['../../ports/analyzer.ts', '../../use-cases/analyze-chart.ts', '../../composition/config.ts']) {
      const ids = await violations('src/core/market/probe.ts', `import * as m from '${target}';\nexport const x = m;\n`);
      assert.deepEqual(ids, ['import-x/no-restricted-paths'], target);
    }
  });

  test('when the core imports node:fs or an I/O package, then lint rejects it; a type-only node import is allowed', async () => {
    assert.deepEqual(await violations('src/core/probe.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n"), ['@typescript-eslint/no-restricted-imports']);
    assert.deepEqual(await violations('src/core/probe.ts', "import sharp from 'sharp';\nexport const x = sharp;\n"), ['@typescript-eslint/no-restricted-imports']);
    assert.deepEqual(await violations('src/core/probe.ts', "import type { Server } from 'node:http';\nexport type X = Server;\n"), []);
  });

  test('when an entry point or the bench imports an adapter or a renderer, then lint rejects it', async () => {
    assert.deepEqual(await violations('src/entry/http/probe.ts', "import { PreparePool } from '../../adapters/workers/prepare-pool.ts';\nexport const x = PreparePool;\n"), ['import-x/no-restricted-paths']);
    assert.deepEqual(await violations('src/entry/cli/probe.ts', "import { ChartJsRenderer } from '../../../renderers/chartjs/chartjs-renderer.ts';\nexport const x = ChartJsRenderer;\n"), ['import-x/no-restricted-paths']);
    assert.deepEqual(await violations('bench/probe.ts', "import { PreparePool } from '../src/adapters/workers/prepare-pool.ts';\nexport const x = PreparePool;\n"), ['import-x/no-restricted-paths']);
  });

  test('when an adapter imports a use case or an entry point, then lint rejects it', async () => {
    assert.deepEqual(await violations('src/adapters/store/probe.ts', "import { analyzeChart } from '../../use-cases/analyze-chart.ts';\nexport const x = analyzeChart;\n"), ['import-x/no-restricted-paths']);
    assert.deepEqual(await violations('src/adapters/store/probe.ts', "import { createApp } from '../../entry/http/create-app.ts';\nexport const x = createApp;\n"), ['import-x/no-restricted-paths']);
  });

  test('when an import cannot be resolved, then lint rejects it instead of letting it slip past the zones', async () => {
    assert.deepEqual(await violations('src/use-cases/probe.ts', "import { x } from '../adapters/no-such-file.ts';\nexport const y = x;\n"), ['import-x/no-unresolved']);
  });

  test('when the layers import in the allowed direction, then lint is silent', async () => {
    assert.deepEqual(await violations('src/use-cases/probe.ts', "import type { Analyzer } from '../ports/analyzer.ts';\nimport { AppError } from '../core/errors.ts';\nexport type A = Analyzer;\nexport const e = AppError;\n"), []);
    assert.deepEqual(await violations('src/composition/probe.ts', "import { PreparePool } from '../adapters/workers/prepare-pool.ts';\nexport const x = PreparePool;\n"), []);
    assert.deepEqual(await violations('src/adapters/images/probe.ts', "import type { ImageNormalizer } from '../../ports/image-normalizer.ts';\nexport type I = ImageNormalizer;\n"), []);
  });
});
