import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Candle } from '../../src/core/market/candles.ts';
import { type ChartPatternType, detectChartPatterns } from '../../src/core/market/chart-patterns.ts';
import { computeMarketFacts, computeMarketStreams, factsAt, type MarketStreams } from '../../src/core/market/facts.ts';
import { sp500 } from '../helpers/sample-data.ts';
import { candlesAlongPath } from '../helpers/synthetic.ts';

/** A small seeded PRNG so the property test is reproducible. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Replace every bar after t with a different, still valid, random walk. */
function scrambleAfter(candles: readonly Candle[], t: number, rand: () => number): Candle[] {
  const out = candles.slice(0, t + 1);
  let price = candles[t].close;
  for (let i = t + 1; i < candles.length; i++) {
    const open = price;
    price = Math.max(1, price * (1 + (rand() - 0.5) * 0.08));
    out.push({
      time: candles[i].time,
      open,
      high: Math.max(open, price) * (1 + rand() * 0.02),
      low: Math.min(open, price) * (1 - rand() * 0.02),
      close: price,
      volume: Math.round(rand() * 5e9),
    });
  }
  return out;
}

describe('no look-ahead in the market facts', () => {
  const candles = sp500().slice(-1500);
  const streams = computeMarketStreams(candles);
  const rand = mulberry32(20260424);
  const bars = [2, 3, 13, 14, 30, 49, 199, 200, 201];
  for (let k = 0; k < 25; k++) bars.push(2 + Math.floor(rand() * (candles.length - 3)));

  it('when facts at bar t come from the full series, then they equal facts from candles[0..t] alone', () => {
    for (const t of bars) {
      assert.deepStrictEqual(factsAt(streams, t), computeMarketFacts(candles.slice(0, t + 1)), `bar ${t}`);
    }
  });

  it('when every bar after t is replaced, then the facts at t do not change', () => {
    for (const t of bars.slice(-10)) {
      const altered = computeMarketStreams(scrambleAfter(candles, t, rand));
      assert.deepStrictEqual(factsAt(altered, t), factsAt(streams, t), `bar ${t}`);
    }
  });

  it('when the series is cut at t, then no reported pattern, pivot or level comes from after t', () => {
    for (const t of bars) {
      const facts = factsAt(streams, t);
      for (const p of facts.patterns) assert.ok(p.endIndex <= t && p.knownAt <= t, `${p.code} at bar ${t}`);
      for (const l of [...facts.levels.support, ...facts.levels.resistance]) assert.ok(l.lastIndex <= t);
    }
  });
});

/** The detectors added for wedges, flags, ranges, channels, cups, triples and rounding patterns. */
const NEW_CODES: readonly ChartPatternType[] = [
  'rising_wedge',
  'falling_wedge',
  'bull_flag',
  'bear_flag',
  'pennant',
  'rectangle',
  'ascending_channel',
  'descending_channel',
  'cup_and_handle',
  'triple_top',
  'triple_bottom',
  'rounding_top',
  'rounding_bottom',
];

/** For each new code, the first bar and a middle bar at which detectChartPatterns reports it. */
function firingBars(streams: MarketStreams): Map<ChartPatternType, number[]> {
  const { candles, pivots, indicators } = streams;
  const at = new Map<ChartPatternType, number[]>();
  for (let t = 2; t < candles.length; t++) {
    for (const h of detectChartPatterns({ candles, pivots, atr: indicators.atr14, volumeRatio: indicators.volumeRatio20, t })) {
      if (NEW_CODES.includes(h.code)) at.set(h.code, [...(at.get(h.code) ?? []), t]);
    }
  }
  return new Map([...at].map(([code, ts]) => [code, [...new Set([ts[0], ts[Math.floor(ts.length / 2)]])]]));
}

type Path = [number, number][];

/** Paths drawn one after the other, each shifted to start where the previous one ended. */
function joinPaths(...paths: Path[]): Path {
  const out: Path = [[0, paths[0][0][1]]];
  for (const path of paths) {
    const [t0, p0] = path[0];
    const [t1, p1] = out[out.length - 1];
    for (const [i, price] of path.slice(1)) out.push([t1 + i - t0, p1 + price - p0]);
  }
  return out;
}

/** Shapes the S&P sample lacks (falling wedge, pennant, cup and handle, rounding bottom) and a bear flag. */
function syntheticShapes(): Candle[] {
  const cup: Path = [[0, 105], [10, 120]];
  for (let i = 15; i <= 70; i += 5) cup.push([i, 100 + 20 * ((i - 40) / 30) ** 2]);
  cup.push([76, 114], [80, 118], [86, 125]);
  const arc: Path = [[0, 115], [10, 120]];
  for (let i = 15; i <= 95; i += 5) arc.push([i, 120 - 20 * (1 - ((i - 50) / 40) ** 2)]);
  arc.push([105, 125]);
  return candlesAlongPath(
    joinPaths(
      [[0, 130], [20, 110], [26, 116], [34, 106], [40, 110], [48, 102], [54, 105], [60, 100], [66, 108]],
      [[0, 100], [30, 103], [40, 123], [44, 117], [48, 121.5], [52, 119], [55, 120.5], [60, 127]],
      cup,
      arc,
      [[0, 150], [30, 147], [40, 127], [44, 131], [48, 128], [52, 132], [55, 129], [56, 129.5], [62, 122]],
    ),
  );
}

describe('no look-ahead in the chart pattern detectors', () => {
  const real = computeMarketStreams(sp500().slice(-1500));
  const synthetic = computeMarketStreams(syntheticShapes());
  const series = [
    { name: 'S&P 500', streams: real, firing: firingBars(real) },
    { name: 'synthetic shapes', streams: synthetic, firing: firingBars(synthetic) },
  ];
  const rand = mulberry32(20260501);

  it('when the bars below are chosen, then every new detector fires at one of them', () => {
    const covered = new Set(series.flatMap((s) => [...s.firing.keys()]));
    assert.deepEqual(NEW_CODES.filter((c) => !covered.has(c)), []);
  });

  for (const { name, streams, firing } of series) {
    const bars = [...new Set([...firing.values()].flat())].sort((a, b) => a - b);

    it(`when a new detector fires at bar t of the ${name} series, then the facts at t equal those from candles[0..t] alone`, () => {
      for (const t of bars) {
        const facts = factsAt(streams, t);
        const codes = facts.patterns.map((p) => p.code);
        const expected = [...firing].filter(([, ts]) => ts.includes(t)).map(([code]) => code);
        for (const code of expected) assert.ok(codes.includes(code), `${code} at bar ${t}`);
        assert.deepStrictEqual(facts, computeMarketFacts(streams.candles.slice(0, t + 1)), `bar ${t}`);
      }
    });

    it(`when every bar after such a t of the ${name} series is replaced, then the facts at t do not change`, () => {
      for (const ts of firing.values()) {
        const t = ts[0];
        const altered = computeMarketStreams(scrambleAfter(streams.candles, t, rand));
        assert.deepStrictEqual(factsAt(altered, t), factsAt(streams, t), `bar ${t}`);
      }
    });
  }
});
