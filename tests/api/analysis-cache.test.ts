import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import type { Analysis } from '../../src/core/analysis/analysis.ts';
import { formatCandleTime } from '../../src/core/market/candles.ts';
import type { ChartRenderer } from '../../src/ports/chart-renderer.ts';
import { cacheKeyFor, candlesSha256, type CacheKeyParts } from '../../src/use-cases/analyze-chart.ts';
import { chartOptionsSchema } from '../../src/core/scene/chart-options.ts';
import { type AnalysisApp, startAnalysisApp } from '../helpers/analysis-app.ts';
import { sp500 } from '../helpers/sample-data.ts';

/** The renderer the app was built with, counting its renders (a cache hit must draw nothing). */
function countRenders(app: AnalysisApp): { renders: () => number } {
  const inner = app.deps.renderer;
  let count = 0;
  const counting: ChartRenderer = {
    name: inner.name,
    render: (req) => {
      count++;
      return inner.render(req);
    },
    close: () => inner.close(),
  };
  // The routes hold this deps object, so the swap is what every later request uses.
  app.deps.renderer = counting;
  return { renders: () => count };
}

describe('the analysis cache is keyed on the inputs: a hit renders nothing', () => {
  let app: AnalysisApp;
  let counter: { renders: () => number };
  const bars = sp500()
    .slice(-300)
    .map((c) => ({ time: formatCandleTime(c.time), open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume }));
  const body = { symbol: 'SPX', timeframe: '1d', candles: bars, news: [{ headline: 'Cache test' }] };
  const post = async (b: unknown): Promise<Analysis> => {
    const res = await request(app.app).post('/v1/analyze').send(b as object);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body as Analysis;
  };

  before(async () => {
    app = await startAnalysisApp();
    counter = countRenders(app);
  });
  after(async () => {
    await app?.close();
  });

  test('when the identical request comes again, then it answers from cache (cached: true, same id) without rendering a chart', async () => {
    const first = await post(body);
    assert.equal(first.provider.cached, false);
    const rendered = counter.renders();
    assert.equal(rendered, 1, 'the miss rendered its chart');
    const second = await post(body);
    assert.equal(second.provider.cached, true);
    assert.equal(second.id, first.id);
    assert.equal(second.provider.costUsd, 0);
    assert.deepEqual(second.market, first.market);
    assert.equal(counter.renders(), rendered, 'the hit rendered nothing');
  });

  test('when the same bars come as CSV instead of JSON, then it is the same request: a hit', async () => {
    const first = await post(body);
    const csv = ['time,open,high,low,close,volume', ...bars.map((b) => `${b.time},${b.open},${b.high},${b.low},${b.close},${b.volume}`)].join('\n');
    const again = await post({ symbol: 'SPX', timeframe: '1d', csv, news: body.news });
    assert.equal(again.provider.cached, true);
    assert.equal(again.id, first.id);
  });

  test('when a chart option changes, then it misses and renders', async () => {
    const base = await post(body);
    const before = counter.renders();
    const dark = await post({ ...body, chart: { theme: 'dark' } });
    assert.equal(dark.provider.cached, false);
    assert.notEqual(dark.id, base.id);
    assert.equal(counter.renders(), before + 1);
    const shorter = await post({ ...body, chart: { last: 100 } });
    assert.equal(shorter.provider.cached, false, 'a different window is a different chart');
  });

  test('when one candle changes, then it misses', async () => {
    const base = await post(body);
    const changed = bars.map((b, i) => (i === 150 ? { ...b, close: b.close + 0.01 } : b));
    const other = await post({ ...body, candles: changed });
    assert.equal(other.provider.cached, false);
    assert.notEqual(other.id, base.id);
  });

  test('when the news changes, then it misses', async () => {
    const base = await post(body);
    const other = await post({ ...body, news: [{ headline: 'Cache test, another headline' }] });
    assert.equal(other.provider.cached, false);
    assert.notEqual(other.id, base.id);
  });

  test('when the renderer version changes, then it misses; back on the old version, the old answer is found again', async () => {
    const base = await post(body);
    const version = app.deps.rendererVersion;
    assert.ok(version, 'the composition root sets a renderer version');
    try {
      app.deps.rendererVersion = `${version}-changed`;
      const other = await post(body);
      assert.equal(other.provider.cached, false);
      assert.notEqual(other.id, base.id);
    } finally {
      app.deps.rendererVersion = version;
    }
    const again = await post(body);
    assert.equal(again.provider.cached, true);
    assert.equal(again.id, base.id);
  });
});

describe('cacheKeyFor and candlesSha256', () => {
  const candles = sp500().slice(0, 50);
  const parts: CacheKeyParts = {
    source: 'ohlcv',
    candles: candlesSha256(candles),
    image: null,
    chart: chartOptionsSchema.parse({}),
    renderer: 'r1',
    digitize: false,
    symbol: 'SPX',
    timeframe: '1d',
    news: [],
    promptVersion: 'analyze.v1',
    analyzer: 'local',
    model: null,
  };

  test('when any input part changes, then the key changes', () => {
    const key = cacheKeyFor(parts);
    const variants: Partial<CacheKeyParts>[] = [
      { candles: candlesSha256(candles.slice(1)) },
      { chart: chartOptionsSchema.parse({ width: 800 }) },
      { renderer: 'r2' },
      { source: 'image+ohlcv', image: 'ab'.repeat(32) },
      { symbol: 'NDX' },
      { timeframe: '1h' },
      { news: [{ headline: 'x' }] },
      { promptVersion: 'analyze.v2' },
      { analyzer: 'openai' },
      { model: 'gpt-4o' },
      { engine: 'e2' },
      { calibration: 'map@2' },
    ];
    const keys = variants.map((v) => cacheKeyFor({ ...parts, ...v }));
    for (const [i, k] of keys.entries()) assert.notEqual(k, key, `variant ${i} (${Object.keys(variants[i]).join(', ')}) changed nothing`);
    assert.equal(new Set(keys).size, keys.length);
    assert.equal(cacheKeyFor({ ...parts }), key, 'the same parts give the same key');
  });

  test('when a volume is absent rather than zero, or a price moves by one unit in the last place, then the candles hash changes', () => {
    const base = candlesSha256(candles);
    const noVolume = candles.map(({ volume: _v, ...c }) => c);
    const zeroVolume = candles.map((c) => ({ ...c, volume: 0 }));
    const nudged = candles.map((c, i) => (i === 10 ? { ...c, high: c.high + Number.EPSILON * c.high } : c));
    assert.equal(new Set([base, candlesSha256(noVolume), candlesSha256(zeroVolume), candlesSha256(nudged)]).size, 4);
    assert.equal(candlesSha256(candles.map((c) => ({ ...c }))), base, 'the values decide, not the objects');
  });
});
