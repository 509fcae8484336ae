import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { brierScore, calibrationScores, reliabilityTable, type ScoredCall } from '../../src/core/evaluation/calibration-table.ts';

const near = (a: number | null, b: number, tol = 1e-12): void => assert.ok(a !== null && Math.abs(a - b) <= tol, `${a} != ${b}`);

/** `n` calls at confidence `p`, of which `hits` were right. */
const calls = (p: number, n: number, hits: number): ScoredCall[] => Array.from({ length: n }, (_, i) => ({ confidence: p, hit: i < hits }));

describe('calibration of the confidence', () => {
  it('when every call says 0.9 and half of them hit, then brier is 0.41, the base rate 0.25 and ece 0.4', () => {
    const s = calibrationScores(calls(0.9, 10, 5));
    near(s.brier, 0.41);
    near(s.brierBaseline, 0.25);
    near(s.ece, 0.4);
    assert.deepEqual(s.reliability.map((b) => [b.from, b.to, b.calls, b.hitRate]), [[0.9, 1, 10, 0.5]]);
    near(s.reliability[0].meanConfidence, 0.9);
  });

  it('when each bucket hits as often as it says, then ece is 0 and brier beats the base rate', () => {
    const set = [...calls(0.55, 20, 11), ...calls(0.7, 10, 7), ...calls(0.85, 20, 17)];
    const s = calibrationScores(set);
    near(s.ece, 0, 1e-12);
    assert.deepEqual(
      s.reliability.map((b) => [b.from, b.calls, b.hitRate]),
      [
        [0.5, 20, 0.55],
        [0.7, 10, 0.7],
        [0.8, 20, 0.85],
      ],
    );
    // Brier = mean p(1-p) for a calibrated forecast; the base rate is h(1-h) with h = 35/50.
    const expected = (20 * 0.55 * 0.45 + 10 * 0.7 * 0.3 + 20 * 0.85 * 0.15) / 50;
    near(s.brier, expected, 1e-12);
    near(s.brierBaseline, 0.7 * 0.3, 1e-12);
    assert.ok((s.brier as number) < (s.brierBaseline as number));
  });

  it('when confidence is 1 or 0, then it falls in the end buckets, and a sure right call scores 0', () => {
    const t = reliabilityTable([
      { confidence: 1, hit: true },
      { confidence: 0, hit: false },
    ]);
    assert.deepEqual(t.map((b) => [b.from, b.to, b.calls]), [
      [0, 0.1, 1],
      [0.9, 1, 1],
    ]);
    near(brierScore([{ confidence: 1, hit: true }]), 0);
    near(brierScore([{ confidence: 1, hit: false }]), 1);
  });

  it('when there are no calls, then the scores are null and the table empty', () => {
    assert.deepEqual(calibrationScores([]), { reliability: [], brier: null, brierBaseline: null, ece: null });
  });
});
