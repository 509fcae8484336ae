import type { Candle } from './candles.ts';
import { hasVolume } from './candles.ts';
import { runTalib, type TalibSeries } from './talib.ts';

/** The flat indicator names every result uses (API, prompt, verification). */
export const INDICATOR_NAMES = [
  'rsi14',
  'macd',
  'macdSignal',
  'macdHist',
  'bbUpper',
  'bbMiddle',
  'bbLower',
  'sma20',
  'sma50',
  'sma200',
  'ema20',
  'ema50',
  'atr14',
  'stochK',
  'stochD',
  'adx14',
  'obv',
  'volumeRatio20',
] as const;

export type IndicatorName = (typeof INDICATOR_NAMES)[number];
/** One value per bar, null until the indicator has enough history (never extrapolated). */
export type Series = (number | null)[];
export type IndicatorSeries = Record<IndicatorName, Series>;
export type IndicatorValues = Record<IndicatorName, number | null>;

/** Split candles into the column arrays TA-Lib reads. */
export function toTalibSeries(candles: readonly Candle[]): TalibSeries {
  return {
    open: candles.map((c) => c.open),
    high: candles.map((c) => c.high),
    low: candles.map((c) => c.low),
    close: candles.map((c) => c.close),
    volume: hasVolume(candles) ? candles.map((c) => c.volume as number) : undefined,
  };
}

/** Every indicator as a full series, computed by TA-Lib with the standard parameters. */
export function computeIndicatorSeries(candles: readonly Candle[]): IndicatorSeries {
  const s = toTalibSeries(candles);
  const n = candles.length;
  const empty = (): Series => new Array<number | null>(n).fill(null);
  const one = (name: string, opts: Record<string, number>, series: TalibSeries = s): Series =>
    Object.values(runTalib(name, series, opts))[0];

  const macd = runTalib('MACD', s, { optInFastPeriod: 12, optInSlowPeriod: 26, optInSignalPeriod: 9 });
  const bb = runTalib('BBANDS', s, { optInTimePeriod: 20, optInNbDevUp: 2, optInNbDevDn: 2, optInMAType: 0 });
  const stoch = runTalib('STOCH', s, {
    optInFastK_Period: 14,
    optInSlowK_Period: 3,
    optInSlowK_MAType: 0,
    optInSlowD_Period: 3,
    optInSlowD_MAType: 0,
  });

  let obv = empty();
  let volumeRatio20 = empty();
  if (s.volume) {
    const volume = s.volume;
    obv = one('OBV', {});
    const avg = one('SMA', { optInTimePeriod: 20 }, { ...s, real: volume });
    volumeRatio20 = avg.map((a, i) => (a === null || a === 0 ? null : volume[i] / a));
  }

  return {
    rsi14: one('RSI', { optInTimePeriod: 14 }),
    macd: macd.outMACD,
    macdSignal: macd.outMACDSignal,
    macdHist: macd.outMACDHist,
    bbUpper: bb.outRealUpperBand,
    bbMiddle: bb.outRealMiddleBand,
    bbLower: bb.outRealLowerBand,
    sma20: one('SMA', { optInTimePeriod: 20 }),
    sma50: one('SMA', { optInTimePeriod: 50 }),
    sma200: one('SMA', { optInTimePeriod: 200 }),
    ema20: one('EMA', { optInTimePeriod: 20 }),
    ema50: one('EMA', { optInTimePeriod: 50 }),
    atr14: one('ATR', { optInTimePeriod: 14 }),
    stochK: stoch.outSlowK,
    stochD: stoch.outSlowD,
    adx14: one('ADX', { optInTimePeriod: 14 }),
    obv,
    volumeRatio20,
  };
}

/** The indicator values at bar `index` (the last bar by default). */
export function indicatorValuesAt(series: IndicatorSeries, index: number): IndicatorValues {
  const out = {} as IndicatorValues;
  for (const name of INDICATOR_NAMES) out[name] = series[name][index] ?? null;
  return out;
}

/** The series cut to their first `bars` values (no-op when they are that long already). */
export function indicatorsUpTo(series: IndicatorSeries, bars: number): IndicatorSeries {
  if (series.rsi14.length === bars) return series;
  const out = {} as IndicatorSeries;
  for (const name of INDICATOR_NAMES) out[name] = series[name].slice(0, bars);
  return out;
}
