import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Candle } from '../../src/core/market/candles.ts';
import { computeMarketFacts, computeMarketStreams, factsAt } from '../../src/core/market/facts.ts';
import { sp500 } from '../helpers/sample-data.ts';

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
