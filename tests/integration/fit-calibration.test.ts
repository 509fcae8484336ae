/**
 * The fit-calibration use case on a real replay: it reads the policy's own confidence (never a
 * map's), nothing after the fit's last bar, and scores the held-out calls it is asked to check.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ChartJsRenderer } from '../../renderers/chartjs/chartjs-renderer.ts';
import { openAnalysisStore } from '../../src/adapters/store/pg-store.ts';
import { loadConfig } from '../../src/composition/config.ts';
import { buildServices, type Services } from '../../src/composition/root.ts';
import type { CalibrationMap } from '../../src/core/analysis/calibration.ts';
import { fitCalibration, observationsFromRows } from '../../src/core/evaluation/fit-calibration.ts';
import type { Candle } from '../../src/core/market/candles.ts';
import type { AnalysisStore } from '../../src/ports/analysis-store.ts';
import { calibrationMaps } from '../../src/ports/calibration-maps.ts';
import { runBacktest } from '../../src/use-cases/backtest.ts';
import { CALIBRATION_REPLAY, fitCalibrationFromReplay, type FitCalibrationOptions } from '../../src/use-cases/fit-calibration.ts';
import { sp500 } from '../helpers/sample-data.ts';

/** A map that says 0.123 for everything: if the fit ever read a calibrated confidence, it would show. */
const SILLY: CalibrationMap = {
  version: 9,
  analyzer: 'local',
  model: null,
  promptVersion: 'analyze.v1',
  horizonBars: 5,
  fittedOn: { from: 'a', to: 'b', calls: 1, source: 'test', window: 150, step: 5 },
  method: 'test',
  shrinkage: 0,
  baseRate: 0.123,
  bins: [{ from: 0, to: 1, n: 1, hitRate: 0.123 }],
};

const renderer = new ChartJsRenderer();
let store: AnalysisStore;
let services: Services;

before(async () => {
  store = await openAnalysisStore({ dataDir: ':memory:' });
  services = await buildServices(loadConfig({ CHARTLENS_LOG: 'silent' }), { store, renderer, calibration: calibrationMaps([SILLY]) });
});
after(async () => {
  await services.close();
  await store.close();
  await renderer.close();
});

const candles = sp500().slice(0, 760);
const TO = 650;
const options = (over: Partial<FitCalibrationOptions> = {}): FitCalibrationOptions => ({
  candles,
  symbol: null,
  timeframe: '1d',
  analyzer: 'local',
  model: null,
  fromIndex: 400,
  toIndex: TO,
  version: 1,
  source: 'sp500 sample',
  ...over,
});

describe('fitting a calibration map on a replay', () => {
  it('when the deps carry a map, then the fit still reads the policy\'s raw confidence, on bars up to --to only', async () => {
    const r = await fitCalibrationFromReplay(services.analyze, options());
    const raw = await runBacktest(
      { ...services.analyze, calibration: undefined },
      { candles: candles.slice(0, TO + 1), symbol: null, timeframe: '1d', ...CALIBRATION_REPLAY, fromIndex: 400, analyzer: 'local', model: null },
    );
    const expected = fitCalibration(observationsFromRows(raw.decisions), TO, {
      version: 1,
      analyzer: 'local',
      model: null,
      promptVersion: 'analyze.v1',
      horizonBars: 5,
      source: 'sp500 sample',
      window: 150,
      step: 5,
    });
    assert.deepEqual(r.map, expected);
    assert.ok(r.map.baseRate !== 0.123 && r.map.bins.every((b) => b.hitRate !== 0.123));
    assert.ok(r.map.fittedOn.calls > 20, `${r.map.fittedOn.calls} calls`);
    assert.equal(r.heldOut, null);
  });

  it('when every bar after --to is rewritten, then the map is the same', async () => {
    const rewritten: Candle[] = candles.map((c, i) => (i <= TO ? c : { ...c, open: c.open * 2, high: c.high * 2.1, low: c.low * 1.9, close: c.close * 2 }));
    const a = await fitCalibrationFromReplay(services.analyze, options());
    const b = await fitCalibrationFromReplay(services.analyze, options({ candles: rewritten }));
    assert.deepEqual(b.map, a.map);
  });

  it('when a held-out check is asked for, then the calls after --to are scored raw, calibrated and walked forward', async () => {
    const r = await fitCalibrationFromReplay(services.analyze, options({ checkToIndex: candles.length - 1 }));
    assert.ok(r.heldOut);
    assert.ok(r.heldOut.from > r.map.fittedOn.to, `${r.heldOut.from} after ${r.map.fittedOn.to}`);
    for (const s of [r.heldOut.raw, r.heldOut.calibrated, r.heldOut.walkForward]) {
      assert.equal(s.calls, r.heldOut.raw.calls);
      assert.ok(s.brier !== null && s.ece !== null && s.brierBaseRate !== null);
    }
    assert.ok(r.heldOut.raw.meanForecast !== null && r.heldOut.raw.meanForecast >= 0.3, 'raw: the policy\'s confidence, not the silly map\'s');
  });
});
