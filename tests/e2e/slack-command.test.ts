import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TIMEFRAME_HELP } from '../../src/core/market/timeframe.ts';
import { DEFAULT_BARS, MAX_BARS, MIN_BARS, parseCommand, USAGE } from '../../src/entry/slack/command.ts';

describe('parseCommand', () => {
  test('when the text is empty or asks for help, then it is help', () => {
    for (const text of ['', '   ', 'help', 'HELP', '-h', '--help', '?', 'help me please now']) {
      assert.deepEqual(parseCommand(text), { kind: 'help' }, JSON.stringify(text));
    }
  });

  test('when only a symbol is given, then timeframe 1d and the default bars are used', () => {
    assert.deepEqual(parseCommand('sp500'), { kind: 'analyze', symbol: 'sp500', timeframe: '1d', bars: DEFAULT_BARS });
    assert.equal(DEFAULT_BARS, 150);
  });

  test('when symbol, timeframe and bars are given, then all three are kept (the timeframe in its canonical spelling)', () => {
    assert.deepEqual(parseCommand('sp500 1d 150'), { kind: 'analyze', symbol: 'sp500', timeframe: '1d', bars: 150 });
    assert.deepEqual(parseCommand('  BTC-USD   4H  200 '), { kind: 'analyze', symbol: 'BTC-USD', timeframe: '4h', bars: 200 });
    assert.deepEqual(parseCommand('^GSPC 1mo'), { kind: 'analyze', symbol: '^GSPC', timeframe: '1M', bars: DEFAULT_BARS });
    assert.deepEqual(parseCommand('eur.usd 15m 30'), { kind: 'analyze', symbol: 'eur.usd', timeframe: '15m', bars: 30 });
  });

  test('when the second word is a number, then it is the bars and the timeframe stays 1d', () => {
    assert.deepEqual(parseCommand('sp500 300'), { kind: 'analyze', symbol: 'sp500', timeframe: '1d', bars: 300 });
  });

  test('when bars are out of range or not whole, then it is invalid with the range', () => {
    for (const text of [`sp500 1d ${MIN_BARS - 1}`, `sp500 1d ${MAX_BARS + 1}`, 'sp500 1d 1.5', 'sp500 1d many', 'sp500 0']) {
      const r = parseCommand(text);
      assert.equal(r.kind, 'invalid', text);
      assert.match((r as { message: string }).message, /BARS must be a whole number from 30 to 1000/, text);
    }
    assert.equal(parseCommand(`sp500 1d ${MIN_BARS}`).kind, 'analyze');
    assert.equal(parseCommand(`sp500 1d ${MAX_BARS}`).kind, 'analyze');
  });

  test('when the timeframe is not one of 1m 5m 15m 1h 4h 1d 1w 1M (or a spelling of one), then it is invalid and says why', () => {
    for (const tf of ['1y', 'd1', '1dd', '7h', '2d']) {
      const r = parseCommand(`sp500 ${tf} 100`);
      assert.deepEqual(r, { kind: 'invalid', message: `"${tf}" is not a timeframe: ${TIMEFRAME_HELP}.` });
    }
    assert.deepEqual(parseCommand('sp500 daily 100'), { kind: 'analyze', symbol: 'sp500', timeframe: '1d', bars: 100 });
  });

  test('when the symbol has odd characters or is too long, then it is invalid', () => {
    for (const sym of ['<@U123>', 'sp500;rm', 'a/b', 'x'.repeat(33)]) {
      const r = parseCommand(`${sym} 1d 100`);
      assert.deepEqual(r, { kind: 'invalid', message: `"${sym}" is not a symbol.` });
    }
  });

  test('when there are more than three words, then it is invalid with the usage line', () => {
    const r = parseCommand('sp500 1d 150 please');
    assert.equal(r.kind, 'invalid');
    assert.ok((r as { message: string }).message.startsWith('Too many words.'));
    assert.ok((r as { message: string }).message.includes(USAGE.split('\n')[0]));
  });
});
