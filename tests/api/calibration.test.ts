/**
 * Calibrated confidence through POST /v1/analyze: the local rules' answer names the map that set
 * its confidence (calibration/local.analyze.v1.json) and carries the calibrated value; an analyzer
 * without a map (the fake OpenAI model) says so with calibration null and keeps the policy's value.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { fileCalibrationMaps } from '../../src/adapters/files/calibration-maps.ts';
import { analysisSchema } from '../../src/contracts/index.ts';
import { calibrate, type CalibrationMap } from '../../src/core/analysis/calibration.ts';
import type { ModelOutput } from '../../src/core/analysis/model-output.ts';
import { CONFIDENCE_CAP } from '../../src/core/analysis/policy.ts';
import type { AnalysisStore } from '../../src/ports/analysis-store.ts';
import { type AnalysisApp, openMemoryStore, startAnalysisApp } from '../helpers/analysis-app.ts';
import { sampleCsvText } from '../helpers/candle-rows.ts';

/** The header plus the `n` sample rows ending on `date`, as CSV text. */
function sampleEnding(date: string, n = 300): string {
  const lines = sampleCsvText().trimEnd().split('\n');
  const end = lines.findIndex((l) => l.startsWith(`${date},`));
  assert.ok(end > n, `no row for ${date}`);
  return [lines[0], ...lines.slice(end - n + 1, end + 1)].join('\n');
}

let store: AnalysisStore;
let app: AnalysisApp;
let map: CalibrationMap;

before(async () => {
  store = await openMemoryStore();
  app = await startAnalysisApp({ store, openai: true });
  const found = fileCalibrationMaps().find({ analyzer: 'local', model: null, promptVersion: 'analyze.v1' });
  assert.ok(found, 'calibration/local.analyze.v1.json is committed');
  map = found;
});
after(async () => {
  await app?.close();
  await store?.close();
});

describe('POST /v1/analyze with a calibration map', () => {
  test('when the local rules make a call, then the answer names local.analyze.v1 and its confidence is calibrate(map, raw)', async () => {
    // The close of 2017 sits far above a rising SMA200: the rules buy.
    const res = await request(app.app).post('/v1/analyze').send({ symbol: 'SPX', timeframe: '1d', csv: sampleEnding('2017-12-29') });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const a = analysisSchema.parse(res.body);
    assert.equal(a.provider.analyzer, 'local');
    assert.equal(a.provider.kind, 'rules');
    assert.equal(a.decision.action, 'buy', a.decision.rationale);
    const cal = a.decision.calibration;
    assert.ok(cal, 'the answer names its map');
    assert.equal(cal.map, 'local.analyze.v1');
    assert.equal(cal.version, map.version);
    assert.equal(cal.baseRate, map.baseRate);
    assert.equal(cal.raw, a.proposedDecision.confidence, 'nothing cut the rules\' own confidence before the map');
    assert.equal(a.decision.confidence, Math.round(Math.min(CONFIDENCE_CAP, calibrate(map, cal.raw)) * 1e4) / 1e4);
    assert.notEqual(a.decision.confidence, a.proposedDecision.confidence, 'the uncalibrated 0.6-0.7 score is not what the answer says');
    const adj = a.verification.adjustments.find((x) => x.field === 'confidence' && /calibrated by local\.analyze\.v1/.test(x.reason));
    assert.ok(adj, JSON.stringify(a.verification.adjustments));
    assert.equal(adj.from, cal.raw);
    assert.equal(adj.to, a.decision.confidence);

    const again = await request(app.app).post('/v1/analyze').send({ symbol: 'SPX', timeframe: '1d', csv: sampleEnding('2017-12-29') });
    assert.equal(again.body.provider.cached, true);
    assert.deepEqual(again.body.decision, res.body.decision, 'the stored answer carries the same calibration');
    const stored = await request(app.app).get(`/v1/analyses/${a.id}`);
    assert.deepEqual(stored.body.decision.calibration, cal);
  });

  test('when the local rules hold, then calibration is null: a map calibrates calls', async () => {
    const res = await request(app.app).post('/v1/analyze').send({ symbol: 'SPX', timeframe: '1d', csv: sampleEnding('2019-06-03') });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.decision.action, 'hold', res.body.decision.rationale);
    assert.equal(res.body.decision.calibration, null);
  });

  test('when a model without a fitted map answers, then calibration is null and the confidence is the policy\'s', async () => {
    const fake = app.fake;
    assert.ok(fake);
    const csv = sampleEnding('2017-12-29');
    const local = await request(app.app).post('/v1/analyze').send({ symbol: 'SPX', timeframe: '1d', csv, analyzer: 'local' });
    const rules = local.body as { market: { indicators: { rsi14: number } }; experts: ModelOutput['experts']; regime: ModelOutput['regime'] };
    // A model's buy whose one claim checks out: the policy keeps its 0.7.
    const reply: ModelOutput = {
      regime: rules.regime,
      experts: rules.experts,
      patterns: [],
      levels: { support: [], resistance: [] },
      indicators: [{ name: 'rsi14', value: Number(rules.market.indicators.rsi14.toFixed(2)), reading: 'strong' }],
      news: [],
      decision: { action: 'buy', exposure: 0.5, confidence: 0.7, horizonBars: 5, entry: null, invalidation: null, target: null, rationale: 'Momentum: rsi14 is strong.' },
      risks: [],
    };
    fake.enqueue({ kind: 'json', body: reply });
    const res = await request(app.app).post('/v1/analyze').send({ symbol: 'SPX', timeframe: '1d', csv, analyzer: 'openai' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const a = analysisSchema.parse(res.body);
    assert.equal(a.provider.analyzer, 'openai');
    assert.equal(a.provider.degraded, false);
    assert.equal(a.decision.action, 'buy', JSON.stringify(a.verification.adjustments));
    assert.equal(a.decision.calibration, null, 'no map is fitted for this model');
    assert.equal(a.decision.confidence, 0.7);
    assert.ok(!a.verification.adjustments.some((x) => /calibrated by/.test(x.reason)), JSON.stringify(a.verification.adjustments));
  });
});
