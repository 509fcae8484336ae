import type { CandlestickHit } from '../market/candlestick-patterns.ts';
import type { ChartPatternHit } from '../market/chart-patterns.ts';
import type { MarketFacts } from '../market/facts.ts';
import type { ExpertName, ModelOutput } from './model-output.ts';
import type { NewsItem } from './news.ts';
import { factsAreFlat } from './policy/degenerate.ts';
import { roundPrice } from './policy/prices.ts';

/**
 * chartlens's own analyzer: deterministic rules over the market facts that answer in the same
 * contract as a model. It is labelled `local-rules` everywhere and is not a language model; its
 * rationale is text assembled from the numbers.
 */

type Expert = ModelOutput['experts'][number];

const clamp = (v: number, lo = -1, hi = 1): number => Math.min(hi, Math.max(lo, v));
/** Exposures and confidences keep 3 decimals; prices keep significant digits (roundPrice). */
const r3 = (v: number): number => Math.round(v * 1000) / 1000;
const fmt = (v: number | null, digits = 2): string => (v === null ? 'n/a' : v.toFixed(digits));
const stance = (e: number): Expert['stance'] => (e > 0.1 ? 'long' : e < -0.1 ? 'short' : 'flat');
/** An expert view; weights are set later, by regime. */
const expert = (name: ExpertName, exposure: number, rationale: string): Expert => ({
  name,
  weight: 0,
  stance: stance(exposure),
  exposure: r3(exposure),
  rationale,
});
/** The rules act on these recent bars only; older signals are history. */
const RECENT_BARS = 5;

function recent<T extends CandlestickHit | ChartPatternHit>(facts: MarketFacts, hits: T[]): T[] {
  return hits.filter((h) => h.endIndex > facts.asOf.index - RECENT_BARS);
}

function trendExpert(f: MarketFacts): Expert {
  const { maAlignment, slopeAtrPerBar, adx } = f.trend;
  const slope = slopeAtrPerBar === null ? 0 : Math.tanh(slopeAtrPerBar / 0.1);
  const trendiness = adx === null ? 0.5 : clamp((adx - 15) / 20, 0, 1);
  const exposure = clamp(((maAlignment ?? 0) * 0.5 + slope * 0.5) * (0.4 + 0.6 * trendiness));
  return expert('trend', exposure, `MA alignment ${fmt(maAlignment)} (close vs SMA20/50/200), 20-bar slope ${fmt(slopeAtrPerBar)} ATR/bar, ADX ${fmt(adx, 1)}.`);
}

function reversalExpert(f: MarketFacts): Expert {
  const rsi = f.indicators.rsi14;
  const atr = f.indicators.atr14 ?? 0;
  const close = f.lastBar.close;
  let exposure = 0;
  const reasons: string[] = [];
  if (rsi !== null && rsi >= 70) {
    exposure -= ((rsi - 70) / 30) * 0.6 + 0.2;
    reasons.push(`RSI ${rsi.toFixed(1)} is overbought`);
  } else if (rsi !== null && rsi <= 30) {
    exposure += ((30 - rsi) / 30) * 0.6 + 0.2;
    reasons.push(`RSI ${rsi.toFixed(1)} is oversold`);
  }
  const candles = recent(
    f,
    f.patterns.filter((p): p is CandlestickHit => p.kind === 'candlestick' && p.role === 'reversal' && p.fitsContext),
  );
  const nearSupport = f.levels.support.some((l) => close - l.price <= atr);
  const nearResistance = f.levels.resistance.some((l) => l.price - close <= atr);
  for (const c of candles) {
    if (c.direction === 'bullish' && nearSupport) {
      exposure += 0.3;
      reasons.push(`${c.name} (${c.endTime}) near support`);
    } else if (c.direction === 'bearish' && nearResistance) {
      exposure -= 0.3;
      reasons.push(`${c.name} (${c.endTime}) near resistance`);
    }
  }
  exposure = clamp(exposure);
  return expert('reversal', exposure, reasons.length ? `${reasons.join('; ')}.` : `No exhaustion: RSI ${fmt(rsi, 1)} and no reversal candle at a level.`);
}

function breakoutExpert(f: MarketFacts): Expert {
  const breaks = recent(
    f,
    f.patterns.filter((p): p is ChartPatternHit => p.kind === 'chart' && p.status === 'confirmed' && p.direction !== 'neutral'),
  );
  let exposure = 0;
  const reasons: string[] = [];
  for (const b of breaks) {
    const onVolume = b.points.some((p) => p.role === 'close_on_volume');
    const weight = (b.code === 'breakout' ? 0.4 : 0.3) + (onVolume ? 0.3 : 0);
    exposure += b.direction === 'bullish' ? weight : -weight;
    reasons.push(`${b.direction} ${b.name.toLowerCase()} confirmed ${b.endTime}${b.trigger === null ? '' : ` through ${b.trigger}`}${onVolume ? ' on volume' : ''}`);
  }
  exposure = clamp(exposure);
  return expert('breakout', exposure, reasons.length ? `${reasons.join('; ')}.` : 'No close through a level or pattern trigger in the last bars.');
}

function positioningExpert(f: MarketFacts): Expert {
  const { bbUpper, bbLower, atr14 } = f.indicators;
  const close = f.lastBar.close;
  if (bbUpper === null || bbLower === null) return expert('positioning', 0, 'Bollinger bands need 20 bars.');
  if (bbUpper === bbLower) return expert('positioning', 0, 'The Bollinger bands have no width, so %B cannot be read.');
  const pctB = (close - bbLower) / (bbUpper - bbLower);
  let exposure = clamp((0.5 - pctB) * 0.6);
  const atrPct = atr14 === null ? null : (atr14 / close) * 100;
  // High volatility shrinks any position: the same exposure carries more risk.
  if (atrPct !== null && atrPct > 3) exposure *= 3 / atrPct;
  return expert('positioning', exposure, `Bollinger %B ${pctB.toFixed(2)} (${pctB > 1 ? 'above the upper band' : pctB < 0 ? 'below the lower band' : 'inside the bands'}), ATR ${fmt(atrPct, 1)}% of price.`);
}

/** Route weight to experts by regime: trends favour trend and breakout, ranges reversal and positioning. */
function weigh(experts: Expert[], regime: ModelOutput['regime']): Expert[] {
  const trending = regime.uptrend + regime.downtrend;
  const raw: Record<ExpertName, number> = {
    trend: 0.15 + 0.45 * trending,
    breakout: 0.1 + 0.2 * trending,
    reversal: 0.1 + 0.35 * regime.sideways,
    positioning: 0.1 + 0.2 * regime.sideways,
  };
  const total = Object.values(raw).reduce((a, b) => a + b, 0);
  return experts.map((e) => ({ ...e, weight: r3(raw[e.name] / total) }));
}

const POSITIVE = /\b(beat|beats|surge|surges|rall(y|ies)|record|upgrade[sd]?|expand(s|ed)?|rebound(s)?|gain(s)?|rise[sn]?|support|boost(s)?|strong)\b/i;
const NEGATIVE = /\b(miss(es)?|plunge[sd]?|slump(s)?|downgrade[sd]?|lawsuit|recession|cut(s)?|fall(s)?|drop(s)?|weak|lockdown(s)?|layoffs?|stress|contraction|claims)\b/i;

/** Keyword rules for news: a sentiment sign per item, never read as instructions. */
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

function exitLevels(f: MarketFacts, action: 'buy' | 'sell' | 'hold'): Pick<ModelOutput['decision'], 'entry' | 'invalidation' | 'target'> {
  const entry = f.lastBar.close;
  const atr = f.indicators.atr14;
  if (action === 'hold' || atr === null) return { entry, invalidation: null, target: null };
  const side = action === 'buy' ? 1 : -1;
  // Stop just beyond the nearest level behind the trade if it is within 3 ATR, else 1.5 ATR away.
  const behind = (action === 'buy' ? f.levels.support : f.levels.resistance).find((l) => Math.abs(entry - l.price) <= 3 * atr);
  const invalidation = behind ? behind.price - side * 0.25 * atr : entry - side * 1.5 * atr;
  // Target at the nearest level ahead if it is at least 1 ATR away, else twice the risk.
  const ahead = (action === 'buy' ? f.levels.resistance : f.levels.support).find((l) => Math.abs(l.price - entry) >= atr);
  const target = ahead ? ahead.price : entry + side * 2 * Math.abs(entry - invalidation);
  return { entry, invalidation: roundPrice(invalidation), target: roundPrice(target) };
}

function risks(f: MarketFacts): string[] {
  const out: string[] = [];
  const { atr14, rsi14, sma200 } = f.indicators;
  const close = f.lastBar.close;
  const flat = factsAreFlat(f);
  if (atr14 !== null) out.push(`Daily range (ATR14) is ${((atr14 / close) * 100).toFixed(1)}% of price.`);
  if (flat === null && rsi14 !== null && (rsi14 > 70 || rsi14 < 30)) out.push(`RSI ${rsi14.toFixed(1)} is at an extreme; sharp reversals are common.`);
  if (sma200 !== null && close < sma200) out.push('Price is below its 200-bar average.');
  if (!f.hasVolume) out.push('No volume data: breakouts cannot be confirmed by volume.');
  if (f.trend.direction === 'sideways') out.push('The regime is mostly sideways; signals fail more often in ranges.');
  if (flat !== null) out.push(`The series is flat (${flat}); indicators read on it are meaningless.`);
  out.push('Rules-based reading from price data only; news and fundamentals are not weighed.');
  return out;
}

/**
 * On a flat series (ATR ~0, or closes that never move) every reading is an artefact: RSI is 0/0
 * (TA-Lib answers 0, which would read as "oversold"), the MA alignment and slopes are rounding
 * noise. Every expert stands aside and says why.
 */
function flatExperts(why: string): Expert[] {
  const rationale = `The series is flat (${why}): no movement to read, so no signal.`;
  return (['trend', 'reversal', 'breakout', 'positioning'] as const).map((name) => expert(name, 0, rationale));
}

/** The full rules-based analysis of a set of facts. */
export function analyzeWithRules(f: MarketFacts, news: readonly NewsItem[], symbol: string | null): ModelOutput {
  const regime = f.trend.probabilities;
  const flat = factsAreFlat(f);
  const experts = weigh(flat !== null ? flatExperts(flat) : [trendExpert(f), reversalExpert(f), breakoutExpert(f), positioningExpert(f)], regime);
  const exposure = clamp(experts.reduce((s, e) => s + e.weight * e.exposure, 0));
  const action = exposure > 0.15 ? 'buy' : exposure < -0.15 ? 'sell' : 'hold';
  const agreeing = experts.filter((e) => Math.sign(e.exposure) === Math.sign(exposure) && e.exposure !== 0).length;
  const confidence = action === 'hold' ? 0.5 : clamp(0.35 + 0.35 * Math.abs(exposure) + 0.05 * agreeing, 0, 0.75);
  const lead = [...experts].sort((a, b) => Math.abs(b.weight * b.exposure) - Math.abs(a.weight * a.exposure))[0];
  const signals = recent(
    f,
    f.patterns.filter((p) => p.kind === 'chart' || (p.role !== 'indecision' && p.role !== 'candle' && p.fitsContext)),
  );
  return {
    regime,
    experts,
    patterns: signals.map((p) => ({
      name: p.name,
      kind: p.kind,
      direction: p.direction,
      start: p.startTime,
      end: p.endTime,
      confidence: p.kind === 'chart' ? p.quality : 0.6,
    })),
    levels: {
      support: f.levels.support.slice(0, 3).map((l) => roundPrice(l.price)),
      resistance: f.levels.resistance.slice(0, 3).map((l) => roundPrice(l.price)),
    },
    indicators: (['rsi14', 'macdHist', 'adx14', 'atr14', 'sma50'] as const)
      .filter((n) => f.indicators[n] !== null)
      .map((n) => ({ name: n, value: f.indicators[n], reading: `computed ${n}` })),
    news: rateNews(news, symbol),
    decision: {
      action,
      exposure: action === 'hold' ? 0 : r3(exposure),
      confidence: r3(confidence),
      horizonBars: 5,
      ...exitLevels(f, action),
      rationale: `Rules: weighted expert exposure ${exposure.toFixed(2)} (${experts.map((e) => `${e.name} ${e.exposure.toFixed(2)}x${e.weight.toFixed(2)}`).join(', ')}); strongest: ${lead.name}. ${lead.rationale}`,
    },
    risks: risks(f),
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
      horizonBars: 5,
      entry: null,
      invalidation: null,
      target: null,
      rationale: 'No OHLCV data: the rules analyzer cannot read a chart image. Send the data, or use an LLM analyzer.',
    },
    risks: ['No analysis was possible without data.'],
  };
}
