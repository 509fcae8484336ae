/**
 * Straightforward textbook implementations, written independently of TA-Lib, used only to check
 * that chartlens reports TA-Lib's values at the right bars with the right parameters.
 * They follow TA-Lib's conventions: SMA-seeded EMA, Wilder smoothing seeded by a simple average,
 * population standard deviation for Bollinger bands.
 */
export type Ref = (number | null)[];

export function sma(values: readonly number[], period: number): Ref {
  return values.map((_, i) => {
    if (i + 1 < period) return null;
    let s = 0;
    for (let k = i + 1 - period; k <= i; k++) s += values[k];
    return s / period;
  });
}

export function ema(values: readonly number[], period: number): Ref {
  const out: Ref = new Array(values.length).fill(null);
  const k = 2 / (period + 1);
  let prev = 0;
  for (let i = 0; i < values.length; i++) {
    if (i + 1 < period) continue;
    if (i + 1 === period) {
      prev = values.slice(0, period).reduce((a, b) => a + b, 0) / period;
    } else {
      prev = (values[i] - prev) * k + prev;
    }
    out[i] = prev;
  }
  return out;
}

export function rsi(close: readonly number[], period: number): Ref {
  const out: Ref = new Array(close.length).fill(null);
  let gain = 0;
  let loss = 0;
  for (let i = 1; i < close.length; i++) {
    const d = close[i] - close[i - 1];
    const g = Math.max(d, 0);
    const l = Math.max(-d, 0);
    if (i <= period) {
      gain += g;
      loss += l;
      if (i === period) {
        gain /= period;
        loss /= period;
        out[i] = gain + loss === 0 ? 0 : (100 * gain) / (gain + loss);
      }
    } else {
      gain = (gain * (period - 1) + g) / period;
      loss = (loss * (period - 1) + l) / period;
      out[i] = gain + loss === 0 ? 0 : (100 * gain) / (gain + loss);
    }
  }
  return out;
}

export function atr(high: readonly number[], low: readonly number[], close: readonly number[], period: number): Ref {
  const out: Ref = new Array(close.length).fill(null);
  let avg = 0;
  for (let i = 1; i < close.length; i++) {
    const tr = Math.max(high[i] - low[i], Math.abs(high[i] - close[i - 1]), Math.abs(low[i] - close[i - 1]));
    if (i <= period) {
      avg += tr;
      if (i === period) {
        avg /= period;
        out[i] = avg;
      }
    } else {
      avg = (avg * (period - 1) + tr) / period;
      out[i] = avg;
    }
  }
  return out;
}

export function bollinger(close: readonly number[], period: number, dev: number): { upper: Ref; middle: Ref; lower: Ref } {
  const middle = sma(close, period);
  const sd = close.map((_, i) => {
    const m = middle[i];
    if (m === null) return null;
    let s = 0;
    for (let k = i + 1 - period; k <= i; k++) s += (close[k] - m) ** 2;
    return Math.sqrt(s / period);
  });
  return {
    middle,
    upper: middle.map((m, i) => (m === null ? null : m + dev * (sd[i] as number))),
    lower: middle.map((m, i) => (m === null ? null : m - dev * (sd[i] as number))),
  };
}

export function obv(close: readonly number[], volume: readonly number[]): Ref {
  const out: Ref = [volume[0]];
  for (let i = 1; i < close.length; i++) {
    const prev = out[i - 1] as number;
    out.push(close[i] > close[i - 1] ? prev + volume[i] : close[i] < close[i - 1] ? prev - volume[i] : prev);
  }
  return out;
}

/** Assert two series agree to a relative tolerance; returns the worst relative error seen. */
export function worstRelativeError(actual: readonly (number | null)[], expected: readonly (number | null)[]): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != ${expected.length}`);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (a === null || e === null) {
      if (a !== e) throw new Error(`bar ${i}: ${a} vs ${e} (one is null)`);
      continue;
    }
    const rel = Math.abs(a - e) / Math.max(Math.abs(e), 1e-12);
    worst = Math.max(worst, rel);
  }
  return worst;
}
