import type { Candle } from '../market/candles.ts';
import { formatCandleTime, parseCandleTime } from '../market/candles.ts';
import type { CandlestickHit } from '../market/candlestick-patterns.ts';
import type { ChartPatternHit } from '../market/chart-patterns.ts';
import type { IndicatorName, IndicatorValues } from '../market/indicators.ts';
import type { Level } from '../market/levels.ts';
import type { TrendRegime } from '../market/regime.ts';
import type { ClaimStatus, VerifiedClaim, Verification } from './analysis.ts';
import type { ModelOutput, ModelPattern } from './model-output.ts';
import { isChartPatternCode, resolvePatternCode } from './pattern-names.ts';

/** The deterministic facts a claim is checked against. */
export interface VerificationFacts {
  candles: readonly Candle[];
  /** The analysed bar; nothing after it exists for the check. */
  t: number;
  /** Bars shown on the chart the analyzer saw. */
  window: { from: number; to: number };
  /** Every pattern known by t whose span touches the window. */
  patterns: readonly (CandlestickHit | ChartPatternHit)[];
  /** All clustered levels at t, both sides. */
  levels: readonly Level[];
  indicators: IndicatorValues;
  /** ATR14 at t (or the mean range while ATR warms up): the unit for price distances. */
  atr: number;
  trend: TrendRegime;
}

/** A claimed span may be off by this many bars and still overlap (models read dates off an axis). */
const SPAN_SLACK_BARS = 1;
/** A claimed level within this many ATRs of a computed level matches it. */
const LEVEL_MATCH_ATR = 0.5;
/** A level this many ATRs outside everything the chart traded is impossible. */
const LEVEL_OUTSIDE_ATR = 1;

const round = (v: number, digits = 2): number => Number(v.toFixed(digits));

/** Nearest bar to a time (binary search over increasing times). */
function nearestBar(candles: readonly Candle[], time: number, upTo: number): number {
  let lo = 0;
  let hi = upTo;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (candles[mid].time < time) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && Math.abs(candles[lo - 1].time - time) <= Math.abs(candles[lo].time - time)) return lo - 1;
  return lo;
}

function describePattern(p: ModelPattern): string {
  const span = p.start || p.end ? ` ${p.start ?? '?'}..${p.end ?? '?'}` : '';
  const named = p.name.toLowerCase().includes(p.direction) ? p.name : `${p.direction} ${p.name}`;
  return `${named}${span}`;
}

function describeHit(h: CandlestickHit | ChartPatternHit): string {
  return `${h.direction} ${h.name} ${h.startTime}..${h.endTime}`;
}

function claimedSpan(p: ModelPattern, f: VerificationFacts): { from: number; to: number } | null {
  const start = p.start ? parseCandleTime(p.start) : Number.NaN;
  const end = p.end ? parseCandleTime(p.end) : Number.NaN;
  if (Number.isNaN(start) && Number.isNaN(end)) return null;
  const s = nearestBar(f.candles, Number.isNaN(start) ? end : start, f.t);
  const e = nearestBar(f.candles, Number.isNaN(end) ? start : end, f.t);
  return { from: Math.min(s, e), to: Math.max(s, e) };
}

export function verifyPattern(p: ModelPattern, f: VerificationFacts | null): VerifiedClaim {
  const claim = describePattern(p);
  const code = resolvePatternCode(p.name);
  if (!code) {
    return { claim, kind: 'pattern', status: 'unverifiable', detail: `chartlens does not detect "${p.name}", so it cannot be checked` };
  }
  if (!f) return { claim, kind: 'pattern', status: 'unverifiable', detail: 'no OHLCV data was sent, so patterns cannot be checked' };
  const span = claimedSpan(p, f) ?? f.window;
  const same = f.patterns.filter((h) => h.code === code);
  const overlapping = same.filter(
    (h) => h.startIndex <= span.to + SPAN_SLACK_BARS && h.endIndex >= span.from - SPAN_SLACK_BARS,
  );
  const agrees = (h: CandlestickHit | ChartPatternHit): boolean =>
    p.direction === 'neutral' || h.direction === 'neutral' || h.direction === p.direction;
  const match = overlapping.find(agrees);
  if (match) return { claim, kind: 'pattern', status: 'confirmed', detail: `computed: ${describeHit(match)}` };
  if (overlapping.length > 0) {
    return {
      claim,
      kind: 'pattern',
      status: 'contradicted',
      detail: `computed the opposite direction there: ${describeHit(overlapping[0])}`,
    };
  }
  const where = `${formatCandleTime(f.candles[span.from].time)}..${formatCandleTime(f.candles[span.to].time)}`;
  const elsewhere = same.slice(-3).map(describeHit);
  return {
    claim,
    kind: 'pattern',
    status: 'not_found',
    detail:
      elsewhere.length > 0
        ? `no ${isChartPatternCode(code) ? 'such pattern' : code} over ${where}; computed only at: ${elsewhere.join('; ')}`
        : `no ${isChartPatternCode(code) ? 'such pattern' : code} anywhere on the chart (${where})`,
  };
}

export function verifyLevel(price: number, side: 'support' | 'resistance', f: VerificationFacts | null): VerifiedClaim {
  const claim = `${side} at ${price}`;
  if (!f) return { claim, kind: 'level', status: 'unverifiable', detail: 'no OHLCV data was sent, so levels cannot be checked' };
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (let i = f.window.from; i <= f.window.to; i++) {
    low = Math.min(low, f.candles[i].low);
    high = Math.max(high, f.candles[i].high);
  }
  const close = f.candles[f.t].close;
  const inAtr = (d: number): string => `${round(d / f.atr, 1)} ATR`;
  if (price < low - LEVEL_OUTSIDE_ATR * f.atr || price > high + LEVEL_OUTSIDE_ATR * f.atr) {
    return {
      claim,
      kind: 'level',
      status: 'contradicted',
      detail: `outside the charted range ${round(low)}..${round(high)} by ${inAtr(price < low ? low - price : price - high)}`,
    };
  }
  const wrongSide = side === 'support' ? price > close + LEVEL_MATCH_ATR * f.atr : price < close - LEVEL_MATCH_ATR * f.atr;
  if (wrongSide) {
    return {
      claim,
      kind: 'level',
      status: 'contradicted',
      detail: `the last close ${round(close)} is ${side === 'support' ? 'below' : 'above'} it, so it cannot be ${side} now`,
    };
  }
  const nearest = [...f.levels].sort((a, b) => Math.abs(a.price - price) - Math.abs(b.price - price))[0];
  if (nearest && Math.abs(nearest.price - price) <= LEVEL_MATCH_ATR * f.atr) {
    return {
      claim,
      kind: 'level',
      status: 'confirmed',
      detail: `computed level ${round(nearest.price)} (${nearest.touches} touch${nearest.touches === 1 ? '' : 'es'}), ${inAtr(Math.abs(nearest.price - price))} away`,
    };
  }
  return {
    claim,
    kind: 'level',
    status: 'not_found',
    detail: nearest
      ? `no swing level within ${LEVEL_MATCH_ATR} ATR; nearest computed level ${round(nearest.price)} is ${inAtr(Math.abs(nearest.price - price))} away`
      : 'no swing levels were computed on this chart',
  };
}

const INDICATOR_ALIASES: Record<string, IndicatorName> = {
  rsi: 'rsi14', rsi14: 'rsi14', macd: 'macd', macdline: 'macd', macdsignal: 'macdSignal', signal: 'macdSignal',
  macdsignalline: 'macdSignal', macdhist: 'macdHist', macdhistogram: 'macdHist', histogram: 'macdHist',
  bbupper: 'bbUpper', upperbollinger: 'bbUpper', bollingerupper: 'bbUpper', upperband: 'bbUpper',
  bbmiddle: 'bbMiddle', bollingermiddle: 'bbMiddle', middleband: 'bbMiddle', bblower: 'bbLower',
  lowerbollinger: 'bbLower', bollingerlower: 'bbLower', lowerband: 'bbLower', sma20: 'sma20', ma20: 'sma20',
  sma50: 'sma50', ma50: 'sma50', sma200: 'sma200', ma200: 'sma200', ema20: 'ema20', ema50: 'ema50',
  atr: 'atr14', atr14: 'atr14', stochk: 'stochK', stochastick: 'stochK', k: 'stochK', stochd: 'stochD',
  stochasticd: 'stochD', d: 'stochD', adx: 'adx14', adx14: 'adx14', obv: 'obv', onbalancevolume: 'obv',
  volumeratio20: 'volumeRatio20', volumeratio: 'volumeRatio20', relativevolume: 'volumeRatio20',
};

/** Map an indicator name as a model writes it ("RSI(14)", "SMA 50", "%K") to a flat name. */
export function resolveIndicatorName(name: string): IndicatorName | null {
  const key = name
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')
    .replace(/(day|period|bar)s?/g, '')
    .replace(/^(\d+)(sma|ema|ma)$/, '$2$1');
  return INDICATOR_ALIASES[key] ?? INDICATOR_ALIASES[key.replace(/14$/, '')] ?? null;
}

/** Oscillators bounded 0..100 are compared in points; everything else relatively or in ATRs. */
const BOUNDED: ReadonlySet<IndicatorName> = new Set(['rsi14', 'stochK', 'stochD', 'adx14']);
const PRICE_LIKE: ReadonlySet<IndicatorName> = new Set(['macd', 'macdSignal', 'macdHist']);

export function indicatorTolerance(name: IndicatorName, actual: number, atr: number): number {
  if (BOUNDED.has(name)) return 1;
  if (PRICE_LIKE.has(name)) return Math.max(0.02 * Math.abs(actual), 0.05 * atr);
  return Math.max(0.01 * Math.abs(actual), 1e-9);
}

export function verifyIndicator(q: { name: string; value: number | null }, f: VerificationFacts | null): VerifiedClaim {
  const claim = `${q.name} = ${q.value ?? 'n/a'}`;
  const name = resolveIndicatorName(q.name);
  if (!name) return { claim, kind: 'indicator', status: 'unverifiable', detail: `chartlens does not compute "${q.name}"` };
  if (q.value === null) return { claim, kind: 'indicator', status: 'unverifiable', detail: 'no value was quoted' };
  if (!f) return { claim, kind: 'indicator', status: 'unverifiable', detail: 'no OHLCV data was sent' };
  const actual = f.indicators[name];
  if (actual === null) return { claim, kind: 'indicator', status: 'unverifiable', detail: `${name} needs more bars than were sent` };
  const tol = indicatorTolerance(name, actual, f.atr);
  const ok = Math.abs(q.value - actual) <= tol;
  return {
    claim,
    kind: 'indicator',
    status: ok ? 'confirmed' : 'contradicted',
    detail: `computed ${name} = ${Number(actual.toPrecision(6))} (tolerance ${Number(tol.toPrecision(3))})`,
  };
}

/** The model's dominant regime against the computed trend; only opposite directions contradict. */
export function verifyRegime(regime: ModelOutput['regime'], f: VerificationFacts | null): VerifiedClaim {
  const entries = Object.entries(regime) as [keyof typeof regime, number][];
  const [top] = entries.sort((a, b) => b[1] - a[1]);
  const claim = `regime: ${top[0]} (${round(top[1])})`;
  if (!f) return { claim, kind: 'regime', status: 'unverifiable', detail: 'no OHLCV data was sent' };
  const computed = f.trend.direction === 'up' ? 'uptrend' : f.trend.direction === 'down' ? 'downtrend' : 'sideways';
  const detail = `computed ${computed} (strength ${f.trend.strength})`;
  if (computed === top[0]) return { claim, kind: 'regime', status: 'confirmed', detail };
  const opposite = (computed === 'uptrend' && top[0] === 'downtrend') || (computed === 'downtrend' && top[0] === 'uptrend');
  return { claim, kind: 'regime', status: opposite ? 'contradicted' : 'unverifiable', detail };
}

/** Check every claim of an analyzer's output against the facts (null facts: image only). */
export function verifyClaims(output: ModelOutput, f: VerificationFacts | null): VerifiedClaim[] {
  return [
    verifyRegime(output.regime, f),
    ...output.patterns.map((p) => verifyPattern(p, f)),
    ...output.levels.support.map((p) => verifyLevel(p, 'support', f)),
    ...output.levels.resistance.map((p) => verifyLevel(p, 'resistance', f)),
    ...output.indicators.map((q) => verifyIndicator(q, f)),
  ];
}

const FLAGGED: ReadonlySet<ClaimStatus> = new Set(['not_found', 'contradicted']);

/** Status and hallucination rate: (not_found + contradicted) / claims that could be checked. */
export function summarize(claims: readonly VerifiedClaim[]): Pick<Verification, 'status' | 'hallucinationRate'> {
  const verifiable = claims.filter((c) => c.status !== 'unverifiable');
  if (verifiable.length === 0) return { status: 'unverified', hallucinationRate: null };
  const flagged = verifiable.filter((c) => FLAGGED.has(c.status)).length;
  return { status: flagged === 0 ? 'verified' : 'partial', hallucinationRate: round(flagged / verifiable.length, 4) };
}
