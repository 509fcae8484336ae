import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Adjustment, Decision, VerifiedClaim } from '../../src/core/analysis/analysis.ts';
import { assembleAnalysis } from '../../src/core/analysis/assemble-analysis.ts';
import type { ModelOutput } from '../../src/core/analysis/model-output.ts';
import { applyPolicy, type PolicyContext } from '../../src/core/analysis/policy.ts';
import { EXPERT_BAND } from '../../src/core/analysis/policy/experts.ts';
import { MAX_ENTRY_ATR, MAX_REWARD_RISK } from '../../src/core/analysis/policy/prices.ts';
import { verificationFactsFor } from '../../src/core/analysis/verification-facts.ts';
import { computeMarketStreams } from '../../src/core/market/facts.ts';
import { indexOfDate, sp500 } from '../helpers/sample-data.ts';

type Expert = ModelOutput['experts'][number];
type Rating = ModelOutput['news'][number];

function output(decision: Partial<ModelOutput['decision']>, more: Partial<Omit<ModelOutput, 'decision'>> = {}): ModelOutput {
  return {
    regime: { uptrend: 0.6, downtrend: 0.1, sideways: 0.3 },
    experts: [],
    patterns: [],
    levels: { support: [], resistance: [] },
    indicators: [],
    news: [],
    risks: [],
    ...more,
    decision: {
      action: 'buy',
      exposure: 0.8,
      confidence: 0.6,
      horizonBars: 5,
      entry: 100,
      invalidation: 95,
      target: 110,
      rationale: 'Trend is up.',
      ...decision,
    },
  };
}
const ctx: PolicyContext = { lastClose: 100, atr: 2, hallucinationRate: 0 };
const claim = (status: VerifiedClaim['status'], c: Partial<VerifiedClaim> = {}): VerifiedClaim => ({
  claim: `${status} claim`,
  kind: 'indicator',
  status,
  detail: '',
  ...c,
});
const claims = (spec: Partial<Record<VerifiedClaim['status'], number>>): VerifiedClaim[] =>
  (Object.entries(spec) as [VerifiedClaim['status'], number][]).flatMap(([status, n]) =>
    Array.from({ length: n }, (_, i) => claim(status, { claim: `${status} claim ${i}` })),
  );
const expert = (name: Expert['name'], weight: number, exposure: number): Expert => ({
  name,
  weight,
  exposure,
  stance: exposure > 0.1 ? 'long' : exposure < -0.1 ? 'short' : 'flat',
  rationale: '',
});
const rating = (index: number, sentiment: number, relevance = 0.8): Rating => ({ index, sentiment, relevance, note: '' });

const reasonsFor = (adjustments: Adjustment[], field: string): string[] => adjustments.filter((a) => a.field === field).map((a) => a.reason);

interface Case {
  name: string;
  out: ModelOutput;
  claims?: VerifiedClaim[];
  ctx?: PolicyContext;
  want: Partial<Decision>;
  /** field -> a pattern one of its adjustment reasons must match; null: no adjustment of that field. */
  reasons?: Record<string, RegExp | null>;
}

function check(c: Case): void {
  it(c.name, () => {
    const { decision, adjustments } = applyPolicy(c.out, c.claims ?? claims({ confirmed: 4 }), c.ctx ?? ctx);
    for (const [field, value] of Object.entries(c.want)) {
      assert.deepEqual(decision[field as keyof Decision], value, `${field}: ${JSON.stringify(adjustments)}`);
    }
    for (const [field, re] of Object.entries(c.reasons ?? {})) {
      const reasons = reasonsFor(adjustments, field);
      if (re === null) assert.deepEqual(reasons, [], `no ${field} adjustment expected`);
      else assert.ok(reasons.some((r) => re.test(r)), `${field}: no reason matching ${re} in ${JSON.stringify(adjustments)}`);
    }
  });
}

describe('size follows the evidence: exposure x (confirmed + 0.5 x unverifiable) / claims', () => {
  const cases: Case[] = [
    { name: 'when every claim is confirmed, then the size stands', out: output({}), want: { action: 'buy', exposure: 0.8 }, reasons: { exposure: null } },
    {
      name: 'when 1 of 4 checkable claims is false (not named by the rationale), then exposure x 0.75',
      out: output({}),
      claims: claims({ confirmed: 3, not_found: 1 }),
      want: { action: 'buy', exposure: 0.6 },
      reasons: { exposure: /size follows the evidence: evidence score \(3 confirmed \+ 0\.5 x 0 unverifiable\) \/ 4 claims = 0\.75/ },
    },
    {
      name: 'when half the claims could not be checked, then exposure x 0.75 (the unchecked half counts half)',
      out: output({}),
      claims: claims({ confirmed: 2, unverifiable: 2 }),
      want: { exposure: 0.6 },
      reasons: { exposure: /2 unverifiable\) \/ 4 claims = 0\.75/ },
    },
    {
      name: 'when no claim could be checked (unknown names, image only), then half size at most',
      out: output({ exposure: 1 }),
      claims: claims({ unverifiable: 5 }),
      ctx: { ...ctx, hallucinationRate: null },
      want: { action: 'buy', exposure: 0.5 },
      reasons: { exposure: /size follows the evidence/ },
    },
    {
      name: 'when the decision rests on an unverifiable pattern among many confirmed claims, then its own claims set the size',
      out: output({ rationale: 'A tweezer bottom.' }, { patterns: [{ name: 'Tweezer Bottom', kind: 'candlestick', direction: 'bullish', start: null, end: null, confidence: 0.8 }] }),
      claims: [claim('unverifiable', { kind: 'pattern', claim: 'bullish Tweezer Bottom' }), ...claims({ confirmed: 9 })],
      want: { exposure: 0.4 },
      reasons: { exposure: /the claims the decision rests on score \(0 confirmed \+ 0\.5 x 1 unverifiable\) \/ 1 claims = 0\.5/ },
    },
    {
      name: 'when 2 of 3 checkable claims are false and the rationale names none of them, then HOLD',
      out: output({ exposure: 1 }),
      claims: claims({ confirmed: 1, not_found: 1, contradicted: 1 }),
      ctx: { ...ctx, hallucinationRate: 0.6667 },
      want: { action: 'hold', exposure: 0 },
      reasons: { action: /2 of 3 checkable claims are false \(not found or contradicted\), more than 50%/ },
    },
    {
      name: 'when exactly half of the checkable claims are false, then the trade stands at half size',
      out: output({}),
      claims: claims({ confirmed: 2, not_found: 2 }),
      ctx: { ...ctx, hallucinationRate: 0.5 },
      want: { action: 'buy', exposure: 0.4 },
      reasons: { action: null },
    },
    {
      name: 'when every claim is false, even with a stale rate of 0 in the context, then HOLD',
      out: output({ exposure: 1 }),
      claims: claims({ not_found: 2, contradicted: 2, unverifiable: 3 }),
      want: { action: 'hold', exposure: 0 },
      reasons: { action: /4 of 4 checkable claims are false/ },
    },
    {
      name: 'when no claims are listed but the context says most were false, then HOLD',
      out: output({}),
      claims: [],
      ctx: { ...ctx, hallucinationRate: 0.8 },
      want: { action: 'hold' },
      reasons: { action: /hallucination rate of 0\.8/ },
    },
  ];
  cases.forEach(check);
});

describe('trade levels are sane: repaired or removed, and listed', () => {
  const cases: Case[] = [
    {
      name: `when the entry is more than ${MAX_ENTRY_ATR} ATR from the last close, then the last close is used`,
      out: output({ entry: 107, invalidation: 104, target: 120 }),
      want: { entry: 100, invalidation: 97, target: 106 },
      reasons: { entry: /3\.5 ATR from the last close 100 \(more than 3\); the last close is used/, invalidation: /must sit below/, target: /more than the 5:1 cap/ },
    },
    { name: 'when the entry is within 3 ATR of the close, then it stands', out: output({ entry: 105.9, invalidation: 103, target: 110 }), want: { entry: 105.9 }, reasons: { entry: null } },
    { name: 'when the entry is 0, then the last close is used', out: output({ entry: 0 }), want: { entry: 100 }, reasons: { entry: /an entry of 0 is not a price; the last close is used/ } },
    {
      name: 'when the entry is negative and no close is known, then it is removed',
      out: output({ entry: -5 }),
      ctx: { lastClose: null, atr: null, hallucinationRate: 0 },
      want: { entry: null, riskReward: null },
      reasons: { entry: /not a price; removed/ },
    },
    { name: 'when a buy target is below the entry, then it is set at 2x the risk', out: output({ target: 90 }), want: { target: 110, riskReward: 2 }, reasons: { target: /must sit above the entry for a buy; set at 2x the risk/ } },
    {
      name: 'when a sell target is not positive, then it is set at 2x the risk',
      out: output({ action: 'sell', exposure: -0.5, invalidation: 105, target: -20 }),
      want: { target: 90 },
      reasons: { target: /a target of -20 is not a price; set at 2x the risk/ },
    },
    {
      name: `when a target implies a reward/risk above ${MAX_REWARD_RISK}, then it is set at 2x the risk`,
      out: output({ target: 130 }),
      want: { target: 110, riskReward: 2 },
      reasons: { target: /a target 6 times the risk is more than the 5:1 cap/ },
    },
    { name: 'when the reward/risk is exactly 5, then the target stands', out: output({ target: 125 }), want: { target: 125, riskReward: 5 }, reasons: { target: null } },
    {
      name: 'when a sell stop is below the entry, then it is set 1.5 ATR above',
      out: output({ action: 'sell', exposure: -0.5, invalidation: 98, target: 96 }),
      want: { invalidation: 103, target: 96 },
      reasons: { invalidation: /must sit above the entry for a sell; set 1\.5 ATR from the entry/ },
    },
    { name: 'when a buy stop is 0, then it is set 1.5 ATR below', out: output({ invalidation: 0 }), want: { invalidation: 97 }, reasons: { invalidation: /an invalidation of 0 is not a price; set 1\.5 ATR/ } },
    {
      name: 'when a stop is negative and there is no ATR, then it is removed, and so is a target that has no risk to be measured by',
      out: output({ invalidation: -3, target: 90 }),
      ctx: { lastClose: null, atr: null, hallucinationRate: 0 },
      want: { invalidation: null, target: null },
      reasons: { invalidation: /not a price; removed \(no ATR to place one\)/, target: /removed \(no stop to measure the risk by\)/ },
    },
    {
      name: 'when a hold carries a negative target, then it is removed',
      out: output({ action: 'hold', exposure: 0, target: -1 }),
      want: { target: null },
      reasons: { target: /a target of -1 is not a price; removed/ },
    },
  ];
  cases.forEach(check);
});

describe('the direction agrees with the experts (sum of weight x exposure)', () => {
  const allLong = [expert('trend', 0.4, 0.6), expert('reversal', 0.2, 0.3), expert('breakout', 0.2, 0.5), expert('positioning', 0.2, 0.2)];
  const cases: Case[] = [
    {
      name: 'when a sell is proposed while every expert is long, then HOLD',
      out: output({ action: 'sell', exposure: -0.7, invalidation: 105, target: 90 }, { experts: allLong }),
      want: { action: 'hold', exposure: 0 },
      reasons: { action: /a sell against the experts: weighted expert exposure 0\.44 \(sum of weight x exposure\) points the other way, beyond \+-0\.1/ },
    },
    {
      name: 'when a buy is proposed against a short consensus just beyond the band, then HOLD',
      out: output({}, { experts: [expert('trend', 0.5, -0.3), expert('reversal', 0.5, 0.06)] }),
      want: { action: 'hold' },
      reasons: { action: /a buy against the experts: weighted expert exposure -0\.12/ },
    },
    {
      name: `when the experts are split (weighted exposure within +-${EXPERT_BAND}), then the size is halved`,
      out: output({}, { experts: [expert('trend', 0.5, 0.8), expert('reversal', 0.5, -0.7)] }),
      want: { action: 'buy', exposure: 0.4 },
      reasons: { exposure: /the experts are split: weighted expert exposure 0\.05 .* is within \+-0\.1 of flat; size x 0\.5/ },
    },
    { name: 'when the experts agree with the trade, then nothing changes', out: output({}, { experts: allLong }), want: { action: 'buy', exposure: 0.8 }, reasons: { exposure: null, action: null } },
    { name: 'when there are no experts, then there is no view to disagree with', out: output({ action: 'sell', exposure: -0.5, invalidation: 105, target: 90 }), want: { action: 'sell' }, reasons: { action: null } },
  ];
  cases.forEach(check);
});

describe('news: ratings of items never sent are dropped, and untrusted news cannot size a trade', () => {
  it('when ratings name news indexes that were never sent, or rate one twice, then they are dropped and listed', () => {
    const out = output({}, { news: [rating(0, 0), rating(1, 0), rating(3, 0.9), rating(1, 0.5)] });
    const { news, adjustments } = applyPolicy(out, claims({ confirmed: 2 }), { ...ctx, newsCount: 2 });
    assert.deepEqual(news.map((n) => n.index), [0, 1]);
    const dropped = adjustments.filter((a) => a.field === 'news');
    assert.deepEqual(dropped.map((a) => a.from), [rating(3, 0.9), rating(1, 0.5)]);
    assert.ok(dropped.every((a) => a.to === null));
    assert.match(dropped[0].reason, /a rating for news item 3, but 2 items were sent \(indexes 0\.\.1\): dropped/);
    assert.match(dropped[1].reason, /a second rating for news item 1: dropped/);
  });

  it('when no news was sent at all, then every rating is dropped', () => {
    const { news, adjustments } = applyPolicy(output({}, { news: [rating(0, 0.9)] }), claims({ confirmed: 2 }), { ...ctx, newsCount: 0 });
    assert.deepEqual(news, []);
    assert.match(reasonsFor(adjustments, 'news')[0], /no news was sent/);
  });

  it('when the count of news sent is unknown, then nothing is dropped', () => {
    assert.equal(applyPolicy(output({}, { news: [rating(7, 0.2)] }), [], ctx).news.length, 1);
  });

  const experts = [expert('trend', 0.5, 0.5), expert('reversal', 0.5, 0.1)];
  const cases: Case[] = [
    {
      name: 'when bullish news backs a buy sized above what the experts support, then the size is capped at the experts',
      out: output({}, { experts, news: [rating(0, 0.9)] }),
      ctx: { ...ctx, newsCount: 1 },
      want: { action: 'buy', exposure: 0.3 },
      reasons: { exposure: /news ratings are untrusted text and cannot raise exposure: capped at what the non-news evidence supports, the weighted expert exposure 0\.3/ },
    },
    {
      name: 'when the news leans against the trade, then it does not cap it',
      out: output({}, { experts, news: [rating(0, -0.9)] }),
      ctx: { ...ctx, newsCount: 1 },
      want: { exposure: 0.8 },
      reasons: { exposure: null },
    },
    {
      name: 'when only the dropped (never sent) rating backed the trade, then nothing caps it',
      out: output({}, { experts, news: [rating(4, 0.9)] }),
      ctx: { ...ctx, newsCount: 1 },
      want: { exposure: 0.8 },
      reasons: { exposure: null, news: /news item 4/ },
    },
    {
      name: 'when the experts are flat and only the news backs the buy, then HOLD',
      out: output({}, { experts: [expert('trend', 1, 0)], news: [rating(0, 0.9)] }),
      ctx: { ...ctx, newsCount: 1 },
      want: { action: 'hold', exposure: 0 },
      reasons: { action: /only the news supports this buy: news ratings are untrusted text and cannot open a trade/ },
    },
    {
      name: 'when there are no experts and no confirmed supporting claim, then news alone cannot open the trade',
      out: output({}, { news: [rating(0, 0.6)] }),
      ctx: { ...ctx, newsCount: 1 },
      want: { action: 'hold' },
      reasons: { action: /only the news supports/ },
    },
    {
      name: 'when there are no experts but a confirmed pattern backs the trade, then the news caps nothing',
      out: output({}, { news: [rating(0, 0.6)], patterns: [{ name: 'Hammer', kind: 'candlestick', direction: 'bullish', start: null, end: null, confidence: 0.7 }] }),
      claims: [claim('confirmed', { kind: 'pattern', claim: 'bullish Hammer' })],
      ctx: { ...ctx, newsCount: 1 },
      want: { action: 'buy', exposure: 0.8 },
    },
  ];
  cases.forEach(check);
});

describe('degenerate series in the context', () => {
  const cases: Case[] = [
    { name: 'when ATR is 0, then no trade', out: output({}), ctx: { ...ctx, atr: 0 }, want: { action: 'hold', exposure: 0 }, reasons: { action: /the series is flat \(ATR is 0\)/ } },
    {
      name: 'when ATR is a billionth of the price, then no trade',
      out: output({}),
      ctx: { ...ctx, atr: 1e-7 },
      want: { action: 'hold' },
      reasons: { action: /the series is flat \(ATR 1e-7 next to a close of 100\)/ },
    },
    {
      name: 'when the caller says the closes are flat, then no trade',
      out: output({}),
      ctx: { ...ctx, flat: 'every close of the 150 charted bars is 100' },
      want: { action: 'hold' },
      reasons: { action: /the series is flat \(every close of the 150 charted bars is 100\): no trade can be read, sized or stopped/ },
    },
    {
      name: 'when prices are near 1e-6, then a repaired stop keeps its significant digits',
      out: output({ entry: 2.718370117e-6, invalidation: 2.8e-6, target: 2.79e-6 }),
      ctx: { lastClose: 2.718370117e-6, atr: 2.58546561338241e-8, hallucinationRate: 0 },
      want: { action: 'buy', exposure: 0.8, invalidation: 2.6795881e-6, target: 2.79e-6 },
      reasons: { invalidation: /must sit below/ },
    },
  ];
  cases.forEach(check);
});

describe('the audit case through assembleAnalysis, on real S&P 500 bars', () => {
  const all = sp500();
  const t = indexOfDate(all, '2018-06-29');
  const streams = computeMarketStreams(all.slice(0, t + 1));
  const { facts, verify } = verificationFactsFor(streams, t, t - 149);
  const parts = {
    id: 'audit',
    createdAt: '2018-06-29T22:00:00.000Z',
    symbol: 'SPX',
    timeframe: '1d',
    input: { source: 'ohlcv' as const, bars: t + 1, imageSha256: '0'.repeat(64), chart: { width: 1024, height: 512, renderer: 'chartjs' }, newsCount: 1 },
    facts,
    verify,
    provider: {} as never,
  };

  it('when a BUY at exposure 1.0 rests on claims that are all false, then HOLD at exposure 0', () => {
    const close = facts.lastBar.close;
    const out = output(
      { exposure: 1, confidence: 0.9, entry: null, invalidation: null, target: null, rationale: 'Strong uptrend, oversold RSI, a fresh breakout.' },
      {
        regime: { uptrend: 0.1, downtrend: 0.8, sideways: 0.1 },
        experts: [expert('trend', 0.5, 1), expert('breakout', 0.5, 1)],
        patterns: [{ name: 'Morning Star', kind: 'candlestick', direction: 'bullish', start: '2018-06-18', end: '2018-06-20', confidence: 0.9 }],
        levels: { support: [close * 1.5], resistance: [close * 0.5] },
        indicators: [
          { name: 'RSI', value: 12, reading: 'oversold' },
          { name: 'SMA50', value: close * 2, reading: 'price far below' },
        ],
        news: [rating(0, 0.9), rating(5, 1)],
      },
    );
    const a = assembleAnalysis(out, parts);
    const verifiable = a.verification.claims.filter((c) => c.status !== 'unverifiable');
    assert.ok(verifiable.length >= 4 && verifiable.every((c) => c.status !== 'confirmed'), JSON.stringify(a.verification.claims));
    assert.equal(a.decision.action, 'hold');
    assert.equal(a.decision.exposure, 0);
    assert.equal(a.proposedDecision.exposure, 1);
    assert.deepEqual(a.news.map((n) => n.index), [0], 'the rating of a news item never sent is gone');
    const fields = a.verification.adjustments.map((x) => x.field);
    assert.ok(fields.includes('news') && fields.includes('action') && fields.includes('exposure'), JSON.stringify(a.verification.adjustments));
    for (const c of a.verification.claims) assert.deepEqual(Object.keys(c).sort(), ['claim', 'detail', 'kind', 'status']);
  });
});
