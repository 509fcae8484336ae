import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { ChartJsRenderer } from '../../renderers/chartjs/chartjs-renderer.ts';
import { openAnalysisStore } from '../../src/adapters/store/pg-store.ts';
import { writeBacktestReport } from '../../src/adapters/files/backtest-report.ts';
import { loadConfig } from '../../src/composition/config.ts';
import { buildServices, type Services } from '../../src/composition/root.ts';
import type { Candle } from '../../src/core/market/candles.ts';
import { seededRandom } from '../../src/core/evaluation/backtest-metrics.ts';
import type { AnalysisStore } from '../../src/ports/analysis-store.ts';
import type { AnalyzeDeps } from '../../src/use-cases/analyze-chart.ts';
import { type BacktestOptions, decisionBars, runBacktest } from '../../src/use-cases/backtest.ts';
import { type FakeOpenAI, startFakeOpenAI } from '../../testing/fake-openai.ts';
import { plainHold } from '../../testing/model-replies.ts';
import { indexOfDate, sp500 } from '../helpers/sample-data.ts';

const renderer = new ChartJsRenderer();
let store: AnalysisStore;
let fake: FakeOpenAI;
let deps: AnalyzeDeps;
let services: Services;

before(async () => {
  store = await openAnalysisStore({ dataDir: ':memory:' });
  fake = await startFakeOpenAI({ apiKey: 'k' });
  const config = loadConfig({ CHARTLENS_LOG: 'silent', OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'k', CHARTLENS_MODEL: 'gpt-4o', CHARTLENS_TIMEOUT_MS: '5000', CHARTLENS_MAX_RETRIES: '0', CHARTLENS_MAX_OUTPUT_TOKENS: '1000' });
  services = await buildServices(config, { store, renderer });
  deps = services.analyze;
});
after(async () => {
  await services.close();
  await fake.close();
  await store.close();
  await renderer.close();
});

const all = sp500();
const start = indexOfDate(all, '2019-01-02');
const candles = all.slice(0, indexOfDate(all, '2019-12-31') + 1);
const options = (over: Partial<BacktestOptions> = {}): BacktestOptions => ({
  candles,
  symbol: 'SPX',
  timeframe: '1d',
  window: 120,
  horizon: 5,
  step: 10,
  fromIndex: start,
  analyzer: 'local',
  model: null,
  costBps: 10,
  seed: 7,
  ...over,
});

/** Keep bars 0..t and replace every later bar with a different random walk. */
function rewriteAfter(series: readonly Candle[], t: number, seed: number): Candle[] {
  const rand = seededRandom(seed);
  const out = series.slice(0, t + 1);
  let price = series[t].close;
  for (let i = t + 1; i < series.length; i++) {
    const open = price;
    price *= 1 + (rand() - 0.5) * 0.1;
    out.push({ time: series[i].time, open, high: Math.max(open, price) * 1.01, low: Math.min(open, price) * 0.99, close: price, volume: Math.round(rand() * 4e9) });
  }
  return out;
}

describe('walk-forward replay', () => {
  it('when bars after t are rewritten, then every decision at or before t, and the chart it saw, is unchanged', async () => {
    const t = indexOfDate(all, '2019-07-01');
    const original = await runBacktest(deps, options());
    const altered = await runBacktest(deps, options({ candles: rewriteAfter(candles, t, 99) }));
    const upTo = (r: typeof original) => r.decisions.filter((d) => d.index <= t);
    // The forward return and the simulated exit are scoring, read from the bars after the decision.
    const strip = (d: (typeof original.decisions)[number]) => ({
      ...d,
      forwardReturn: null,
      exitIndex: null,
      exitTime: null,
      exitReason: null,
      exitPrice: null,
      realisedReturn: null,
      cached: null,
      costUsd: null,
    });
    assert.ok(upTo(original).length >= 10);
    assert.deepEqual(upTo(altered).map(strip), upTo(original).map(strip));
    // An exit that is settled by bar t (the horizon ends there) reads no bar after t.
    const settled = (r: typeof original) => r.decisions.filter((d) => d.index + 5 <= t).map((d) => ({ ...d, cached: null, costUsd: null }));
    assert.deepEqual(settled(altered), settled(original));
    // The forward returns (scoring only) and the later decisions do see the new future.
    assert.notDeepEqual(
      altered.decisions.filter((d) => d.index > t).map((d) => d.imageSha256),
      original.decisions.filter((d) => d.index > t).map((d) => d.imageSha256),
    );
  });

  it('when replayed, then decisions fall every `step` bars from the first full window, with forward returns', async () => {
    assert.deepEqual(decisionBars(100, { window: 30, step: 20 }), [29, 49, 69, 89]);
    assert.deepEqual(decisionBars(100, { window: 30, step: 20, fromIndex: 50, toIndex: 80 }), [50, 70]);
    const r = await runBacktest(deps, options());
    assert.equal(r.decisions[0].index, start);
    const closes = candles.map((c) => c.close);
    for (const d of r.decisions) {
      const expected = d.index + 5 < closes.length ? closes[d.index + 5] / closes[d.index] - 1 : null;
      assert.equal(d.forwardReturn, expected);
      assert.ok(Math.sign(d.exposure) === (d.action === 'buy' ? 1 : d.action === 'sell' ? -1 : 0) || d.exposure === 0);
    }
    const m = r.metrics;
    assert.equal(m.period.from, '2019-01-02');
    assert.equal(m.buyAndHold.trades, 1);
    // Buy and hold: in at the first decision's close, paying 10 bps on the first bar, out at the end.
    const last = closes.length - 1;
    const bh = (closes[start + 1] / closes[start] - 0.001) * (closes[last] / closes[start + 1]) - 1;
    assert.ok(Math.abs(m.buyAndHold.totalReturn - bh) < 1e-9, `${m.buyAndHold.totalReturn} vs ${bh}`);
    assert.equal(r.equity.length, m.period.bars);
    assert.ok(Math.abs(r.equity.at(-1)!.buyAndHold - 1 - m.buyAndHold.totalReturn) < 1e-9);
  });

  it('when replayed through the openai analyzer twice, then the rerun is answered from the store and costs nothing', async () => {
    fake.reset();
    fake.setFallback({ kind: 'json', body: plainHold(), usage: { prompt_tokens: 1500, completion_tokens: 300 } });
    const short = options({ analyzer: 'openai', fromIndex: indexOfDate(all, '2019-10-01'), step: 20 });
    const first = await runBacktest(deps, short);
    const calls = fake.requests.length;
    assert.equal(calls, first.decisions.length);
    assert.ok(first.metrics.analyzer.costUsd > 0);
    const second = await runBacktest(deps, short);
    assert.equal(fake.requests.length, calls, 'no model call on the rerun');
    assert.equal(second.metrics.analyzer.costUsd, 0);
    assert.equal(second.metrics.analyzer.cached, second.decisions.length);
    assert.deepEqual(second.decisions.map((d) => d.action), first.decisions.map((d) => d.action));
  });

  it('when replayed on real bars, then the exits, the intervals, the calibration and the baselines are all reported', async () => {
    const r = await runBacktest(deps, options());
    const m = r.metrics;
    const bars = candles;
    // Every trade leaves after its decision bar and by its horizon, for the reason its levels give.
    for (const d of r.decisions) {
      if (d.exposure === 0) {
        assert.deepEqual([d.exitIndex, d.exitReason, d.realisedReturn], [null, null, null]);
        continue;
      }
      if (d.exitIndex === null) continue;
      assert.ok(d.exitIndex > d.index && d.exitIndex <= d.index + 5, `${d.time}: exit ${d.exitIndex}`);
      assert.equal(d.exitTime, new Date(bars[d.exitIndex].time).toISOString().slice(0, 10));
      const side = Math.sign(d.exposure);
      assert.ok(Math.abs((d.realisedReturn as number) - side * ((d.exitPrice as number) / bars[d.index].close - 1)) < 1e-12);
      if (d.exitReason === 'horizon') assert.equal(d.exitPrice, bars[d.index + 5].close);
      if (d.exitReason === 'stop') assert.ok(side > 0 ? bars[d.exitIndex].low <= (d.invalidation as number) : bars[d.exitIndex].high >= (d.invalidation as number));
      if (d.exitReason === 'target') assert.ok(side > 0 ? bars[d.exitIndex].high >= (d.target as number) : bars[d.exitIndex].low <= (d.target as number));
    }
    const nonHold = r.decisions.filter((d) => d.exposure !== 0);
    assert.equal(m.exits.stop + m.exits.target + m.exits.horizon + m.exits.open, nonHold.length);
    // The hit rate scores the simulated trades, with its Wilson interval around it.
    const scored = nonHold.filter((d) => d.realisedReturn !== null && d.realisedReturn !== 0);
    assert.equal(m.calls, scored.length);
    assert.equal(m.hitRate, scored.filter((d) => (d.realisedReturn as number) > 0).length / scored.length);
    assert.ok(m.wilson95 && m.wilson95.low < (m.hitRate as number) && (m.hitRate as number) < m.wilson95.high);
    assert.ok(m.sharpe !== null && m.sharpe95 && m.sharpe95.low < m.sharpe && m.sharpe < m.sharpe95.high);
    assert.ok(Math.abs(m.bias.long + m.bias.short + m.bias.hold - 1) < 1e-12);
    assert.equal(m.reliability.reduce((s, b) => s + b.calls, 0), m.calls);
    assert.ok(m.brier !== null && m.brierBaseline !== null && m.ece !== null && m.ece >= 0);
    assert.ok(Math.abs((m.brierBaseline as number) - (m.hitRate as number) * (1 - (m.hitRate as number))) < 1e-12);
    for (const b of [m.buyAndHold, m.random, m.trend]) assert.ok(Math.abs(b.excess.totalReturn - (m.totalReturn - b.totalReturn)) < 1e-12);
    assert.equal(m.trend.sma, 50);
    assert.ok(m.random.calls > 0 && m.random.hitRate !== null, 'the shuffled calls are scored the same way');
    assert.ok(m.horizonOnly.calls > 0);
    assert.ok(m.significance.permutation.p !== null && m.significance.permutation.p > 0 && m.significance.permutation.p <= 1);
    assert.equal(m.significance.verdict, m.significance.edge ? 'significant edge (check for leaks)' : 'no significant edge');
    assert.equal(m.synthetic, null);
    // Reproducible: the bootstrap and the permutations are seeded.
    const again = await runBacktest(deps, options());
    assert.deepEqual([again.metrics.sharpe95, again.metrics.significance], [m.sharpe95, m.significance]);
    // The equity curve is the strategy's per-bar returns compounded.
    assert.ok(Math.abs(r.equity.at(-1)!.strategy - 1 - m.totalReturn) < 1e-9);
    assert.ok(Math.abs(r.equity.at(-1)!.trend - 1 - m.trend.totalReturn) < 1e-9);
  });

  it('when the report is written, then the four files are there and the page is self-contained', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chartlens-bt-'));
    try {
      const r = await runBacktest(deps, options({ step: 20 }));
      await writeBacktestReport(dir, r, renderer, 'SPX replay');
      const csv = readFileSync(join(dir, 'decisions.csv'), 'utf8').trim().split('\n');
      assert.equal(csv[0], 'time,action,exposure,confidence,entry,invalidation,target,forwardReturn,exitTime,exitReason,exitPrice,realisedReturn,hallucinationRate');
      assert.equal(csv.length, r.decisions.length + 1);
      const metrics = JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8'));
      for (const k of ['hitRate', 'wilson95', 'hitRateByConfidence', 'totalReturn', 'cagr', 'sharpe', 'sharpe95', 'maxDrawdown', 'turnover', 'trades', 'bias']) {
        assert.ok(k in metrics, k);
      }
      for (const k of ['reliability', 'brier', 'brierBaseline', 'ece', 'buyAndHold', 'random', 'trend', 'horizonOnly', 'significance', 'synthetic']) {
        assert.ok(k in metrics, k);
      }
      const png = await sharp(join(dir, 'equity.png')).metadata();
      assert.deepEqual([png.format, png.width, png.height], ['png', 1024, 512]);
      assert.equal(metrics.synthetic, null);
      const html = readFileSync(join(dir, 'report.html'), 'utf8');
      assert.match(html, /Verdict: <b>(no significant edge|significant edge \(check for leaks\))<\/b>/);
      assert.doesNotMatch(html, /Synthetic data/);
      assert.match(html, /<img alt="equity curve" src="data:image\/png;base64,/);
      assert.ok(!/(src|href)="(http|\/\/)/.test(html), 'no external resources');
      assert.equal((html.match(/<tr><td>\d{4}-\d{2}-\d{2}/g) ?? []).length, r.decisions.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
