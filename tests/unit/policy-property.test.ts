import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClaimKind, VerifiedClaim } from '../../src/core/analysis/analysis.ts';
import { EXPERT_NAMES, type ModelOutput } from '../../src/core/analysis/model-output.ts';
import { applyPolicy, CONFIDENCE_CAP, normalizeOutput, type PolicyContext } from '../../src/core/analysis/policy.ts';
import { summarize } from '../../src/core/analysis/verify.ts';

/** mulberry32: a small seeded generator, so a failure names a seed that reproduces it. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Gen {
  r: () => number;
  int: (lo: number, hi: number) => number;
  pick: <T>(xs: readonly T[]) => T;
  maybe: <T>(v: T, p?: number) => T | null;
}
function gen(seed: number): Gen {
  const r = rng(seed);
  return {
    r,
    int: (lo, hi) => lo + Math.floor(r() * (hi - lo + 1)),
    pick: (xs) => xs[Math.floor(r() * xs.length)],
    maybe: (v, p = 0.8) => (r() < p ? v : null),
  };
}

const KINDS: ClaimKind[] = ['pattern', 'level', 'indicator', 'regime'];
const PATTERN_NAMES = ['Morning Star', 'Bullish Engulfing', 'Hammer', 'Head and Shoulders', 'Double Bottom', 'Tweezer Bottom', 'Cup and Handle'];
const round2 = (v: number): number => Math.round(v * 100) / 100;

/** A random proposal with random experts, news, levels and claims; `verifiable` decides the statuses of checkable claims. */
function randomCase(seed: number, verifiable: readonly VerifiedClaim['status'][]): { output: ModelOutput; claims: VerifiedClaim[]; ctx: PolicyContext } {
  const g = gen(seed);
  const close = g.pick([1e-6, 0.05, 1, 100, 2718.37, 65000]) * (0.5 + g.r());
  const atr = close * g.pick([0.002, 0.01, 0.05]);
  const action = g.pick(['buy', 'sell', 'hold'] as const);
  const sign = action === 'sell' ? -1 : 1;
  const level = (): number | null => g.maybe(close + (g.r() - 0.5) * 12 * atr * g.pick([1, 1, -30]));
  const patterns = Array.from({ length: g.int(0, 4) }, () => ({
    name: g.pick(PATTERN_NAMES),
    kind: g.pick(['candlestick', 'chart'] as const),
    direction: g.pick(['bullish', 'bearish', 'neutral'] as const),
    start: null,
    end: null,
    confidence: round2(g.r()),
  }));
  const newsCount = g.int(0, 4);
  const output: ModelOutput = {
    regime: { uptrend: 0.4, downtrend: 0.3, sideways: 0.3 },
    experts: EXPERT_NAMES.slice(0, g.int(0, 4)).map((name) => {
      const exposure = round2(g.r() * 2 - 1);
      return { name, weight: round2(g.r()), exposure, stance: exposure > 0 ? 'long' : 'short', rationale: '' };
    }),
    patterns,
    levels: { support: [], resistance: [] },
    indicators: [],
    news: Array.from({ length: g.int(0, 5) }, () => ({ index: g.int(0, 6), sentiment: round2(g.r() * 2 - 1), relevance: round2(g.r()), note: '' })),
    decision: {
      action,
      exposure: round2(sign * g.r() * (g.r() < 0.2 ? -1 : 1)),
      confidence: round2(g.r()),
      horizonBars: g.int(1, 40),
      entry: level(),
      invalidation: level(),
      target: level(),
      rationale: `${g.pick(PATTERN_NAMES)} ${g.pick(['rsi14', 'support', 'breakout'])} at ${round2(close)}`,
    },
    risks: [],
  };
  // One claim per pattern, in order (the policy pairs them), then others; unverifiable ones anywhere.
  const claims: VerifiedClaim[] = [];
  let patternClaims = 0;
  const total = Math.max(verifiable.length, patterns.length) + g.int(0, 6);
  let v = 0;
  for (let i = 0; i < total; i++) {
    const kind: ClaimKind = patternClaims < patterns.length ? 'pattern' : g.pick(KINDS.filter((k) => k !== 'pattern'));
    if (kind === 'pattern') patternClaims++;
    const status = v < verifiable.length && (g.r() < 0.6 || total - i <= verifiable.length - v) ? verifiable[v++] : 'unverifiable';
    const name = kind === 'pattern' ? patterns[patternClaims - 1].name : g.pick(['rsi14 = 30', 'support at 100', 'regime: uptrend (0.6)']);
    claims.push({ claim: name, kind, status, detail: '' });
  }
  const rate = summarize(claims).hallucinationRate;
  const ctx: PolicyContext = {
    lastClose: g.maybe(close, 0.9),
    atr: g.maybe(atr, 0.9),
    // Sometimes the rate the caller computed, sometimes left out, sometimes stale.
    hallucinationRate: g.pick([rate, undefined, 0]),
    newsCount: g.maybe(newsCount),
  };
  return { output: normalizeOutput(output).output, claims, ctx };
}

const FALSE = ['not_found', 'contradicted'] as const;
const RUNS = 400;

describe('the decision policy on random proposals (property-style)', () => {
  it(`when every verifiable claim under a random decision is false, then the final exposure is 0 (${RUNS} seeds)`, () => {
    let trades = 0;
    for (let seed = 1; seed <= RUNS; seed++) {
      const g = gen(seed * 7919);
      const statuses = Array.from({ length: g.int(1, 8) }, () => g.pick(FALSE));
      const { output, claims, ctx } = randomCase(seed, statuses);
      assert.ok(claims.some((c) => c.status !== 'unverifiable'));
      const { decision, adjustments } = applyPolicy(output, claims, ctx);
      assert.equal(decision.exposure, 0, `seed ${seed}: ${JSON.stringify({ proposed: output.decision, decision, adjustments })}`);
      assert.equal(decision.action, 'hold', `seed ${seed}`);
      if (output.decision.action !== 'hold') {
        trades++;
        assert.ok(adjustments.some((a) => a.field === 'action' && a.to === 'hold'), `seed ${seed}: the hold is listed`);
      }
    }
    assert.ok(trades > RUNS / 2, `the generator proposes trades (${trades})`);
  });

  it(`when claims are mixed at random, then the policy never raises size, keeps sides and caps, and lists every change (${RUNS} seeds)`, () => {
    const seen = { trades: 0, repairedLevels: 0, droppedNews: 0 };
    for (let seed = 1; seed <= RUNS; seed++) {
      const g = gen(seed * 104729);
      const statuses = Array.from({ length: g.int(0, 8) }, () => g.pick(['confirmed', 'confirmed', 'not_found', 'contradicted'] as const));
      const { output, claims, ctx } = randomCase(seed, statuses);
      const { decision: d, adjustments, news } = applyPolicy(output, claims, ctx);
      const p = output.decision;
      const msg = `seed ${seed}: ${JSON.stringify({ proposed: p, decision: d, adjustments, ctx })}`;
      assert.ok(Math.abs(d.exposure) <= Math.abs(p.exposure) + 1e-9, `size never grows: ${msg}`);
      assert.ok(d.confidence <= CONFIDENCE_CAP && d.confidence <= p.confidence + 1e-9, `confidence never grows: ${msg}`);
      if (d.action === 'buy') assert.ok(d.exposure > 0, msg);
      if (d.action === 'sell') assert.ok(d.exposure < 0, msg);
      if (d.action === 'hold') assert.equal(d.exposure, 0, msg);
      for (const price of [d.entry, d.invalidation, d.target]) assert.ok(price === null || price > 0, `prices are positive: ${msg}`);
      if (d.action !== 'hold' && d.entry !== null) {
        const side = d.action === 'buy' ? 1 : -1;
        if (d.invalidation !== null) assert.ok(side * (d.entry - d.invalidation) > 0, `stop side: ${msg}`);
        if (d.target !== null) assert.ok(side * (d.target - d.entry) > 0, `target side: ${msg}`);
        if (d.riskReward !== null) assert.ok(d.riskReward <= 5 + 1e-9, `reward/risk cap: ${msg}`);
        if (ctx.lastClose !== null && ctx.atr !== null) assert.ok(Math.abs(d.entry - ctx.lastClose) <= 3 * ctx.atr + 1e-12, `entry near the close: ${msg}`);
      }
      if (ctx.newsCount !== null && ctx.newsCount !== undefined) {
        const count = ctx.newsCount;
        assert.ok(news.every((n) => n.index < count), msg);
      }
      assert.equal(adjustments.filter((a) => a.field === 'news').length, output.news.length - news.length, msg);
      for (const field of ['action', 'entry', 'invalidation', 'target'] as const) {
        if (d[field] !== p[field]) assert.ok(adjustments.some((a) => a.field === field), `${field} changed without an adjustment: ${msg}`);
      }
      if (d.exposure !== p.exposure) assert.ok(adjustments.some((a) => a.field === 'exposure' || a.field === 'action'), msg);
      if (d.confidence !== p.confidence) assert.ok(adjustments.some((a) => a.field === 'confidence'), msg);
      assert.ok(adjustments.every((a) => a.reason.length > 0 && a.from !== a.to), msg);
      if (d.action !== 'hold') seen.trades++;
      if (adjustments.some((a) => a.field === 'invalidation' || a.field === 'target')) seen.repairedLevels++;
      if (news.length < output.news.length) seen.droppedNews++;
    }
    // The generator reaches every branch often enough for the checks above to mean something.
    assert.ok(seen.trades > RUNS / 10 && seen.repairedLevels > RUNS / 10 && seen.droppedNews > RUNS / 10, JSON.stringify(seen));
  });
});
