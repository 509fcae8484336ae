import type { CandlestickHit } from '../market/candlestick-patterns.ts';
import type { ChartPatternHit } from '../market/chart-patterns.ts';
import type { MarketFacts } from '../market/facts.ts';
import type { ExpertName, ModelOutput } from './model-output.ts';
import type { NewsItem } from './news.ts';
import { factsAreFlat } from './policy/degenerate.ts';
import { roundPrice } from './policy/prices.ts';
import { barAdjective, barsPerYear, type Timeframe } from '../market/timeframe.ts';

/**
 * chartlens's own analyzer: a small, documented quant model over the market facts, answering in
 * the same contract as a language model. It is labelled `local-rules` (kind `rules`) everywhere and
 * is not a language model; its rationale is text assembled from the numbers.
 *
 * The model: time-series trend following with volatility scaling. Every parameter is a round,
 * textbook value fixed before any replay was run; none was fitted to a sample.
 *
 *  1. Trend filter (the `trend` expert): the close against its 200-bar simple moving average, the
 *     daily form of the 10-month average of Faber (2007, "A Quantitative Approach to Tactical
 *     Asset Allocation") and the 1-200 rule of Brock, Lakonishok and LeBaron (1992). +1 above, -1
 *     below.
 *  2. Intermediate-term momentum (the `breakout` slot): the 50-bar average against the 200-bar
 *     one, the 50/200 crossover of the same moving-average family; a smoothed stand-in for the
 *     12-1 month return of time-series momentum (Moskowitz, Ooi and Pedersen 2012), which the
 *     market facts do not carry (they have no 252-bar return). +1 when SMA50 > SMA200, -1 below.
 *  3. The call: long when both point up, short when both point down (time-series momentum is
 *     symmetric), HOLD when they disagree: the model claims no edge there and abstains. It also
 *     abstains without 200 bars of history, and on a flat series.
 *  4. Size (volatility scaling, Moreira and Muir 2017; Moskowitz et al. 2012): annualised
 *     volatility is read from ATR14 as ATR/close x sqrt(252) / 1.6 (the mean daily range of a
 *     random walk is sqrt(8/pi) ~ 1.6 standard deviations), and the exposure is 15% (about the
 *     index's long-run volatility) over it, at most 1 (no leverage).
 *  5. Exits: a stop 2 ATR behind the entry (the "2N" stop of the Turtle rules), a target at twice
 *     that risk, held 5 bars (the horizon the replay and the calibration use).
 *  6. Raw confidence: 0.5 + 0.05 per rung of the moving-average ladder (close > SMA20, SMA20 >
 *     SMA50, SMA50 > SMA200, close > SMA200, mirrored for a short) that agrees with the call, so
 *     0.6 to 0.7. It is an uncalibrated score; where a calibration map is fitted for this analyzer
 *     (calibration/local.analyze.v1.json) the policy replaces it with the hit rate the map measured
 *     for that score in walk-forward replays.
 *
 * What it does not trade: short-horizon mean reversion (the `reversal` slot) and Bollinger
 * positioning (the `positioning` slot) carry weight 0. The evidence for short-horizon reversal in
 * an index is mixed and has changed sign over time (Lo and MacKinlay 1988 found positive weekly
 * autocorrelation in US indexes), so those slots report their readings and size nothing; the
 * `positioning` slot reports the volatility the size is scaled by. Patterns and levels are listed
 * as the facts found them, for the reader; they do not move the decision.
 */


/** The model's fixed parameters (see the header). */
export const QUANT_PARAMS = {
  trendSma: 200,
  momentumSma: 50,
  targetVol: 0.15,
  /** E[high - low] of a random-walk bar over its standard deviation, sqrt(8 / pi), rounded. */
  rangeToSd: 1.6,
  barsPerYear: 252,
  maxExposure: 1,
  stopAtr: 2,
  rewardRisk: 2,
  horizonBars: 5,
  baseConfidence: 0.5,
  confidencePerRung: 0.05,
} as const;

type Expert = ModelOutput['experts'][number];

const clamp = (v: number, lo = -1, hi = 1): number => Math.min(hi, Math.max(lo, v));
/** Exposures and confidences keep 3 decimals; prices keep significant digits (roundPrice). */
const r3 = (v: number): number => Math.round(v * 1000) / 1000;
const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;
const stance = (e: number): Expert['stance'] => (e > 0.1 ? 'long' : e < -0.1 ? 'short' : 'flat');
const expert = (name: ExpertName, weight: number, exposure: number, rationale: string): Expert => ({
  name,
  weight,
  stance: stance(exposure),
  exposure: r3(exposure),
  rationale,
});
/** The chart patterns listed are those of these recent bars; older ones are history. */
const RECENT_BARS = 5;
/** The traded signals share the weight; the others report with weight 0. */
const WEIGHTS: Record<ExpertName, number> = { trend: 0.5, breakout: 0.5, reversal: 0, positioning: 0 };

function recent<T extends CandlestickHit | ChartPatternHit>(facts: MarketFacts, hits: T[]): T[] {
  return hits.filter((h) => h.endIndex > facts.asOf.index - RECENT_BARS);
}

const sign = (a: number, b: number): -1 | 0 | 1 => (a > b ? 1 : a < b ? -1 : 0);

/** What the model reads from the facts at the bar. */
export interface QuantSignals {
  /** sign(close - SMA200); null without 200 bars. */
  trend: -1 | 0 | 1 | null;
  /** sign(SMA50 - SMA200); null without 200 bars. */
  momentum: -1 | 0 | 1 | null;
  /** Annualised volatility from ATR14; null without ATR. */
  volatility: number | null;
  /** min(maxExposure, targetVol / volatility); 0 without a volatility. */
  size: number;
  /** +1 long, -1 short, 0 abstain. */
  side: -1 | 0 | 1;
  /** Rungs of the moving-average ladder that agree with `side` (0..4; 0 for a hold). */
  rungs: number;
}

/**
 * The signals of the model at the facts' bar (pure; only values known at that bar). The timeframe
 * sets the annualisation of the volatility; unknown, the bars are taken as daily.
 */
export function quantSignals(f: MarketFacts, timeframe: Timeframe | null = null): QuantSignals {
  const { sma20, sma50, sma200, atr14 } = f.indicators;
  const close = f.lastBar.close;
  const p = QUANT_PARAMS;
  const trend = sma200 === null ? null : sign(close, sma200);
  const momentum = sma50 === null || sma200 === null ? null : sign(sma50, sma200);
  const perYear = timeframe === null ? p.barsPerYear : barsPerYear(timeframe);
  const volatility = atr14 === null || close <= 0 ? null : ((atr14 / close) * Math.sqrt(perYear)) / p.rangeToSd;
  const size = volatility === null || volatility <= 0 ? 0 : Math.min(p.maxExposure, p.targetVol / volatility);
  const side: -1 | 0 | 1 = trend !== null && trend !== 0 && trend === momentum && size > 0 ? trend : 0;
  const ladder: [number | null, number | null][] = [
    [close, sma20],
    [sma20, sma50],
    [sma50, sma200],
    [close, sma200],
  ];
  const rungs = side === 0 ? 0 : ladder.filter(([a, b]) => a !== null && b !== null && sign(a, b) === side).length;
  return { trend, momentum, volatility, size, side, rungs };
}

const word = (s: -1 | 0 | 1 | null): string => (s === null ? 'unknown' : s > 0 ? 'up' : s < 0 ? 'down' : 'level');

function trendExpert(f: MarketFacts, s: QuantSignals): Expert {
  const { sma200 } = f.indicators;
  const close = f.lastBar.close;
  if (s.trend === null || sma200 === null) return expert('trend', WEIGHTS.trend, 0, 'Trend filter: sma200 needs 200 bars; no reading.');
  const gap = close / sma200 - 1;
  return expert(
    'trend',
    WEIGHTS.trend,
    s.trend * s.size,
    `Trend filter: close ${roundPrice(close)} is ${pct(Math.abs(gap))} ${gap >= 0 ? 'above' : 'below'} sma200 ${roundPrice(sma200)}: ${word(s.trend)}.`,
  );
}

function momentumExpert(f: MarketFacts, s: QuantSignals): Expert {
  const { sma50, sma200 } = f.indicators;
  if (s.momentum === null || sma50 === null || sma200 === null) return expert('breakout', WEIGHTS.breakout, 0, 'Momentum (50/200 crossover): sma200 needs 200 bars; no reading.');
  return expert(
    'breakout',
    WEIGHTS.breakout,
    s.momentum * s.size,
    `Momentum (50/200 crossover): sma50 ${roundPrice(sma50)} is ${s.momentum >= 0 ? 'above' : 'below'} sma200 ${roundPrice(sma200)}: ${word(s.momentum)}.`,
  );
}

function reversalExpert(f: MarketFacts): Expert {
  const rsi = f.indicators.rsi14;
  const reading = rsi === null ? 'rsi14 n/a' : `rsi14 ${rsi.toFixed(1)}${rsi >= 70 ? ' (overbought)' : rsi <= 30 ? ' (oversold)' : ''}`;
  return expert('reversal', WEIGHTS.reversal, 0, `Not traded (weight 0): ${reading}; short-horizon mean reversion in an index has no stable evidence.`);
}

function positioningExpert(f: MarketFacts, s: QuantSignals): Expert {
  const { bbUpper, bbLower, atr14 } = f.indicators;
  const close = f.lastBar.close;
  const pctB = bbUpper !== null && bbLower !== null && bbUpper !== bbLower ? ` Bollinger %B ${((close - bbLower) / (bbUpper - bbLower)).toFixed(2)}.` : '';
  const vol =
    s.volatility === null || atr14 === null
      ? 'atr14 n/a: no volatility to size by.'
      : `atr14 ${roundPrice(atr14)} (${pct(atr14 / close)} of price) reads as ${pct(s.volatility)} annualised volatility; size ${pct(QUANT_PARAMS.targetVol)} / ${pct(s.volatility)} = ${s.size.toFixed(2)}${s.size >= QUANT_PARAMS.maxExposure ? ' (capped at 1)' : ''}.`;
  return expert('positioning', WEIGHTS.positioning, 0, `Sizing only (weight 0): ${vol}${pctB}`);
}

const POSITIVE = /\b(beat|beats|surge|surges|rall(y|ies)|record|upgrade[sd]?|expand(s|ed)?|rebound(s)?|gain(s)?|rise[sn]?|support|boost(s)?|strong)\b/i;
const NEGATIVE = /\b(miss(es)?|plunge[sd]?|slump(s)?|downgrade[sd]?|lawsuit|recession|cut(s)?|fall(s)?|drop(s)?|weak|lockdown(s)?|layoffs?|stress|contraction|claims)\b/i;

/** Keyword rules for news: a sentiment sign per item, never read as instructions, never traded. */
function rateNews(news: readonly NewsItem[], symbol: string | null): ModelOutput['news'] {
  return news.map((n, index) => {
    const text = `${n.headline} ${n.summary ?? ''}`;
    const pos = POSITIVE.test(text);
    const neg = NEGATIVE.test(text);
    const sentiment = pos === neg ? 0 : pos ? 0.5 : -0.5;
    const mentionsSymbol = symbol !== null && text.toLowerCase().includes(symbol.toLowerCase());
    return {
      index,
      sentiment,
      relevance: mentionsSymbol ? 0.6 : 0.3,
      note: `keyword rules (not a language model): ${sentiment > 0 ? 'positive' : sentiment < 0 ? 'negative' : 'neutral or mixed'} wording`,
    };
  });
}

/** Entry at the close, a stop stopAtr ATR behind it, a target rewardRisk times that risk ahead. */
function exitLevels(f: MarketFacts, side: -1 | 0 | 1): Pick<ModelOutput['decision'], 'entry' | 'invalidation' | 'target'> {
  const entry = f.lastBar.close;
  const atr = f.indicators.atr14;
  if (side === 0 || atr === null) return { entry, invalidation: null, target: null };
  const risk = QUANT_PARAMS.stopAtr * atr;
  const invalidation = entry - side * risk;
  const target = entry + side * QUANT_PARAMS.rewardRisk * risk;
  return { entry, invalidation: invalidation > 0 ? roundPrice(invalidation) : null, target: target > 0 ? roundPrice(target) : null };
}

function risks(f: MarketFacts, s: QuantSignals, timeframe: Timeframe | null): string[] {
  const out: string[] = [];
  const { atr14, sma200 } = f.indicators;
  const close = f.lastBar.close;
  const flat = factsAreFlat(f);
  // "Daily" only where the bars are daily (or, unlabelled, taken as daily).
  const range = timeframe === null || timeframe === '1d' ? 'Daily range' : `The ${barAdjective(timeframe)} bar range`;
  if (atr14 !== null) out.push(`${range} (ATR14) is ${((atr14 / close) * 100).toFixed(1)}% of price.`);
  if (sma200 === null) out.push('Fewer than 200 bars: the trend filter cannot be read, so the model abstains.');
  else if (s.side === 0) out.push('The trend filter and momentum disagree: the model claims no edge and abstains.');
  if (s.side !== 0) out.push('Trend following loses in ranges and at turning points (whipsaws); the stop is 2 ATR.');
  if (flat !== null) out.push(`The series is flat (${flat}); indicators read on it are meaningless.`);
  out.push('Quant rules on price data only (trend, momentum, volatility); news and fundamentals are not weighed.');
  return out;
}

/** On a flat series every reading is an artefact: every slot stands aside and says why. */
function flatExperts(why: string): Expert[] {
  const rationale = `The series is flat (${why}): no movement to read, so no signal.`;
  return (['trend', 'reversal', 'breakout', 'positioning'] as const).map((name) => expert(name, WEIGHTS[name], 0, rationale));
}

function decisionRationale(f: MarketFacts, s: QuantSignals, flat: string | null): string {
  const head = 'Quant rules (time-series trend with volatility scaling, not a language model):';
  if (flat !== null) return `${head} the series is flat (${flat}); HOLD.`;
  if (s.trend === null || s.momentum === null) return `${head} sma200 needs 200 bars (have ${f.bars}); HOLD: no reading, no edge claimed.`;
  const readings = `trend filter (close vs sma200) ${word(s.trend)}, momentum (sma50 vs sma200) ${word(s.momentum)}`;
  if (s.side === 0) {
    const why = s.size > 0 ? 'they disagree, so the model claims no edge' : 'no atr14 to size by';
    return `${head} ${readings}; ${why}: HOLD.`;
  }
  const vol = s.volatility === null ? '' : `, volatility ${pct(s.volatility)} annualised (atr14), size ${s.size.toFixed(2)}`;
  return `${head} ${readings}${vol}; ${s.side > 0 ? 'BUY' : 'SELL'}, stop ${QUANT_PARAMS.stopAtr} ATR, ${s.rungs} of 4 moving-average rungs agree.`;
}

/** The full rules-based analysis of a set of facts. */
export function analyzeWithRules(f: MarketFacts, news: readonly NewsItem[], symbol: string | null, timeframe: Timeframe | null = null): ModelOutput {
  const regime = f.trend.probabilities;
  const flat = factsAreFlat(f);
  const signals0 = quantSignals(f, timeframe);
  const s: QuantSignals = flat !== null ? { ...signals0, side: 0, rungs: 0 } : signals0;
  const experts = flat !== null ? flatExperts(flat) : [trendExpert(f, s), reversalExpert(f), momentumExpert(f, s), positioningExpert(f, s)];
  const action = s.side > 0 ? 'buy' : s.side < 0 ? 'sell' : 'hold';
  const p = QUANT_PARAMS;
  const confidence = action === 'hold' ? p.baseConfidence : p.baseConfidence + p.confidencePerRung * s.rungs;
  const signals = recent(
    f,
    f.patterns.filter((x) => x.kind === 'chart' || (x.role !== 'indecision' && x.role !== 'candle' && x.fitsContext)),
  );
  return {
    regime,
    experts,
    patterns: signals.map((x) => ({
      name: x.name,
      kind: x.kind,
      direction: x.direction,
      start: x.startTime,
      end: x.endTime,
      confidence: x.kind === 'chart' ? x.quality : 0.6,
    })),
    levels: {
      support: f.levels.support.slice(0, 3).map((l) => roundPrice(l.price)),
      resistance: f.levels.resistance.slice(0, 3).map((l) => roundPrice(l.price)),
    },
    indicators: (['sma200', 'sma50', 'sma20', 'atr14', 'rsi14', 'adx14'] as const)
      .filter((n) => f.indicators[n] !== null)
      .map((n) => ({ name: n, value: f.indicators[n], reading: `computed ${n}` })),
    news: rateNews(news, symbol),
    decision: {
      action,
      exposure: action === 'hold' ? 0 : r3(clamp(s.side * s.size)),
      confidence: r3(confidence),
      horizonBars: p.horizonBars,
      ...exitLevels(f, s.side),
      rationale: decisionRationale(f, s, flat),
    },
    risks: risks(f, s, timeframe),
  };
}

/** What the rules answer for an image without data: they cannot read pictures, and say so. */
export function rulesWithoutData(news: readonly NewsItem[], symbol: string | null): ModelOutput {
  const flat = (name: ExpertName): Expert => ({
    name,
    weight: 0.25,
    stance: 'flat',
    exposure: 0,
    rationale: 'The rules analyzer reads OHLCV data, not images; none was sent.',
  });
  return {
    regime: { uptrend: 0.3333, downtrend: 0.3333, sideways: 0.3334 },
    experts: [flat('trend'), flat('reversal'), flat('breakout'), flat('positioning')],
    patterns: [],
    levels: { support: [], resistance: [] },
    indicators: [],
    news: rateNews(news, symbol),
    decision: {
      action: 'hold',
      exposure: 0,
      confidence: 0,
      horizonBars: QUANT_PARAMS.horizonBars,
      entry: null,
      invalidation: null,
      target: null,
      rationale: 'No OHLCV data: the rules analyzer cannot read a chart image. Send the data, or use an LLM analyzer.',
    },
    risks: ['No analysis was possible without data.'],
  };
}
