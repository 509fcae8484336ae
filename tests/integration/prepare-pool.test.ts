import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ChartJsRenderer } from '../../renderers/chartjs/chartjs-renderer.ts';
import { PreparePool } from '../../src/adapters/workers/prepare-pool.ts';
import { PREPARE_THREAD_URL } from '../../src/composition/chart-renderer.ts';
import { chartOptionsSchema } from '../../src/core/scene/chart-options.ts';
import { prepareChart } from '../../src/use-cases/prepare-chart.ts';
import { sp500 } from '../helpers/sample-data.ts';

const pool = new PreparePool(PREPARE_THREAD_URL, 2);
const renderer = new ChartJsRenderer();
after(async () => {
  await pool.close();
  await renderer.close();
});

const all = sp500();
const request = (k: number) => ({
  candles: all.slice(k * 200, k * 200 + 180),
  chart: chartOptionsSchema.parse({ last: 150, panes: k % 2 ? ['rsi'] : [] }),
  symbol: 'SPX',
  timeframe: '1d',
});

describe('facts and charts on worker threads', () => {
  it('when many requests run in the pool at once, then each result equals the in-thread one, byte for byte', async () => {
    const reqs = Array.from({ length: 8 }, (_, k) => request(k));
    const pooled = await Promise.all(reqs.map((r) => pool.prepare(r)));
    for (let k = 0; k < reqs.length; k++) {
      const local = await prepareChart(renderer, reqs[k]);
      assert.ok(pooled[k].png.equals(local.png), `chart ${k}`);
      assert.equal(pooled[k].sha256, local.sha256);
      assert.deepStrictEqual(pooled[k].facts, local.facts);
      assert.deepStrictEqual(pooled[k].verify, local.verify);
      assert.equal(pooled[k].verify.candles, reqs[k].candles, 'the caller keeps its candles; they are not copied back');
    }
  });

  it('when the pool is closed, then further requests are refused, not left hanging', async () => {
    const p = new PreparePool(PREPARE_THREAD_URL, 1);
    await p.close();
    await assert.rejects(p.prepare(request(0)), /closed/);
  });
});
