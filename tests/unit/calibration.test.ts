/**
 * Calibrated confidence: fitting the map on constructed replay rows (monotone, shrunk toward the
 * base rate, a constant for a forecaster with no skill, blind to outcomes not known at the fit's
 * end), applying it in the policy, and loading the committed artefact.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CALIBRATION_DIR, fileCalibrationMaps, loadCalibrationMaps, parseCalibrationMap } from '../../src/adapters/files/calibration-maps.ts';
import { calibrate, type CalibrationMap, calibrationMapId, mapProblems } from '../../src/core/analysis/calibration.ts';
import type { ModelOutput } from '../../src/core/analysis/model-output.ts';
import { applyPolicy, CONFIDENCE_CAP, type PolicyContext } from '../../src/core/analysis/policy.ts';
import {
  type CalibrationObservation,
  fitBins,
  fitCalibration,
  knownBy,
  observationsFromRows,
  scoreForecasts,
  walkForwardForecasts,
} from '../../src/core/evaluation/fit-calibration.ts';
import { calibrationMaps } from '../../src/ports/calibration-maps.ts';

/** A seeded PRNG (mulberry32) so the constructed outcomes are reproducible. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` calls every 5 bars, raw confidence from `raws`, right with probability `p(raw)`. */
function observations(n: number, raws: readonly number[], p: (raw: number) => number, seed = 1): CalibrationObservation[] {
  const rand = mulberry32(seed);
  return Array.from({ length: n }, (_, i) => {
    const raw = raws[i % raws.length];
    return { index: 200 + 5 * i, time: `t${i}`, raw, hit: rand() < p(raw) };
  });
}

const META = { version: 1, analyzer: 'local', model: null, promptVersion: 'analyze.v1', horizonBars: 5, source: 'test', window: 150, step: 5 };
const isMonotone = (bins: readonly { hitRate: number }[]): boolean => bins.every((b, k) => k === 0 || b.hitRate >= bins[k - 1].hitRate);

describe('fitting a calibration map', () => {
  it('when higher raw confidence is right more often, then the steps rise with it and calibrate() reads them back', () => {
    const raws = [0.55, 0.6, 0.65, 0.7, 0.75, 0.8];
    const obs = observations(6000, raws, (r) => r - 0.1);
    const { baseRate, bins } = fitBins(knownBy(obs, Number.POSITIVE_INFINITY, 5));
    assert.ok(isMonotone(bins), JSON.stringify(bins));
    assert.ok(bins.length >= 4, `a skilled forecaster keeps its steps: ${JSON.stringify(bins)}`);
    assert.equal(bins[0].from, 0);
    assert.equal(bins[bins.length - 1].to, 1);
    for (let k = 1; k < bins.length; k++) assert.equal(bins[k].from, bins[k - 1].to, 'the steps are contiguous');
    for (const r of raws) assert.ok(Math.abs(calibrate({ baseRate, bins }, r) - (r - 0.1)) < 0.05, `raw ${r} -> ${calibrate({ baseRate, bins }, r)}`);
    assert.ok(calibrate({ baseRate, bins }, 0.8) > calibrate({ baseRate, bins }, 0.55));
  });

  it('when the raw confidence carries no information, then the map is one step at the base rate: a no-skill forecaster says so', () => {
    const obs = observations(1000, [0.6, 0.65, 0.7], () => 0.56, 7);
    const { baseRate, bins } = fitBins(knownBy(obs, Number.POSITIVE_INFINITY, 5));
    for (const r of [0, 0.3, 0.6, 0.65, 0.7, 1]) assert.ok(Math.abs(calibrate({ baseRate, bins }, r) - baseRate) < 0.03, `raw ${r}`);
    assert.ok(Math.abs(baseRate - 0.56) < 0.04);
  });

  it('when a step has few calls, then its rate is shrunk toward the base rate; with many it keeps what it measured', () => {
    // 400 calls at raw 0.6 right half the time; 4 calls at raw 0.9, all right.
    const scored = [
      ...Array.from({ length: 400 }, (_, i) => ({ raw: 0.6, hit: i % 2 === 0 })),
      ...Array.from({ length: 4 }, () => ({ raw: 0.9, hit: true })),
    ];
    const { baseRate, bins } = fitBins(scored, 20);
    const top = calibrate({ baseRate, bins }, 0.9);
    assert.ok(Math.abs(top - (4 + 20 * baseRate) / 24) < 1e-4, `4 hits of 4 shrunk by 20 pseudo-calls: ${top}`);
    assert.ok(top < 0.65, 'four lucky calls do not make a 100% forecast');
    const unshrunk = fitBins(scored, 0);
    assert.equal(calibrate(unshrunk, 0.9), 1);
    assert.ok(Math.abs(calibrate({ baseRate, bins }, 0.6) - 0.5) < 0.01, 'the big step keeps its rate');
  });

  it('when a small step would out-rank a larger, better one by luck, then the shrunk steps are pooled and stay monotone', () => {
    const scored = [
      ...Array.from({ length: 3 }, () => ({ raw: 0.55, hit: true })),
      ...Array.from({ length: 200 }, (_, i) => ({ raw: 0.6, hit: i % 5 !== 0 })), // 80%
      ...Array.from({ length: 200 }, (_, i) => ({ raw: 0.7, hit: i % 10 < 3 })), // 30%
    ];
    const { bins } = fitBins(scored);
    assert.ok(isMonotone(bins), JSON.stringify(bins));
    assert.deepEqual(mapProblems({ bins, baseRate: 0.5, horizonBars: 5 }), []);
  });

  it('when a row\'s outcome is not known by the fit\'s last bar (index + horizon > asOf), then the fit does not read it', () => {
    const early = observations(100, [0.6, 0.7], () => 0.5, 3); // bars 200..695
    // Calls decided at 698 and 699 are right: their outcomes (bars 703, 704) come after asOf = 700.
    const late: CalibrationObservation[] = [
      { index: 698, time: 'late1', raw: 0.9, hit: true },
      { index: 699, time: 'late2', raw: 0.9, hit: true },
    ];
    const map = fitCalibration([...early, ...late], 700, META);
    const withoutLate = fitCalibration(early, 700, META);
    assert.deepEqual(map, withoutLate);
    assert.equal(map.fittedOn.calls, 100);
    assert.equal(knownBy(late, 703, 5).length, 1, 'the first is known at bar 703, the second not yet');
    assert.equal(knownBy(late, 704, 5).length, 2);
  });

  it('when holds, flat moves and calls past the end are in the replay, then only directional calls with a known move are scored', () => {
    const obs = observationsFromRows([
      { index: 1, time: 'a', exposure: 0.5, confidence: 0.6, forwardReturn: 0.01 },
      { index: 2, time: 'b', exposure: -0.5, confidence: 0.6, forwardReturn: 0.01 },
      { index: 3, time: 'c', exposure: 0, confidence: 0.5, forwardReturn: 0.01 },
      { index: 4, time: 'd', exposure: 0.5, confidence: 0.6, forwardReturn: 0 },
      { index: 5, time: 'e', exposure: 0.5, confidence: 0.6, forwardReturn: null },
    ]);
    assert.deepEqual(
      obs.map((o) => o.hit),
      [true, false, null, null, null],
    );
  });

  it('when forecasts are walked forward, then each uses only outcomes known at its own bar', () => {
    const obs = observations(300, [0.6, 0.7], (r) => (r > 0.65 ? 0.7 : 0.4), 11);
    const walk = walkForwardForecasts(obs, 5, { minCalls: 50, prior: 0.5 });
    assert.equal(walk.length, obs.length);
    // Calls are 5 bars apart, so call i knows the outcomes of calls 0..i-1: the first 50 get the prior.
    assert.ok(walk.slice(0, 50).every((w) => w.forecast === 0.5));
    assert.ok(walk.slice(50).some((w) => w.forecast !== 0.5));
    // Changing the outcome of call k changes no forecast up to and including its own.
    const k = 150;
    const flipped = obs.map((o, i) => (i === k ? { ...o, hit: !o.hit } : o));
    const walk2 = walkForwardForecasts(flipped, 5, { minCalls: 50, prior: 0.5 });
    assert.deepEqual(
      walk2.slice(0, k + 1).map((w) => w.forecast),
      walk.slice(0, k + 1).map((w) => w.forecast),
    );
    // With calls 1 bar apart and a 5-bar horizon, call i knows only calls up to i-5.
    const dense = obs.map((o, i) => ({ ...o, index: 200 + i }));
    const denseFlipped = dense.map((o, i) => (i === k ? { ...o, hit: !o.hit } : o));
    assert.deepEqual(
      walkForwardForecasts(denseFlipped, 5, { minCalls: 50 }).slice(0, k + 5).map((w) => w.forecast),
      walkForwardForecasts(dense, 5, { minCalls: 50 }).slice(0, k + 5).map((w) => w.forecast),
    );
  });

  it('when two raw confidences are 0.0001 apart, then each reads its own step', () => {
    const scored = [
      ...Array.from({ length: 500 }, (_, i) => ({ raw: 0.6, hit: i % 10 < 4 })),
      ...Array.from({ length: 500 }, (_, i) => ({ raw: 0.6001, hit: i % 10 < 7 })),
    ];
    const fit = fitBins(scored);
    assert.equal(fit.bins.length, 2);
    assert.ok(calibrate(fit, 0.6) < 0.45 && calibrate(fit, 0.6001) > 0.65, JSON.stringify(fit.bins));
  });

  it('when forecasts are scored, then Brier, the base-rate Brier and ECE are the textbook ones', () => {
    const calls = [
      { forecast: 0.6, hit: true },
      { forecast: 0.6, hit: false },
      { forecast: 0.6, hit: true },
      { forecast: 0.6, hit: true },
    ];
    const s = scoreForecasts(calls, 0.5);
    assert.equal(s.hitRate, 0.75);
    assert.ok(Math.abs((s.brier as number) - (3 * 0.16 + 0.36) / 4) < 1e-12);
    assert.ok(Math.abs((s.brierBaseRate as number) - 0.1875) < 1e-12);
    assert.ok(Math.abs((s.brierPrior as number) - 0.25) < 1e-12);
    assert.ok(Math.abs((s.ece as number) - 0.15) < 1e-12);
  });
});

type Expert = ModelOutput['experts'][number];
const expert = (name: Expert['name'], exposure: number): Expert => ({ name, weight: 0.5, exposure, stance: exposure > 0.1 ? 'long' : 'flat', rationale: '' });
const output = (decision: Partial<ModelOutput['decision']> = {}): ModelOutput => ({
  regime: { uptrend: 0.6, downtrend: 0.1, sideways: 0.3 },
  experts: [expert('trend', 0.8), expert('breakout', 0.8)],
  patterns: [],
  levels: { support: [], resistance: [] },
  indicators: [],
  news: [],
  risks: [],
  decision: { action: 'buy', exposure: 0.8, confidence: 0.65, horizonBars: 5, entry: 100, invalidation: 96, target: 108, rationale: 'Trend.', ...decision },
});
const claims = [{ claim: 'sma200 = 90', kind: 'indicator' as const, status: 'confirmed' as const, detail: '' }];
const MAP: CalibrationMap = {
  version: 3,
  analyzer: 'local',
  model: null,
  promptVersion: 'analyze.v1',
  horizonBars: 5,
  fittedOn: { from: '2000-10-30', to: '2014-12-18', calls: 645, source: 'test', window: 150, step: 5 },
  method: 'test',
  shrinkage: 20,
  baseRate: 0.55,
  bins: [
    { from: 0, to: 0.625, n: 300, hitRate: 0.52 },
    { from: 0.625, to: 1, n: 345, hitRate: 0.57 },
  ],
};
const ctx: PolicyContext = { lastClose: 100, atr: 2, hallucinationRate: 0, calibration: MAP };

describe('the policy applies the map (rule 13)', () => {
  it('when a map is given, then a call\'s confidence is the map\'s hit rate for it, listed in the adjustments and named in the decision', () => {
    const { decision, adjustments } = applyPolicy(output(), claims, ctx);
    assert.equal(decision.confidence, 0.57);
    assert.deepEqual(decision.calibration, { map: 'local.analyze.v1', version: 3, raw: 0.65, baseRate: 0.55 });
    const adj = adjustments.find((a) => a.field === 'confidence');
    assert.ok(adj, JSON.stringify(adjustments));
    assert.equal(adj.from, 0.65);
    assert.equal(adj.to, 0.57);
    assert.match(adj.reason, /calibrated by local\.analyze\.v1 v3 \(645 calls replayed 2000-10-30\.\.2014-12-18, base rate 0\.55\)/);
  });

  it('when the policy has cut the confidence first, then the map reads the cut value (the raw is what the policy made)', () => {
    const { decision } = applyPolicy(output(), claims, { ...ctx, hallucinationRate: 0.4 });
    assert.equal(decision.calibration?.raw, 0.52, '0.65 x (1 - 0.4 / 2)');
    assert.equal(decision.confidence, 0.52);
  });

  it('when there is no map, then the confidence is the policy\'s and calibration is null', () => {
    const { decision } = applyPolicy(output(), claims, { ...ctx, calibration: null });
    assert.equal(decision.confidence, 0.65);
    assert.equal(decision.calibration, null);
  });

  it('when the decision is a hold, or its horizon is not the map\'s, then the map does not apply', () => {
    const hold = applyPolicy(output({ action: 'hold', exposure: 0, confidence: 0.5 }), claims, ctx).decision;
    assert.equal(hold.calibration, null);
    assert.equal(hold.confidence, 0.5);
    const longer = applyPolicy(output({ horizonBars: 20 }), claims, ctx).decision;
    assert.equal(longer.calibration, null);
    assert.equal(longer.confidence, 0.65);
  });

  it('when a map says more than the cap, then the cap still holds', () => {
    const bold: CalibrationMap = { ...MAP, bins: [{ from: 0, to: 1, n: 100, hitRate: 0.95 }] };
    assert.equal(applyPolicy(output(), claims, { ...ctx, calibration: bold }).decision.confidence, CONFIDENCE_CAP);
  });
});

describe('the calibration artefacts', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'chartlens-calibration-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('when calibration/ is loaded, then local.analyze.v1.json validates: fitted 2000..2014, steps monotone and covering [0, 1]', () => {
    const maps = loadCalibrationMaps(CALIBRATION_DIR);
    const local = maps.find((m) => calibrationMapId(m) === 'local.analyze.v1');
    assert.ok(local, `maps: ${maps.map((m) => calibrationMapId(m)).join(', ')}`);
    assert.equal(local.analyzer, 'local');
    assert.equal(local.model, null);
    assert.equal(local.horizonBars, 5);
    assert.ok(local.fittedOn.from >= '2000-01-03' && local.fittedOn.to <= '2014-12-31', JSON.stringify(local.fittedOn));
    assert.deepEqual(mapProblems(local), []);
    assert.equal(local.bins[0].from, 0);
    assert.equal(local.bins[local.bins.length - 1].to, 1);
    assert.equal(local.bins.reduce((s, b) => s + b.n, 0), local.fittedOn.calls);
    const found = fileCalibrationMaps().find({ analyzer: 'local', model: null, promptVersion: 'analyze.v1' });
    assert.deepEqual(found, local);
    assert.equal(fileCalibrationMaps().find({ analyzer: 'openai', model: 'gpt-4.1-mini', promptVersion: 'analyze.v1' }), null, 'no map for an unfitted model');
  });

  it('when a map file is broken, then loading names the file and the problem', () => {
    const good = JSON.parse(JSON.stringify(MAP)) as CalibrationMap;
    const write = (name: string, body: unknown): string => {
      const dir = mkdtempSync(join(tmp, 'maps-'));
      writeFileSync(join(dir, name), typeof body === 'string' ? body : JSON.stringify(body));
      return dir;
    };
    assert.equal(loadCalibrationMaps(write('local.analyze.v1.json', good)).length, 1);
    assert.throws(() => loadCalibrationMaps(write('local.analyze.v1.json', '{ not json')), /local\.analyze\.v1\.json: not valid JSON/);
    assert.throws(() => loadCalibrationMaps(write('local.analyze.v1.json', { ...good, extra: 1 })), /Unrecognized key/);
    assert.throws(() => loadCalibrationMaps(write('local.analyze.v1.json', { ...good, baseRate: 1.5 })), /baseRate/);
    const falling = { ...good, bins: [{ from: 0, to: 0.5, n: 10, hitRate: 0.6 }, { from: 0.5, to: 1, n: 10, hitRate: 0.5 }] };
    assert.throws(() => loadCalibrationMaps(write('local.analyze.v1.json', falling)), /falls below/);
    assert.throws(() => loadCalibrationMaps(write('openai.analyze.v1.json', good)), /make it local\.analyze\.v1\.json/);
    assert.deepEqual(loadCalibrationMaps(join(tmp, 'no-such-folder')), [], 'no folder, no maps');
    assert.throws(() => parseCalibrationMap({ ...good, bins: [] }, 'x/local.analyze.v1.json'), /bins/);
  });

  it('when two maps share an id, then the in-memory maps refuse them', () => {
    assert.throws(() => calibrationMaps([MAP, { ...MAP, version: 4 }]), /two calibration maps for local\.analyze\.v1/);
  });
});
