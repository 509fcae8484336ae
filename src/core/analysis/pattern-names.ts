import { candlestickCodes, candlestickName, EXTRA_CANDLESTICKS } from '../market/candlestick-patterns.ts';
import { CHART_PATTERN_LABELS, type ChartPatternType } from '../market/chart-patterns.ts';

const NUMBER_WORDS: Record<string, string> = { one: '1', two: '2', three: '3', identical: 'identical' };
/** Words that describe a pattern without naming it. Direction words are read separately. */
const FILLER = new Set(['pattern', 'patterns', 'candle', 'candles', 'candlestick', 'candlesticks', 'formation', 'the', 'a', 'an', 'and', 'with', 'bullish', 'bearish', 'cdl']);
/** Direction words some names carry ('Bull Engulfing', 'Engulfing (bear)'): tried without them second. */
const DIRECTION_WORDS = new Set(['bull', 'bear', 'bulls', 'bears', 'up', 'down']);

/** Lower-case alphanumerics with filler words dropped and number words as digits. */
export function compactPatternName(name: string, dropDirectionWords = false): string {
  const words = name
    .toLowerCase()
    .replace(/&/g, ' ')
    .replace(/^cdl(?=[a-z0-9])/, '')
    .split(/[^a-z0-9]+/)
    .filter((w) => w && !FILLER.has(w) && !(dropDirectionWords && DIRECTION_WORDS.has(w)))
    .map((w) => NUMBER_WORDS[w] ?? w);
  return words.join('');
}

/** Names people (and models) use that TA-Lib's own hints do not produce. */
const EXTRA_ALIASES: Record<string, string> = {
  piercingline: 'CDLPIERCING',
  '3whitesoldiers': 'CDL3WHITESOLDIERS',
  whitesoldiers: 'CDL3WHITESOLDIERS',
  blackcrows: 'CDL3BLACKCROWS',
  kicker: 'CDLKICKING',
  eveningstar: 'CDLEVENINGSTAR',
  morningstar: 'CDLMORNINGSTAR',
  dragonfly: 'CDLDRAGONFLYDOJI',
  gravestone: 'CDLGRAVESTONEDOJI',
  longleggeddoji: 'CDLLONGLEGGEDDOJI',
  invertedhammer: 'CDLINVERTEDHAMMER',
  shootingstar: 'CDLSHOOTINGSTAR',
  hangingman: 'CDLHANGINGMAN',
  darkcloud: 'CDLDARKCLOUDCOVER',
  haramicross: 'CDLHARAMICROSS',
  '3inside': 'CDL3INSIDE',
  '3outside': 'CDL3OUTSIDE',
  rising3methods: 'CDLRISEFALL3METHODS',
  falling3methods: 'CDLRISEFALL3METHODS',
  headandshoulders: 'head_and_shoulders',
  headshoulders: 'head_and_shoulders',
  headshoulderstop: 'head_and_shoulders',
  headshouldersreversal: 'head_and_shoulders',
  hs: 'head_and_shoulders',
  hstop: 'head_and_shoulders',
  handstop: 'head_and_shoulders',
  headshouldersbottom: 'inverse_head_and_shoulders',
  inverseheadshoulders: 'inverse_head_and_shoulders',
  invertedheadshoulders: 'inverse_head_and_shoulders',
  reverseheadshoulders: 'inverse_head_and_shoulders',
  invertedhs: 'inverse_head_and_shoulders',
  reversehs: 'inverse_head_and_shoulders',
  hsbottom: 'inverse_head_and_shoulders',
  mtop: 'double_top',
  mpattern: 'double_top',
  wbottom: 'double_bottom',
  wpattern: 'double_bottom',
  morningstardoji: 'CDLMORNINGDOJISTAR',
  dojimorningstar: 'CDLMORNINGDOJISTAR',
  eveningstardoji: 'CDLEVENINGDOJISTAR',
  dojieveningstar: 'CDLEVENINGDOJISTAR',
  tweezertop: 'TWEEZERTOP',
  tweezerstop: 'TWEEZERTOP',
  toptweezer: 'TWEEZERTOP',
  tweezerbottom: 'TWEEZERBOTTOM',
  tweezersbottom: 'TWEEZERBOTTOM',
  bottomtweezer: 'TWEEZERBOTTOM',
  bullishflag: 'bull_flag',
  bearishflag: 'bear_flag',
  flagpole: 'bull_flag',
  bullishpennant: 'pennant',
  bearishpennant: 'pennant',
  tradingrange: 'rectangle',
  range: 'rectangle',
  rangebound: 'rectangle',
  consolidationrange: 'rectangle',
  sidewaysrange: 'rectangle',
  box: 'rectangle',
  risingchannel: 'ascending_channel',
  upwardchannel: 'ascending_channel',
  uptrendchannel: 'ascending_channel',
  fallingchannel: 'descending_channel',
  downwardchannel: 'descending_channel',
  downtrendchannel: 'descending_channel',
  cuphandle: 'cup_and_handle',
  cup: 'cup_and_handle',
  ascendingwedge: 'rising_wedge',
  descendingwedge: 'falling_wedge',
  saucer: 'rounding_bottom',
  saucerbottom: 'rounding_bottom',
  roundedbottom: 'rounding_bottom',
  invertedsaucer: 'rounding_top',
  roundedtop: 'rounding_top',
  inverseheadandshoulders: 'inverse_head_and_shoulders',
  invertedheadandshoulders: 'inverse_head_and_shoulders',
  reverseheadandshoulders: 'inverse_head_and_shoulders',
  inversehs: 'inverse_head_and_shoulders',
  doubletop: 'double_top',
  doublebottom: 'double_bottom',
  ascendingtriangle: 'ascending_triangle',
  descendingtriangle: 'descending_triangle',
  symmetricaltriangle: 'symmetrical_triangle',
  symmetrictriangle: 'symmetrical_triangle',
  breakout: 'breakout',
  breakdown: 'breakout',
  resistancebreakout: 'breakout',
  supportbreakdown: 'breakout',
  breakoutaboveresistance: 'breakout',
  breakdownbelowsupport: 'breakout',
};

let aliases: Map<string, string> | undefined;

function aliasTable(): Map<string, string> {
  if (aliases) return aliases;
  const table = new Map<string, string>();
  for (const code of candlestickCodes()) {
    table.set(compactPatternName(code), code);
    // "Three Inside Up/Down" and "Rising/Falling Three Methods" name two variants of one function.
    const hint = candlestickName(code).replace(/\(.*?\)/g, '');
    const variants = hint.includes('/')
      ? [hint.replace(/(\w+)\/(\w+)/, '$1'), hint.replace(/(\w+)\/(\w+)/, '$2'), hint]
      : [hint];
    for (const v of variants) table.set(compactPatternName(v), code);
  }
  for (const [code, label] of Object.entries(CHART_PATTERN_LABELS)) {
    table.set(compactPatternName(code), code);
    table.set(compactPatternName(label), code);
  }
  for (const [code, label] of Object.entries(EXTRA_CANDLESTICKS)) {
    table.set(compactPatternName(code), code);
    table.set(compactPatternName(label), code);
  }
  const known = new Set(table.values());
  // An alias only counts for a pattern that is detected (chart detectors come and go by name).
  for (const [alias, code] of Object.entries(EXTRA_ALIASES)) if (known.has(code)) table.set(alias, code);
  aliases = table;
  return table;
}

/**
 * Map any spelling of a pattern ("Bullish Engulfing", "engulfing (bullish)", "CDLENGULFING",
 * "H&S") to the code chartlens detects it under: a TA-Lib CDL name or a chart pattern type.
 * Returns null for patterns chartlens does not detect.
 */
export function resolvePatternCode(name: string, direction?: 'bullish' | 'bearish' | 'neutral'): string | null {
  const table = aliasTable();
  const key = compactPatternName(name);
  if (table.has(key)) return table.get(key) ?? null;
  // A bare "flag" or "wedge" is named by its direction: a bullish flag is a bull flag, and a
  // bullish wedge is a falling one (it breaks up).
  const byDirection = DIRECTIONAL_NAMES[key]?.[direction ?? 'neutral'];
  if (byDirection && new Set(table.values()).has(byDirection)) return byDirection;
  // "three inside up" -> "3insideup": try without a trailing up/down qualifier.
  const trimmed = key.replace(/(up|down)$/, '');
  if (table.has(trimmed)) return table.get(trimmed) ?? null;
  // "Bull Engulfing", "Engulfing (bear)": the direction is in the claim's own field.
  const withoutDirection = table.get(compactPatternName(name, true));
  if (withoutDirection) return withoutDirection;
  // "Double-bottom (W)", "Falling Wedge breakout": a gloss in brackets, or the pattern's own break named after it.
  const plain = name.replace(/\([^)]*\)/g, ' ').replace(/\b(breakout|breakdown|break|confirmed|forming)\s*$/i, ' ');
  return plain !== name ? resolvePatternCode(plain, direction) : null;
}

const DIRECTIONAL_NAMES: Record<string, Partial<Record<'bullish' | 'bearish' | 'neutral', string>>> = {
  flag: { bullish: 'bull_flag', bearish: 'bear_flag' },
  wedge: { bullish: 'falling_wedge', bearish: 'rising_wedge' },
  channel: { bullish: 'ascending_channel', bearish: 'descending_channel' },
  tweezer: { bullish: 'TWEEZERBOTTOM', bearish: 'TWEEZERTOP' },
  tweezers: { bullish: 'TWEEZERBOTTOM', bearish: 'TWEEZERTOP' },
};

export function isChartPatternCode(code: string): code is ChartPatternType {
  return code in CHART_PATTERN_LABELS;
}
