import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { computeIndicatorSeries, INDICATOR_NAMES, indicatorValuesAt } from '../../src/core/market/indicators.ts';
import { runTalib } from '../../src/core/market/talib.ts';
import * as ref from '../helpers/reference-indicators.ts';
import { sp500 } from '../helpers/sample-data.ts';

const talib = createRequire(import.meta.url)('talib');
const TOLERANCE = 1e-9;

/** TA-Lib called directly, bypassing chartlens's wrapper, with every option spelled out. */
function direct(name: string, params: Record<string, unknown>, output: string, n: number): (number | null)[] {
  const r = talib.execute({ name, startIdx: 0, endIdx: n - 1, ...params });
  const full: (number | null)[] = new Array(n).fill(null);
  r.result[output].forEach((v: number, i: number) => {
    full[r.begIndex + i] = v;
  });
  return full;
}

describe('indicators on real S&P 500 bars', () => {
  const candles = sp500().slice(-1200);
  const n = candles.length;
  const high = candles.map((c) => c.high);
  const low = candles.map((c) => c.low);
  const close = candles.map((c) => c.close);
  const volume = candles.map((c) => c.volume as number);
  const series = computeIndicatorSeries(candles);

  it('when computed, then every series equals a direct TA-Lib call with the standard parameters', () => {
    const expected: Record<string, (number | null)[]> = {
      rsi14: direct('RSI', { inReal: close, optInTimePeriod: 14 }, 'outReal', n),
      sma20: direct('SMA', { inReal: close, optInTimePeriod: 20 }, 'outReal', n),
      sma50: direct('SMA', { inReal: close, optInTimePeriod: 50 }, 'outReal', n),
      sma200: direct('SMA', { inReal: close, optInTimePeriod: 200 }, 'outReal', n),
      ema20: direct('EMA', { inReal: close, optInTimePeriod: 20 }, 'outReal', n),
      ema50: direct('EMA', { inReal: close, optInTimePeriod: 50 }, 'outReal', n),
      atr14: direct('ATR', { high, low, close, optInTimePeriod: 14 }, 'outReal', n),
      adx14: direct('ADX', { high, low, close, optInTimePeriod: 14 }, 'outReal', n),
      obv: direct('OBV', { inReal: close, volume }, 'outReal', n),
    };
    const macdParams = { inReal: close, optInFastPeriod: 12, optInSlowPeriod: 26, optInSignalPeriod: 9 };
    expected.macd = direct('MACD', macdParams, 'outMACD', n);
    expected.macdSignal = direct('MACD', macdParams, 'outMACDSignal', n);
    expected.macdHist = direct('MACD', macdParams, 'outMACDHist', n);
    const bbParams = { inReal: close, optInTimePeriod: 20, optInNbDevUp: 2, optInNbDevDn: 2, optInMAType: 0 };
    expected.bbUpper = direct('BBANDS', bbParams, 'outRealUpperBand', n);
    expected.bbMiddle = direct('BBANDS', bbParams, 'outRealMiddleBand', n);
    expected.bbLower = direct('BBANDS', bbParams, 'outRealLowerBand', n);
    const stochParams = {
      high,
      low,
      close,
      optInFastK_Period: 14,
      optInSlowK_Period: 3,
      optInSlowK_MAType: 0,
      optInSlowD_Period: 3,
      optInSlowD_MAType: 0,
    };
    expected.stochK = direct('STOCH', stochParams, 'outSlowK', n);
    expected.stochD = direct('STOCH', stochParams, 'outSlowD', n);
    const volSma = direct('SMA', { inReal: volume, optInTimePeriod: 20 }, 'outReal', n);
    expected.volumeRatio20 = volSma.map((a, i) => (a === null ? null : volume[i] / a));

    assert.deepEqual(Object.keys(expected).sort(), [...INDICATOR_NAMES].sort());
    for (const name of INDICATOR_NAMES) {
      assert.ok(ref.worstRelativeError(series[name], expected[name]) <= TOLERANCE, `${name} differs from TA-Lib`);
    }
  });

  it('when checked against independent textbook formulas, then they agree to 1e-9', () => {
    const checks: [string, (number | null)[], (number | null)[]][] = [
      ['sma20', series.sma20, ref.sma(close, 20)],
      ['sma200', series.sma200, ref.sma(close, 200)],
      ['ema20', series.ema20, ref.ema(close, 20)],
      ['ema50', series.ema50, ref.ema(close, 50)],
      ['rsi14', series.rsi14, ref.rsi(close, 14)],
      ['atr14', series.atr14, ref.atr(high, low, close, 14)],
      ['bbUpper', series.bbUpper, ref.bollinger(close, 20, 2).upper],
      ['bbLower', series.bbLower, ref.bollinger(close, 20, 2).lower],
      ['obv', series.obv, ref.obv(close, volume)],
    ];
    for (const [name, actual, expected] of checks) {
      const worst = ref.worstRelativeError(actual, expected);
      assert.ok(worst <= TOLERANCE, `${name}: worst relative error ${worst}`);
    }
  });

  it('when reading the last bar, then the flat names carry the last values', () => {
    const last = indicatorValuesAt(series, n - 1);
    assert.deepEqual(Object.keys(last).sort(), [...INDICATOR_NAMES].sort());
    for (const name of INDICATOR_NAMES) assert.equal(last[name], series[name][n - 1]);
    assert.ok(last.rsi14 !== null && last.rsi14 > 0 && last.rsi14 < 100);
    assert.ok(last.bbUpper !== null && last.bbLower !== null && last.bbUpper > last.bbLower);
  });

  it('when a series is shorter than an indicator needs, then the value is null, never made up', () => {
    const short = candles.slice(0, 30);
    const last = indicatorValuesAt(computeIndicatorSeries(short), 29);
    assert.equal(last.sma50, null);
    assert.equal(last.sma200, null);
    assert.equal(last.ema50, null);
    assert.equal(last.macdSignal, null, 'MACD signal needs 26 + 9 - 1 bars');
    assert.ok(last.sma20 !== null && last.rsi14 !== null);
    const tiny = indicatorValuesAt(computeIndicatorSeries(candles.slice(0, 2)), 1);
    for (const name of INDICATOR_NAMES.filter((x) => x !== 'obv')) assert.equal(tiny[name], null, name);
  });

  it('when the data has no volume, then obv and volumeRatio20 are null', () => {
    const noVolume = candles.slice(0, 60).map(({ volume: _v, ...rest }) => rest);
    const last = indicatorValuesAt(computeIndicatorSeries(noVolume), 59);
    assert.equal(last.obv, null);
    assert.equal(last.volumeRatio20, null);
    assert.ok(last.sma50 !== null);
  });
});

describe('the TA-Lib wrapper', () => {
  const candles = sp500().slice(-300);
  const series = {
    open: candles.map((c) => c.open),
    high: candles.map((c) => c.high),
    low: candles.map((c) => c.low),
    close: candles.map((c) => c.close),
  };

  it('when an option is omitted, then TA-Lib\'s declared default is passed explicitly', () => {
    const ours = runTalib('CDLMORNINGSTAR', series).outInteger;
    const explicit = direct('CDLMORNINGSTAR', { ...series, optInPenetration: 0.3 }, 'outInteger', candles.length);
    assert.deepEqual(ours, explicit);
    const deeper = runTalib('CDLMORNINGSTAR', series, { optInPenetration: 0.9 }).outInteger;
    assert.ok(deeper.filter(Boolean).length <= ours.filter(Boolean).length);
  });

  it('when an unknown option is given, then it refuses instead of passing garbage to C', () => {
    assert.throws(() => runTalib('SMA', series, { optInPeriod: 5 }), /has no option optInPeriod/);
  });
});
