/**
 * The level check must not confirm arbitrary prices. Across many windows of real S&P 500 bars,
 * prices drawn uniformly between the chart's low and the last close (claimed as support) and
 * between the last close and the chart's high (claimed as resistance) are confirmed at most 10% of
 * the time, while the computed top levels themselves are always confirmed.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { verificationFactsFor } from '../../src/core/analysis/verification-facts.ts';
import { verifyLevel } from '../../src/core/analysis/verify.ts';
import { seededRandom } from '../../src/core/evaluation/backtest-metrics.ts';
import { computeMarketStreams } from '../../src/core/market/facts.ts';
import { sp500 } from '../helpers/sample-data.ts';

const all = sp500();
const streams = computeMarketStreams(all);
const DRAWS_PER_SIDE = 100;

function sweep(windowBars: number, every: number): { rate: number; claims: number; topMissed: string[] } {
  const random = seededRandom(windowBars);
  let confirmed = 0;
  let claims = 0;
  const topMissed: string[] = [];
  for (let t = Math.max(windowBars, 250); t < all.length; t += every) {
    const from = t - windowBars + 1;
    const { facts, verify } = verificationFactsFor(streams, t, from);
    let low = Number.POSITIVE_INFINITY;
    let high = Number.NEGATIVE_INFINITY;
    for (let i = from; i <= t; i++) {
      low = Math.min(low, all[i].low);
      high = Math.max(high, all[i].high);
    }
    const close = all[t].close;
    for (let k = 0; k < DRAWS_PER_SIDE; k++) {
      const support = low + random() * (close - low);
      const resistance = close + random() * (high - close);
      if (verifyLevel(support, 'support', verify).status === 'confirmed') confirmed++;
      if (verifyLevel(resistance, 'resistance', verify).status === 'confirmed') confirmed++;
      claims += 2;
    }
    for (const l of facts.levels.support) if (verifyLevel(l.price, 'support', verify).status !== 'confirmed') topMissed.push(`support ${l.price} at ${t}`);
    for (const l of facts.levels.resistance) if (verifyLevel(l.price, 'resistance', verify).status !== 'confirmed') topMissed.push(`resistance ${l.price} at ${t}`);
  }
  return { rate: confirmed / claims, claims, topMissed };
}

describe('random price levels are rarely confirmed (sweep over real S&P 500 windows)', () => {
  for (const [windowBars, every] of [
    [60, 97],
    [150, 97],
    [300, 131],
  ] as const) {
    test(`when random prices are claimed on ${windowBars}-bar charts, then at most 10% are confirmed and every computed top level is`, () => {
      const r = sweep(windowBars, every);
      console.log(`level sweep: ${windowBars}-bar windows, ${r.claims} random claims, ${(r.rate * 100).toFixed(1)}% confirmed`);
      assert.ok(r.rate <= 0.1, `${(r.rate * 100).toFixed(1)}% of random levels confirmed`);
      assert.deepEqual(r.topMissed, []);
    });
  }
});
