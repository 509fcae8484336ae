import type { Candle } from '../market/candles.ts';
import { formatCandleTime } from '../market/candles.ts';
import type { CandlestickHit } from '../market/candlestick-patterns.ts';
import type { ChartPatternHit } from '../market/chart-patterns.ts';
import type { IndicatorName, IndicatorValues } from '../market/indicators.ts';
import type { Level } from '../market/levels.ts';
import type { TrendRegime } from '../market/regime.ts';
import type { ClaimStatus, VerifiedClaim, Verification } from './analysis.ts';
import type { ModelOutput, ModelPattern } from './model-output.ts';
import { type ChartBars, placeSpan } from './claim-dates.ts';
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
  /** The levels the facts report at t (the nearest per side): what a reader of the answer sees. */
  topLevels: readonly Level[];
  indicators: IndicatorValues;
  /** ATR14 at t (or the mean range while ATR warms up): the unit for price distances. */
  atr: number;
  trend: TrendRegime;
  /**
   * Set when the bars were read back from an image: how far a price read off it may be from the
   * truth. Tolerances widen by it; volume claims cannot be checked.
   */
  fromImage?: { priceError: number; datesRead: boolean };
}

/** A claimed span may be off by this many bars, but only when nothing of the pattern is at its own bars. */
const SPAN_SLACK_BARS = 1;
/** A level this many ATRs outside everything the chart traded is impossible. */
const LEVEL_OUTSIDE_ATR = 1;
/** The widest a level match may be, in ATRs (busy charts get narrower matches, see levelTolerance). */
const LEVEL_MATCH_MAX_ATR = 0.25;
/**
 * The share of one side's price range (low..close for support, close..high for resistance) that
 * all match zones together may cover. A price drawn at random on that side then lands in a zone
 * at most this often, whatever the chart: that is what keeps arbitrary levels from being confirmed.
 */
const LEVEL_COVERAGE = 0.08;
/** A claimed level this far across the last close (in ATRs) is on the wrong side of it. */
const WRONG_SIDE_BAND_ATR = 0.1;
/** A level with this many touches is strong even when it is not among the nearest ones. */
const STRONG_TOUCHES = 3;
/** The computed regime is clear when its top probability is a majority with this margin. */
const REGIME_CLEAR_PROBABILITY = 0.5;
const REGIME_CLEAR_MARGIN = 0.1;

/** Round a price relative to its size: six significant digits, never to zero. */
const roundPrice = (v: number): number => Number(v.toPrecision(6));
const round = (v: number, digits = 2): number => Number(v.toFixed(digits));

function describePattern(p: ModelPattern): string {
  const span = p.start || p.end ? ` ${p.start ?? '?'}..${p.end ?? '?'}` : '';
  const named = p.name.toLowerCase().includes(p.direction) ? p.name : `${p.direction} ${p.name}`;
  return `${named}${span}`;
}

function describeHit(h: CandlestickHit | ChartPatternHit): string {
  return `${h.direction} ${h.name} ${h.startTime}..${h.endTime}`;
}

const chartBars = (f: VerificationFacts): ChartBars => ({ candles: f.candles, from: f.window.from, to: f.window.to });

/**
 * Check a pattern claim at the bars it names. A hit of the same pattern at those bars confirms it
 * (or contradicts it, when its direction is the opposite, even if an agreeing hit sits nearby);
 * only when nothing of that pattern is at those bars may a hit one bar off count. A claim whose
 * dates cannot be placed on the chart is unverifiable; one dated after the chart ends is
 * contradicted. It is never matched against the whole chart.
 */
export function verifyPattern(p: ModelPattern, f: VerificationFacts | null): VerifiedClaim {
  const claim = describePattern(p);
  const code = resolvePatternCode(p.name, p.direction);
  if (!code) {
    return { claim, kind: 'pattern', status: 'unverifiable', detail: `chartlens does not detect "${p.name}", so it cannot be checked` };
  }
  if (!f) return { claim, kind: 'pattern', status: 'unverifiable', detail: 'no OHLCV data was sent, so patterns cannot be checked' };
  if (f.fromImage && !f.fromImage.datesRead) {
    return { claim, kind: 'pattern', status: 'unverifiable', detail: "the chart's dates could not be read from the image, so the claim cannot be located" };
  }
  const placed = placeSpan(p.start, p.end, chartBars(f));
  if (placed.kind === 'after_chart') {
    const lastBar = formatCandleTime(f.candles[f.window.to].time);
    return { claim, kind: 'pattern', status: 'contradicted', detail: `"${placed.text}" lies after the chart ends (last bar ${lastBar})` };
  }
  if (placed.kind === 'before_chart') {
    const firstBar = formatCandleTime(f.candles[f.window.from].time);
    return { claim, kind: 'pattern', status: 'contradicted', detail: `"${placed.text}" lies before the chart starts (first bar ${firstBar})` };
  }
  if (placed.kind === 'unresolved') return { claim, kind: 'pattern', status: 'unverifiable', detail: `cannot locate the claim: ${placed.reason}` };
  const span = placed;
  const same = f.patterns.filter((h) => h.code === code);
  const agrees = (h: CandlestickHit | ChartPatternHit): boolean =>
    p.direction === 'neutral' || h.direction === 'neutral' || h.direction === p.direction;
  // Closest first: a hit on exactly the claimed bars, then one overlapping them, then (only when
  // nothing of the pattern touches them) one a bar off. The first stage with a hit decides.
  const stages: { hits: (CandlestickHit | ChartPatternHit)[]; off: string; where: string }[] = [
    { hits: same.filter((h) => h.startIndex === span.from && h.endIndex === span.to), off: '', where: 'at those bars' },
    { hits: same.filter((h) => h.startIndex <= span.to && h.endIndex >= span.from), off: '', where: 'at those bars' },
    {
      hits: same.filter((h) => h.startIndex <= span.to + SPAN_SLACK_BARS && h.endIndex >= span.from - SPAN_SLACK_BARS),
      off: ` (${SPAN_SLACK_BARS} bar off the claimed dates)`,
      where: 'there',
    },
  ];
  for (const { hits, off, where } of stages) {
    if (hits.length === 0) continue;
    const match = hits.find(agrees);
    if (match) return { claim, kind: 'pattern', status: 'confirmed', detail: `computed: ${describeHit(match)}${off}` };
    return { claim, kind: 'pattern', status: 'contradicted', detail: `computed the opposite direction ${where}: ${describeHit(hits[0])}${off}` };
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
        : `no ${isChartPatternCode(code) ? 'such pattern' : code} anywhere on the chart near ${where}`,
  };
}

/** The computed levels a claim on one side may match: the reported nearest ones and the strong ones. */
function candidateLevels(side: 'support' | 'resistance', f: VerificationFacts): Level[] {
  const close = f.candles[f.t].close;
  const onSide = (l: Level): boolean => (side === 'support' ? l.price < close : l.price >= close);
  const top = f.topLevels.filter(onSide);
  const isTop = (l: Level): boolean => top.some((t) => t.price === l.price);
  const strong = f.levels.filter((l) => onSide(l) && l.touches >= STRONG_TOUCHES && !isTop(l));
  return [...top, ...strong];
}

/** How far a claimed level may be from a computed one: narrower when many zones share a side. */
export function levelTolerance(sideRange: number, candidates: number, atr: number): number {
  const coverage = (LEVEL_COVERAGE * sideRange) / (2 * Math.max(1, candidates));
  return Math.max(Math.min(LEVEL_MATCH_MAX_ATR * atr, coverage), Number.EPSILON);
}

/**
 * Check a claimed support or resistance. It is confirmed only by a computed level of some strength
 * (one of the nearest reported levels, or one touched at least three times) on the same side of
 * the last close, within a tolerance sized so that all zones together cover at most 8% of that
 * side's range: arbitrary prices are then rarely confirmed.
 */
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
  const inAtr = (d: number): string => `${round(d / f.atr, 2)} ATR`;
  const candidates = candidateLevels(side, f);
  // The side's range reaches the computed levels too: the facts may report a level beyond a short chart.
  const sideRange =
    side === 'support'
      ? Math.max(close - Math.min(low, ...candidates.map((l) => l.price)), 0)
      : Math.max(Math.max(high, ...candidates.map((l) => l.price)) - close, 0);
  // Levels read off an image carry its price error: a claim within it cannot be told from the level.
  const tolerance = Math.max(levelTolerance(sideRange, candidates.length, f.atr), f.fromImage?.priceError ?? 0);
  const nearestFirst = [...candidates].sort((a, b) => Math.abs(a.price - price) - Math.abs(b.price - price));
  const onLevel = nearestFirst.length > 0 && Math.abs(nearestFirst[0].price - price) <= tolerance;
  if (!onLevel && (price < low - LEVEL_OUTSIDE_ATR * f.atr || price > high + LEVEL_OUTSIDE_ATR * f.atr)) {
    return {
      claim,
      kind: 'level',
      status: 'contradicted',
      detail: `outside the charted range ${roundPrice(low)}..${roundPrice(high)} by ${inAtr(price < low ? low - price : price - high)}`,
    };
  }
  // A level a hair across the close is a reading error, not a claim about the other side.
  const band = Math.max(tolerance, WRONG_SIDE_BAND_ATR * f.atr);
  const wrongSide = side === 'support' ? price > close + band : price < close - band;
  if (wrongSide) {
    return {
      claim,
      kind: 'level',
      status: 'contradicted',
      detail: `the last close ${roundPrice(close)} is ${side === 'support' ? 'below' : 'above'} it, so it cannot be ${side} now`,
    };
  }
  const nearest = nearestFirst[0];
  const touches = (l: Level): string => `${l.touches} touch${l.touches === 1 ? '' : 'es'}`;
  if (nearest && Math.abs(nearest.price - price) <= tolerance) {
    return {
      claim,
      kind: 'level',
      status: 'confirmed',
      detail: `computed ${side} ${roundPrice(nearest.price)} (${touches(nearest)}), ${inAtr(Math.abs(nearest.price - price))} away (tolerance ${inAtr(tolerance)})`,
    };
  }
  return {
    claim,
    kind: 'level',
    status: 'not_found',
    detail: nearest
      ? `no computed ${side} within ${inAtr(tolerance)}; the nearest, ${roundPrice(nearest.price)} (${touches(nearest)}), is ${inAtr(Math.abs(nearest.price - price))} away`
      : `no computed ${side} level on this chart`,
  };
}

const INDICATOR_ALIASES: Record<string, IndicatorName> = {
  rsi: 'rsi14', rsi14: 'rsi14', macd: 'macd', macdline: 'macd', macdsignal: 'macdSignal', signal: 'macdSignal',
  macdsignalline: 'macdSignal', macdhist: 'macdHist', macdhistogram: 'macdHist', histogram: 'macdHist',
  bbupper: 'bbUpper', upperbollinger: 'bbUpper', bollingerupper: 'bbUpper', upperband: 'bbUpper',
  bbmiddle: 'bbMiddle', bollingermiddle: 'bbMiddle', middleband: 'bbMiddle', bblower: 'bbLower',
  lowerbollinger: 'bbLower', bollingerlower: 'bbLower', lowerband: 'bbLower', sma20: 'sma20', ma20: 'sma20',
  sma50: 'sma50', ma50: 'sma50', sma200: 'sma200', ma200: 'sma200', ema20: 'ema20', ema50: 'ema50',
  atr: 'atr14', atr14: 'atr14', stochk: 'stochK', stoch: 'stochK', stochastick: 'stochK', k: 'stochK', stochd: 'stochD',
  stochasticd: 'stochD', d: 'stochD', adx: 'adx14', adx14: 'adx14', obv: 'obv', onbalancevolume: 'obv',
  volumeratio20: 'volumeRatio20', volumeratio: 'volumeRatio20', relativevolume: 'volumeRatio20',
};

/** Long names models write, in the short form the alias table knows (order matters: longest first). */
const INDICATOR_WORDS: [RegExp, string][] = [
  [/simple moving average/g, 'sma'],
  [/exponential moving average/g, 'ema'],
  [/moving average convergence divergence/g, 'macd'],
  [/moving average/g, 'ma'],
  [/relative strength index/g, 'rsi'],
  [/average true range/g, 'atr'],
  [/average directional (movement )?index/g, 'adx'],
  [/on[- ]balance volume/g, 'obv'],
  [/stochastic( oscillator)?/g, 'stoch'],
  [/bollinger bands?/g, 'bollinger'],
];

/**
 * Map an indicator name as a model writes it ("RSI(14)", "SMA 50", "%K", "200 day moving average",
 * "moving average (50)") to a flat name, or null when chartlens does not compute it.
 */
export function resolveIndicatorName(name: string): IndicatorName | null {
  let text = name.toLowerCase();
  for (const [pattern, short] of INDICATOR_WORDS) text = text.replace(pattern, short);
  const key = text
    .replace(/[^a-z0-9]/g, '')
    .replace(/(day|period|bar)s?/g, '')
    .replace(/^(\d+)(sma|ema|ma|rsi|atr|adx)$/, '$2$1');
  return INDICATOR_ALIASES[key] ?? INDICATOR_ALIASES[key.replace(/14$/, '')] ?? null;
}

const VOLUME_BASED: ReadonlySet<IndicatorName> = new Set(['obv', 'volumeRatio20']);

/**
 * Values computed from bars read off an image carry the image's price error: price-like ones by
 * that error, oscillators by how far such an error moves them (a close off by e moves a 14-bar
 * RSI by about 100 e / (14 ATR) points).
 */
function widenedForImage(name: IndicatorName, tol: number, f: VerificationFacts): number {
  if (!f.fromImage) return tol;
  const e = f.fromImage.priceError;
  if (BOUNDED.has(name)) return tol + (100 * e) / (14 * Math.max(f.atr, Number.EPSILON));
  return Math.max(tol, e);
}

/** Oscillators bounded 0..100 are compared in points; everything else relatively or in ATRs. */
const BOUNDED: ReadonlySet<IndicatorName> = new Set(['rsi14', 'stochK', 'stochD', 'adx14']);
const PRICE_LIKE: ReadonlySet<IndicatorName> = new Set(['macd', 'macdSignal', 'macdHist']);

export function indicatorTolerance(name: IndicatorName, actual: number, atr: number): number {
  if (BOUNDED.has(name)) return 1;
  // The prompt gives the model the exact values, so a right quote is a rounding away from them;
  // MACD sits near zero, where a relative tolerance alone would be none at all.
  if (PRICE_LIKE.has(name)) return Math.max(0.02 * Math.abs(actual), 0.02 * atr);
  return Math.max(0.01 * Math.abs(actual), 1e-9);
}

export function verifyIndicator(q: { name: string; value: number | null }, f: VerificationFacts | null): VerifiedClaim {
  const claim = `${q.name} = ${q.value ?? 'n/a'}`;
  const name = resolveIndicatorName(q.name);
  if (!name) return { claim, kind: 'indicator', status: 'unverifiable', detail: `chartlens does not compute "${q.name}"` };
  if (q.value === null) return { claim, kind: 'indicator', status: 'unverifiable', detail: 'no value was quoted' };
  if (!f) return { claim, kind: 'indicator', status: 'unverifiable', detail: 'no OHLCV data was sent' };
  if (f.fromImage && VOLUME_BASED.has(name)) {
    return { claim, kind: 'indicator', status: 'unverifiable', detail: `${name} needs volume, which is not read from an image` };
  }
  const actual = f.indicators[name];
  if (actual === null) return { claim, kind: 'indicator', status: 'unverifiable', detail: `${name} needs more bars than were sent` };
  const tol = widenedForImage(name, indicatorTolerance(name, actual, f.atr), f);
  const ok = Math.abs(q.value - actual) <= tol;
  return {
    claim,
    kind: 'indicator',
    status: ok ? 'confirmed' : 'contradicted',
    detail: `computed ${name} = ${Number(actual.toPrecision(6))} (tolerance ${Number(tol.toPrecision(3))})`,
  };
}

/**
 * The model's dominant regime against the computed one. When the computed regime is clear (a
 * majority with a margin), a different claimed regime is contradicted, not only the opposite
 * trend; when it is not clear, the claim cannot be checked.
 */
export function verifyRegime(regime: ModelOutput['regime'], f: VerificationFacts | null): VerifiedClaim {
  const entries = Object.entries(regime) as [keyof typeof regime, number][];
  const [top] = entries.sort((a, b) => b[1] - a[1]);
  const claim = `regime: ${top[0]} (${round(top[1])})`;
  if (!f) return { claim, kind: 'regime', status: 'unverifiable', detail: 'no OHLCV data was sent' };
  const p = f.trend.probabilities;
  const ranked = (Object.entries(p) as [keyof typeof p, number][]).sort((a, b) => b[1] - a[1]);
  const [computed, probability] = ranked[0];
  const clear = probability >= REGIME_CLEAR_PROBABILITY && probability - ranked[1][1] >= REGIME_CLEAR_MARGIN;
  const detail = `computed ${computed} (p ${round(probability)}; uptrend ${round(p.uptrend)}, downtrend ${round(p.downtrend)}, sideways ${round(p.sideways)})`;
  if (!clear) return { claim, kind: 'regime', status: 'unverifiable', detail: `${detail}: no clear regime to check against` };
  return { claim, kind: 'regime', status: computed === top[0] ? 'confirmed' : 'contradicted', detail };
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

/**
 * Status and hallucination rate: (not_found + contradicted) / claims that could be checked.
 * `verified` needs nothing flagged and at least one checked pattern, level or indicator.
 */
export function summarize(claims: readonly VerifiedClaim[]): Pick<Verification, 'status' | 'hallucinationRate'> {
  const verifiable = claims.filter((c) => c.status !== 'unverifiable');
  if (verifiable.length === 0) return { status: 'unverified', hallucinationRate: null };
  const flagged = verifiable.filter((c) => FLAGGED.has(c.status)).length;
  const hallucinationRate = round(flagged / verifiable.length, 4);
  if (flagged > 0) return { status: 'partial', hallucinationRate };
  // The regime alone says little: "verified" needs a checked pattern, level or indicator too.
  const substantive = verifiable.some((c) => c.kind !== 'regime');
  return { status: substantive ? 'verified' : 'unverified', hallucinationRate };
}
