/** The names models give patterns and indicators, resolved to what chartlens computes (a table). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { resolvePatternCode } from '../../src/core/analysis/pattern-names.ts';
import { resolveIndicatorName } from '../../src/core/analysis/verify.ts';

describe('pattern names models use', () => {
  const table: [string, string | null, 'bullish' | 'bearish' | 'neutral' | undefined][] = [
    ['H&S', 'head_and_shoulders', undefined],
    ['Head & Shoulders Top', 'head_and_shoulders', undefined],
    ['head and shoulders', 'head_and_shoulders', undefined],
    ['inverse H&S', 'inverse_head_and_shoulders', undefined],
    ['Inverted Head and Shoulders', 'inverse_head_and_shoulders', undefined],
    ['Engulfing (bull)', 'CDLENGULFING', 'bullish'],
    ['Bull Engulfing', 'CDLENGULFING', 'bullish'],
    ['Bearish Engulfing Pattern', 'CDLENGULFING', 'bearish'],
    ['CDLENGULFING', 'CDLENGULFING', undefined],
    ['Morning Star Doji', 'CDLMORNINGDOJISTAR', 'bullish'],
    ['Morning Doji Star', 'CDLMORNINGDOJISTAR', 'bullish'],
    ['Evening Star', 'CDLEVENINGSTAR', 'bearish'],
    ['M top', 'double_top', 'bearish'],
    ['W bottom', 'double_bottom', 'bullish'],
    ['Double Bottom', 'double_bottom', 'bullish'],
    ['Tweezer Top', 'TWEEZERTOP', 'bearish'],
    ['tweezer bottom', 'TWEEZERBOTTOM', 'bullish'],
    ['Three White Soldiers', 'CDL3WHITESOLDIERS', 'bullish'],
    ['3 black crows', 'CDL3BLACKCROWS', 'bearish'],
    ['Three Inside Up', 'CDL3INSIDE', 'bullish'],
    ['Hammer', 'CDLHAMMER', 'bullish'],
    ['Shooting Star', 'CDLSHOOTINGSTAR', 'bearish'],
    ['Piercing Line', 'CDLPIERCING', 'bullish'],
    ['Dark Cloud Cover', 'CDLDARKCLOUDCOVER', 'bearish'],
    ['Ascending Triangle', 'ascending_triangle', 'bullish'],
    ['Breakout above resistance', 'breakout', 'bullish'],
    ['Bull Flag', 'bull_flag', 'bullish'],
    ['bear flag pattern', 'bear_flag', 'bearish'],
    ['flag', 'bear_flag', 'bearish'],
    ['Bullish Pennant', 'pennant', 'bullish'],
    ['Cup and Handle', 'cup_and_handle', 'bullish'],
    ['cup & handle', 'cup_and_handle', 'bullish'],
    ['Rising Wedge', 'rising_wedge', 'bearish'],
    ['wedge', 'falling_wedge', 'bullish'],
    ['trading range', 'rectangle', 'neutral'],
    ['Ascending Channel', 'ascending_channel', 'bullish'],
    ['falling channel', 'descending_channel', 'bearish'],
    ['Triple Top', 'triple_top', 'bearish'],
    ['triple bottom', 'triple_bottom', 'bullish'],
    ['Rounding Bottom', 'rounding_bottom', 'bullish'],
    ['saucer', 'rounding_bottom', 'bullish'],
    ['Double-bottom (W)', 'double_bottom', 'bullish'],
    ['Falling Wedge breakout', 'falling_wedge', 'bullish'],
    ['Hammer candlestick', 'CDLHAMMER', 'bullish'],
    ['Morning-star', 'CDLMORNINGSTAR', 'bullish'],
    ['Elliott Wave 3', null, 'bullish'],
    ['Golden Cross', null, 'bullish'],
  ];
  for (const [name, code, direction] of table) {
    test(`when a model says "${name}", then it resolves to ${code ?? 'nothing (unverifiable)'}`, () => {
      assert.equal(resolvePatternCode(name, direction), code);
    });
  }
});

describe('indicator names models use', () => {
  const table: [string, string | null][] = [
    ['200 day moving average', 'sma200'],
    ['moving average (50)', 'sma50'],
    ['50-day SMA', 'sma50'],
    ['SMA(200)', 'sma200'],
    ['MA 50', 'sma50'],
    ['20 EMA', 'ema20'],
    ['EMA(50)', 'ema50'],
    ['RSI(14)', 'rsi14'],
    ['14-day RSI', 'rsi14'],
    ['Relative Strength Index', 'rsi14'],
    ['MACD signal line', 'macdSignal'],
    ['MACD histogram', 'macdHist'],
    ['Average True Range', 'atr14'],
    ['ADX(14)', 'adx14'],
    ['Stochastic %K', 'stochK'],
    ['On-Balance Volume', 'obv'],
    ['upper Bollinger Band', 'bbUpper'],
    ['moving average', null],
    ['VWAP', null],
  ];
  for (const [name, flat] of table) {
    test(`when a model quotes "${name}", then it is ${flat ?? 'not computed (unverifiable)'}`, () => {
      assert.equal(resolveIndicatorName(name), flat);
    });
  }
});
