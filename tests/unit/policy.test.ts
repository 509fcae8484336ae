import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { VerifiedClaim } from '../../src/core/analysis/analysis.ts';
import type { ModelOutput } from '../../src/core/analysis/model-output.ts';
import { applyPolicy, CONFIDENCE_CAP, normalizeOutput, UNVERIFIED_CONFIDENCE_CAP } from '../../src/core/analysis/policy.ts';

function output(decision: Partial<ModelOutput['decision']>, patterns: ModelOutput['patterns'] = []): ModelOutput {
  return {
    regime: { uptrend: 0.6, downtrend: 0.1, sideways: 0.3 },
    experts: [],
    patterns,
    levels: { support: [], resistance: [] },
    indicators: [],
    news: [],
    decision: {
      action: 'buy',
      exposure: 0.5,
      confidence: 0.6,
      horizonBars: 5,
      entry: 100,
      invalidation: 95,
      target: 110,
      rationale: 'Trend is up.',
      ...decision,
    },
    risks: [],
  };
}
const ctx = { lastClose: 100, atr: 2, hallucinationRate: 0 };
const claim = (c: Partial<VerifiedClaim>): VerifiedClaim => ({ claim: 'x', kind: 'pattern', status: 'confirmed', detail: '', ...c });
const morningStar = { name: 'Morning Star', kind: 'candlestick' as const, direction: 'bullish' as const, start: '2020-03-20', end: '2020-03-24', confidence: 0.7 };

describe('the decision policy', () => {
  it('when everything checks out, then the decision passes unchanged with its risk/reward', () => {
    const { decision, adjustments } = applyPolicy(output({}), [claim({ kind: 'regime' })], ctx);
    assert.deepEqual(adjustments, []);
    assert.equal(decision.action, 'buy');
    assert.equal(decision.confidence, 0.6);
    assert.equal(decision.riskReward, 2);
  });

  it('when a pattern the buy rests on is contradicted, then HOLD with halved confidence, and it says why', () => {
    const { decision, adjustments } = applyPolicy(
      output({ rationale: 'A morning star at support.' }, [morningStar]),
      [claim({ kind: 'regime' }), claim({ claim: 'bullish Morning Star', status: 'contradicted' })],
      { ...ctx, hallucinationRate: 0.5 },
    );
    assert.equal(decision.action, 'hold');
    assert.equal(decision.exposure, 0);
    assert.ok(decision.confidence <= 0.6 * 0.5);
    const fields = adjustments.map((a) => a.field);
    assert.ok(fields.includes('action') && fields.includes('exposure') && fields.includes('confidence'));
    assert.match(adjustments[0].reason, /contradicted.*Morning Star/);
  });

  it('when one supporting claim is not found but another is confirmed, then confidence is cut but the action stands', () => {
    const engulfing = { ...morningStar, name: 'Bullish Engulfing', start: '2020-03-23', end: '2020-03-24' };
    const { decision, adjustments } = applyPolicy(
      output({}, [morningStar, engulfing]),
      [claim({ kind: 'regime' }), claim({ claim: 'bullish Morning Star', status: 'not_found' }), claim({ claim: 'bullish Engulfing' })],
      { ...ctx, hallucinationRate: 0.5 },
    );
    assert.equal(decision.action, 'buy');
    assert.equal(decision.confidence, Number((0.6 * 0.7 * 0.75).toFixed(4)));
    assert.equal(adjustments.filter((a) => a.field === 'confidence').length, 2);
  });

  it('when nothing the decision rests on was found, then HOLD: the call stands on invented evidence', () => {
    const { decision, adjustments } = applyPolicy(
      output({ rationale: 'A morning star just formed.' }, [morningStar]),
      [claim({ kind: 'regime' }), claim({ claim: 'bullish Morning Star', status: 'not_found' })],
      { ...ctx, hallucinationRate: 0.5 },
    );
    assert.equal(decision.action, 'hold');
    assert.equal(decision.exposure, 0);
    assert.match(adjustments[0].reason, /nothing the decision rests on was found/);
  });

  it('when a flagged claim is unrelated to the decision, then only the overall rate lowers confidence', () => {
    const bearish = { ...morningStar, name: 'Evening Star', direction: 'bearish' as const };
    const { decision } = applyPolicy(output({}, [bearish]), [claim({ kind: 'regime' }), claim({ status: 'not_found' })], {
      ...ctx,
      hallucinationRate: 0.5,
    });
    assert.equal(decision.action, 'buy');
    assert.equal(decision.confidence, 0.45);
  });

  it('when the exposure sign disagrees with the action, then the sign follows the action', () => {
    assert.equal(applyPolicy(output({ action: 'buy', exposure: -0.4 }), [], ctx).decision.exposure, 0.4);
    const sell = applyPolicy(output({ action: 'sell', exposure: 0.3, invalidation: 105, target: 90 }), [], ctx).decision;
    assert.equal(sell.exposure, -0.3);
    const hold = applyPolicy(output({ action: 'hold', exposure: 0.3 }), [], ctx);
    assert.equal(hold.decision.exposure, 0);
    assert.ok(hold.adjustments.some((a) => a.reason.includes('hold carries no exposure')));
    assert.equal(applyPolicy(output({ action: 'buy', exposure: 0 }), [], ctx).decision.action, 'hold');
  });

  it('when the stop is on the wrong side of the entry, then it is moved 1.5 ATR beyond the entry', () => {
    const { decision, adjustments } = applyPolicy(output({ invalidation: 104 }), [], ctx);
    assert.equal(decision.invalidation, 97);
    assert.ok(adjustments.some((a) => a.field === 'invalidation' && a.from === 104 && a.to === 97));
    const sell = applyPolicy(output({ action: 'sell', exposure: -0.5, invalidation: 90, target: 80 }), [], ctx).decision;
    assert.equal(sell.invalidation, 103);
  });

  it('when the target is on the wrong side, then it is set at twice the risk', () => {
    assert.equal(applyPolicy(output({ target: 90 }), [], ctx).decision.target, 110);
  });

  it('when no entry is given, then the last close is used', () => {
    const { decision } = applyPolicy(output({ entry: null }), [], ctx);
    assert.equal(decision.entry, 100);
  });

  it('when the model is overconfident, then confidence is capped; lower still when nothing was verified', () => {
    assert.equal(applyPolicy(output({ confidence: 0.99 }), [], ctx).decision.confidence, CONFIDENCE_CAP);
    const unverified = applyPolicy(output({ confidence: 0.99 }), [], { lastClose: null, atr: null, hallucinationRate: null });
    assert.equal(unverified.decision.confidence, UNVERIFIED_CONFIDENCE_CAP);
  });

  it('when there is no data to compute ATR and the stop is wrong, then it is removed rather than invented', () => {
    const { decision } = applyPolicy(output({ invalidation: 120 }), [], { lastClose: null, atr: null, hallucinationRate: null });
    assert.equal(decision.invalidation, null);
    assert.equal(decision.riskReward, null);
  });
});

describe('normalising the model output', () => {
  it('when regime probabilities and expert weights do not sum to 1, then they are rescaled and listed', () => {
    const o = output({});
    o.regime = { uptrend: 0.6, downtrend: 0.3, sideways: 0.3 };
    o.experts = [
      { name: 'trend', weight: 0.5, stance: 'long', exposure: 0.5, rationale: '' },
      { name: 'reversal', weight: 0.5, stance: 'flat', exposure: 0, rationale: '' },
      { name: 'breakout', weight: 0.5, stance: 'flat', exposure: 0, rationale: '' },
      { name: 'positioning', weight: 0.5, stance: 'flat', exposure: 0, rationale: '' },
    ];
    const { output: fixed, adjustments } = normalizeOutput(o);
    assert.deepEqual(fixed.regime, { uptrend: 0.5, downtrend: 0.25, sideways: 0.25 });
    assert.deepEqual(fixed.experts.map((e) => e.weight), [0.25, 0.25, 0.25, 0.25]);
    assert.deepEqual(adjustments.map((a) => a.field), ['regime', 'experts.weight']);
  });

  it('when they already sum to 1 within rounding, then nothing changes', () => {
    const o = output({});
    o.regime = { uptrend: 0.333, downtrend: 0.333, sideways: 0.333 };
    assert.deepEqual(normalizeOutput(o).adjustments, []);
  });
});
