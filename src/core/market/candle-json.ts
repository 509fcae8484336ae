/** JSON OHLCV may be a bare array of candles or an object holding one under `candles`. */
export function jsonCandles(value: unknown): unknown {
  if (value && typeof value === 'object' && !Array.isArray(value) && 'candles' in value) return value.candles;
  return value;
}
