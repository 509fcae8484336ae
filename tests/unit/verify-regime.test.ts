/** The regime claim against the computed regime, and what the regime alone can verify. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { VerifiedClaim } from '../../src/core/analysis/analysis.ts';
import { summarize, type VerificationFacts, verifyRegime } from '../../src/core/analysis/verify.ts';

function factsWith(p: { uptrend: number; downtrend: number; sideways: number }): VerificationFacts {
  const direction = p.uptrend >= p.downtrend && p.uptrend >= p.sideways ? 'up' : p.downtrend >= p.sideways ? 'down' : 'sideways';
  return {
    candles: [],
    t: 0,
    window: { from: 0, to: 0 },
    patterns: [],
    levels: [],
    topLevels: [],
    indicators: {} as VerificationFacts['indicators'],
    atr: 1,
    trend: { direction, strength: 0.5, maAlignment: null, adx: null, slopeAtrPerBar: null, probabilities: p },
  };
}

const claimed = (top: 'uptrend' | 'downtrend' | 'sideways') => ({
  uptrend: top === 'uptrend' ? 0.7 : 0.15,
  downtrend: top === 'downtrend' ? 0.7 : 0.15,
  sideways: top === 'sideways' ? 0.7 : 0.15,
});

describe('verifying the regime', () => {
  const table: [string, { uptrend: number; downtrend: number; sideways: number }, 'uptrend' | 'downtrend' | 'sideways', string][] = [
    ['a clear uptrend claimed as uptrend', { uptrend: 0.7, downtrend: 0.05, sideways: 0.25 }, 'uptrend', 'confirmed'],
    ['a clear uptrend claimed as downtrend', { uptrend: 0.7, downtrend: 0.05, sideways: 0.25 }, 'downtrend', 'contradicted'],
    ['a clear uptrend claimed as sideways', { uptrend: 0.7, downtrend: 0.05, sideways: 0.25 }, 'sideways', 'contradicted'],
    ['a clear sideways market claimed as uptrend', { uptrend: 0.2, downtrend: 0.15, sideways: 0.65 }, 'uptrend', 'contradicted'],
    ['a clear downtrend claimed as sideways', { uptrend: 0.02, downtrend: 0.6, sideways: 0.38 }, 'sideways', 'contradicted'],
    ['an unclear market (no majority) claimed as uptrend', { uptrend: 0.4, downtrend: 0.2, sideways: 0.4 }, 'uptrend', 'unverifiable'],
    ['a near tie claimed as the runner-up', { uptrend: 0.52, downtrend: 0.0, sideways: 0.48 }, 'sideways', 'unverifiable'],
  ];
  for (const [what, computed, claim, status] of table) {
    test(`when ${what}, then ${status}`, () => {
      const c = verifyRegime(claimed(claim), factsWith(computed));
      assert.equal(c.status, status, c.detail);
    });
  }

  test('when only the regime could be checked, then the analysis is not "verified"', () => {
    const regimeOnly: VerifiedClaim[] = [
      { claim: 'regime: uptrend', kind: 'regime', status: 'confirmed', detail: '' },
      { claim: 'Elliott wave', kind: 'pattern', status: 'unverifiable', detail: '' },
    ];
    assert.equal(summarize(regimeOnly).status, 'unverified');
    const withLevel: VerifiedClaim[] = [...regimeOnly, { claim: 'support at 1', kind: 'level', status: 'confirmed', detail: '' }];
    assert.equal(summarize(withLevel).status, 'verified');
    const flagged: VerifiedClaim[] = [{ claim: 'regime: downtrend', kind: 'regime', status: 'contradicted', detail: '' }];
    assert.equal(summarize(flagged).status, 'partial');
  });
});
