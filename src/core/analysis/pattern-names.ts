import { candlestickCodes, candlestickName } from '../market/candlestick-patterns.ts';
import { CHART_PATTERN_LABELS, type ChartPatternType } from '../market/chart-patterns.ts';

const NUMBER_WORDS: Record<string, string> = { one: '1', two: '2', three: '3', identical: 'identical' };
/** Words that describe a pattern without naming it. Direction words are read separately. */
const FILLER = new Set(['pattern', 'patterns', 'candle', 'candles', 'candlestick', 'candlesticks', 'formation', 'the', 'a', 'bullish', 'bearish', 'cdl']);

/** Lower-case alphanumerics with filler words dropped and number words as digits. */
export function compactPatternName(name: string): string {
  const words = name
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/^cdl(?=[a-z0-9])/, '')
    .split(/[^a-z0-9]+/)
    .filter((w) => w && !FILLER.has(w))
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
  hs: 'head_and_shoulders',
  handstop: 'head_and_shoulders',
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
  for (const [alias, code] of Object.entries(EXTRA_ALIASES)) table.set(alias, code);
  aliases = table;
  return table;
}

/**
 * Map any spelling of a pattern ("Bullish Engulfing", "engulfing (bullish)", "CDLENGULFING",
 * "H&S") to the code chartlens detects it under: a TA-Lib CDL name or a chart pattern type.
 * Returns null for patterns chartlens does not detect.
 */
export function resolvePatternCode(name: string): string | null {
  const table = aliasTable();
  const key = compactPatternName(name);
  if (table.has(key)) return table.get(key) ?? null;
  // "three inside up" -> "3insideup": try without a trailing up/down/top/bottom qualifier.
  const trimmed = key.replace(/(up|down)$/, '');
  return table.get(trimmed) ?? null;
}

export function isChartPatternCode(code: string): code is ChartPatternType {
  return code in CHART_PATTERN_LABELS;
}
