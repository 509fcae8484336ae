import { parseTimeframe, TIMEFRAME_HELP, type Timeframe } from '../../core/market/timeframe.ts';

/** What `/chartlens ...` asked for. */
export type ChartlensCommand =
  | { kind: 'help' }
  | { kind: 'analyze'; symbol: string; timeframe: Timeframe; bars: number }
  | { kind: 'invalid'; message: string };

export const DEFAULT_BARS = 150;
export const MIN_BARS = 30;
export const MAX_BARS = 1000;

export const USAGE = [
  '*/chartlens SYMBOL [TIMEFRAME] [BARS]*: analyse the last BARS bars (default 150) of SYMBOL, e.g. `/chartlens sp500 1d 150`.',
  '*/chartlens help*: this text.',
  'Or mention me in a message with a chart image (or send one in a direct message): I will analyse the image and reply in the thread.',
  'Answers are educational analysis, not investment advice.',
].join('\n');

/** Parse the text after `/chartlens`. */
export function parseCommand(text: string): ChartlensCommand {
  const words = text.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0 || /^(help|-h|--help|\?)$/i.test(words[0])) return { kind: 'help' };
  if (words.length > 3) return { kind: 'invalid', message: `Too many words. ${USAGE.split('\n')[0]}` };
  const [symbol, second, third] = words;
  if (!/^[A-Za-z0-9._^-]{1,32}$/.test(symbol)) return { kind: 'invalid', message: `"${symbol}" is not a symbol.` };
  let timeframe = '1d';
  let barsText: string | undefined;
  if (second !== undefined) {
    if (/^\d+$/.test(second) && third === undefined) barsText = second;
    else {
      timeframe = second;
      barsText = third;
    }
  }
  const tf = parseTimeframe(timeframe);
  if (!tf) return { kind: 'invalid', message: `"${timeframe}" is not a timeframe: ${TIMEFRAME_HELP}.` };
  const bars = barsText === undefined ? DEFAULT_BARS : Number(barsText);
  if (!Number.isInteger(bars) || bars < MIN_BARS || bars > MAX_BARS) {
    return { kind: 'invalid', message: `BARS must be a whole number from ${MIN_BARS} to ${MAX_BARS}.` };
  }
  return { kind: 'analyze', symbol, timeframe: tf, bars };
}
