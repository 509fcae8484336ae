import { type Candle, formatCandleTime } from './candles.ts';
import { toTalibSeries } from './indicators.ts';
import { explainTalib, runTalibRaw, talibFunctionsInGroup } from './talib.ts';

export type Direction = 'bullish' | 'bearish' | 'neutral';
export type PriorTrend = 'up' | 'down' | 'flat';

/** How a pattern is read: reversals need a trend to reverse; indecision candles have no side. */
export type CandlestickRole = 'reversal' | 'continuation' | 'indecision' | 'candle';

/** A detected candlestick pattern and the bars it spans. */
export interface CandlestickHit {
  /** TA-Lib function name, e.g. CDLENGULFING. */
  code: string;
  /** Human name from TA-Lib, e.g. "Engulfing Pattern". */
  name: string;
  kind: 'candlestick';
  role: CandlestickRole;
  direction: Direction;
  /** TA-Lib's raw output (+-100, +-200 for confirmed hikkake). */
  strength: number;
  startIndex: number;
  endIndex: number;
  startTime: string;
  endTime: string;
  /** The trend over the bars before the pattern, measured in ATR units. */
  priorTrend: PriorTrend;
  /** Whether the pattern appears where its reading makes sense (a bullish reversal after a fall...). */
  fitsContext: boolean;
  /** The bar at which this pattern became known (no look-ahead). */
  knownAt: number;
}

/** Candles each pattern spans (from TA-Lib's definitions). */
const SPAN: Record<string, number> = {
  CDL2CROWS: 3, CDL3BLACKCROWS: 3, CDL3INSIDE: 3, CDL3LINESTRIKE: 4, CDL3OUTSIDE: 3,
  CDL3STARSINSOUTH: 3, CDL3WHITESOLDIERS: 3, CDLABANDONEDBABY: 3, CDLADVANCEBLOCK: 3,
  CDLBELTHOLD: 1, CDLBREAKAWAY: 5, CDLCLOSINGMARUBOZU: 1, CDLCONCEALBABYSWALL: 4,
  CDLCOUNTERATTACK: 2, CDLDARKCLOUDCOVER: 2, CDLDOJI: 1, CDLDOJISTAR: 2, CDLDRAGONFLYDOJI: 1,
  CDLENGULFING: 2, CDLEVENINGDOJISTAR: 3, CDLEVENINGSTAR: 3, CDLGAPSIDESIDEWHITE: 3,
  CDLGRAVESTONEDOJI: 1, CDLHAMMER: 1, CDLHANGINGMAN: 1, CDLHARAMI: 2, CDLHARAMICROSS: 2,
  CDLHIGHWAVE: 1, CDLHIKKAKE: 3, CDLHIKKAKEMOD: 4, CDLHOMINGPIGEON: 2, CDLIDENTICAL3CROWS: 3,
  CDLINNECK: 2, CDLINVERTEDHAMMER: 1, CDLKICKING: 2, CDLKICKINGBYLENGTH: 2, CDLLADDERBOTTOM: 5,
  CDLLONGLEGGEDDOJI: 1, CDLLONGLINE: 1, CDLMARUBOZU: 1, CDLMATCHINGLOW: 2, CDLMATHOLD: 5,
  CDLMORNINGDOJISTAR: 3, CDLMORNINGSTAR: 3, CDLONNECK: 2, CDLPIERCING: 2, CDLRICKSHAWMAN: 1,
  CDLRISEFALL3METHODS: 5, CDLSEPARATINGLINES: 2, CDLSHOOTINGSTAR: 1, CDLSHORTLINE: 1,
  CDLSPINNINGTOP: 1, CDLSTALLEDPATTERN: 3, CDLSTICKSANDWICH: 3, CDLTAKURI: 1, CDLTASUKIGAP: 3,
  CDLTHRUSTING: 2, CDLTRISTAR: 3, CDLUNIQUE3RIVER: 3, CDLUPSIDEGAP2CROWS: 3, CDLXSIDEGAP3METHODS: 3,
};

/** Single candles with no side; TA-Lib reports them as +100 (or by colour), which is not a signal. */
const INDECISION = new Set([
  'CDLDOJI', 'CDLLONGLEGGEDDOJI', 'CDLRICKSHAWMAN', 'CDLHIGHWAVE', 'CDLSPINNINGTOP',
  'CDLDRAGONFLYDOJI', 'CDLGRAVESTONEDOJI',
]);
const CONTINUATION = new Set([
  'CDL3LINESTRIKE', 'CDLGAPSIDESIDEWHITE', 'CDLINNECK', 'CDLONNECK', 'CDLTHRUSTING', 'CDLMATHOLD',
  'CDLRISEFALL3METHODS', 'CDLSEPARATINGLINES', 'CDLTASUKIGAP', 'CDLXSIDEGAP3METHODS',
]);
const PLAIN_CANDLES = new Set(['CDLBELTHOLD', 'CDLCLOSINGMARUBOZU', 'CDLLONGLINE', 'CDLMARUBOZU', 'CDLSHORTLINE']);

/** Bars looked at before a pattern to judge the trend it appears in. */
const CONTEXT_BARS = 10;
/** A move of at least this many average ranges counts as a trend. */
const CONTEXT_ATR_MULTIPLE = 1;

export function candlestickRole(code: string): CandlestickRole {
  if (INDECISION.has(code)) return 'indecision';
  if (CONTINUATION.has(code)) return 'continuation';
  if (PLAIN_CANDLES.has(code)) return 'candle';
  return 'reversal';
}

/** All 61 TA-Lib candlestick functions, in TA-Lib's order. */
export function candlestickCodes(): string[] {
  return talibFunctionsInGroup('Pattern Recognition');
}

/** Human name of a CDL function as TA-Lib describes it. */
export function candlestickName(code: string): string {
  return explainTalib(code).hint;
}

function priorTrendBefore(candles: readonly Candle[], start: number): PriorTrend {
  const from = Math.max(0, start - CONTEXT_BARS);
  const to = start - 1;
  if (to - from < 2) return 'flat';
  let rangeSum = 0;
  for (let i = from; i <= to; i++) rangeSum += candles[i].high - candles[i].low;
  const avgRange = rangeSum / (to - from + 1);
  const move = candles[to].close - candles[from].close;
  if (avgRange <= 0) return 'flat';
  if (move > CONTEXT_ATR_MULTIPLE * avgRange) return 'up';
  if (move < -CONTEXT_ATR_MULTIPLE * avgRange) return 'down';
  return 'flat';
}

function fitsContext(role: CandlestickRole, direction: Direction, trend: PriorTrend): boolean {
  if (role === 'reversal') {
    return (direction === 'bullish' && trend === 'down') || (direction === 'bearish' && trend === 'up');
  }
  if (role === 'continuation') {
    return (direction === 'bullish' && trend === 'up') || (direction === 'bearish' && trend === 'down');
  }
  return true;
}

/**
 * Run every TA-Lib candlestick function and list each hit with its span, direction and the trend it
 * appears in (TA-Lib itself ignores trend context). Hits are ordered by end bar, then code.
 */
export function detectCandlestickPatterns(candles: readonly Candle[]): CandlestickHit[] {
  const series = toTalibSeries(candles);
  const hits: CandlestickHit[] = [];
  for (const code of candlestickCodes()) {
    // The raw output (values from begIndex on) is scanned directly: aligning 61 series is waste.
    const raw = runTalibRaw(code, series);
    const out = raw.result.outInteger ?? [];
    const span = SPAN[code] ?? 1;
    const role = candlestickRole(code);
    let lastPatternStart = -1;
    let lastPatternEnd = -Infinity;
    for (let k = 0; k < raw.nbElement; k++) {
      const v = out[k];
      if (!v) continue;
      const i = raw.begIndex + k;
      let start = Math.max(0, i - span + 1);
      // Hikkake +-200 is the confirmation bar of an earlier +-100 setup: span from the setup.
      if (Math.abs(v) === 200 && i - lastPatternEnd <= 3) start = lastPatternStart;
      if (Math.abs(v) !== 200) {
        lastPatternStart = start;
        lastPatternEnd = i;
      }
      const direction: Direction = role === 'indecision' ? 'neutral' : v > 0 ? 'bullish' : 'bearish';
      const trend = priorTrendBefore(candles, start);
      hits.push({
        code,
        name: candlestickName(code),
        kind: 'candlestick',
        role,
        direction,
        strength: v,
        startIndex: start,
        endIndex: i,
        startTime: formatCandleTime(candles[start].time),
        endTime: formatCandleTime(candles[i].time),
        priorTrend: trend,
        fitsContext: fitsContext(role, direction, trend),
        knownAt: i,
      });
    }
  }
  hits.push(...detectTweezers(candles));
  return hits.sort((a, b) => a.endIndex - b.endIndex || a.code.localeCompare(b.code));
}

/** Patterns TA-Lib does not have but traders (and models) name often, detected here. */
export const EXTRA_CANDLESTICKS = { TWEEZERTOP: 'Tweezer Top', TWEEZERBOTTOM: 'Tweezer Bottom' } as const;

/** Matching extremes may differ by this share of the larger of the two bars' ranges. */
const TWEEZER_MATCH = 0.05;

/**
 * Tweezer top: after a rise, an up bar and then a down bar whose highs match; tweezer bottom: after
 * a fall, a down bar and then an up bar whose lows match. Reversals, so they need that prior trend.
 */
function detectTweezers(candles: readonly Candle[]): CandlestickHit[] {
  const hits: CandlestickHit[] = [];
  for (let i = 1; i < candles.length; i++) {
    const a = candles[i - 1];
    const b = candles[i];
    const tol = TWEEZER_MATCH * Math.max(a.high - a.low, b.high - b.low);
    if (tol <= 0) continue;
    const trend = priorTrendBefore(candles, i - 1);
    const top = trend === 'up' && a.close > a.open && b.close < b.open && Math.abs(a.high - b.high) <= tol;
    const bottom = trend === 'down' && a.close < a.open && b.close > b.open && Math.abs(a.low - b.low) <= tol;
    if (!top && !bottom) continue;
    const code = top ? 'TWEEZERTOP' : 'TWEEZERBOTTOM';
    hits.push({
      code,
      name: EXTRA_CANDLESTICKS[code],
      kind: 'candlestick',
      role: 'reversal',
      direction: top ? 'bearish' : 'bullish',
      strength: top ? -100 : 100,
      startIndex: i - 1,
      endIndex: i,
      startTime: formatCandleTime(a.time),
      endTime: formatCandleTime(b.time),
      priorTrend: trend,
      fitsContext: true,
      knownAt: i,
    });
  }
  return hits;
}
