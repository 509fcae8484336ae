import binding from './talib-binding.cjs';

/** The subset of the native `talib` module chartlens uses. */
interface TalibParam {
  name: string;
  type: string;
  defaultValue?: number;
  flags?: Record<string, string>;
}
interface TalibExplain {
  name: string;
  group: string;
  hint: string;
  inputs: TalibParam[];
  optInputs: TalibParam[];
  outputs: TalibParam[];
}
interface TalibResult {
  begIndex: number;
  nbElement: number;
  result: Record<string, number[]>;
  error?: string;
}
interface TalibModule {
  version: string;
  functions: { name: string; group: string }[];
  explain(name: string): TalibExplain;
  execute(params: Record<string, unknown>): TalibResult;
}

const talib = binding as TalibModule;

/** Price series TA-Lib reads; `real` is what a function's `inReal` input gets (close by default). */
export interface TalibSeries {
  open: readonly number[];
  high: readonly number[];
  low: readonly number[];
  close: readonly number[];
  volume?: readonly number[];
  real?: readonly number[];
}

const explainCache = new Map<string, TalibExplain>();

/** TA-Lib's own description of a function, cached (the native call allocates each time). */
export function explainTalib(name: string): TalibExplain {
  let info = explainCache.get(name);
  if (!info) {
    info = talib.explain(name);
    explainCache.set(name, info);
  }
  return info;
}

const groupCache = new Map<string, string[]>();

/** Names of every TA-Lib function in a group, e.g. "Pattern Recognition" (cached: the binding rebuilds its list per access). */
export function talibFunctionsInGroup(group: string): string[] {
  let names = groupCache.get(group);
  if (!names) {
    names = talib.functions.filter((f) => f.group === group).map((f) => f.name);
    groupCache.set(group, names);
  }
  return names;
}

export const TALIB_VERSION = talib.version;

/** TA-Lib's raw answer: `nbElement` values starting at bar `begIndex`, per output name. */
export function runTalibRaw(
  name: string,
  series: TalibSeries,
  options: Readonly<Record<string, number>> = {},
): { begIndex: number; nbElement: number; result: Record<string, number[]> } {
  const info = explainTalib(name);
  const n = series.close.length;
  const params: Record<string, unknown> = { name, startIdx: 0, endIdx: n - 1 };
  for (const input of info.inputs) {
    if (input.type === 'price') {
      for (const key of Object.values(input.flags ?? {})) {
        const values = series[key as keyof TalibSeries];
        if (!values) throw new Error(`${name} needs the ${key} series`);
        params[key] = values;
      }
    } else {
      params[input.name] = series.real ?? series.close;
    }
  }
  for (const key of Object.keys(options)) {
    if (!info.optInputs.some((o) => o.name === key)) throw new Error(`${name} has no option ${key}`);
  }
  for (const opt of info.optInputs) {
    const value = options[opt.name] ?? opt.defaultValue;
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`${name}: no value for ${opt.name}`);
    params[opt.name] = value;
  }
  const out = talib.execute(params);
  if (out.error) throw new Error(`TA-Lib ${name}: ${out.error}`);
  return out;
}

/**
 * Run one TA-Lib function over the whole series and return each output aligned to the input
 * (null where TA-Lib has no value yet).
 *
 * Every optional input is always passed, from the caller or TA-Lib's declared default: the native
 * binding reads missing ones as garbage and some functions (CDLMORNINGSTAR...) then abort the whole
 * process with a V8 fatal error that no try/catch can catch.
 */
export function runTalib(
  name: string,
  series: TalibSeries,
  options: Readonly<Record<string, number>> = {},
): Record<string, (number | null)[]> {
  const info = explainTalib(name);
  const n = series.close.length;
  const out = runTalibRaw(name, series, options);
  const aligned: Record<string, (number | null)[]> = {};
  for (const output of info.outputs) {
    const values = out.result[output.name] ?? [];
    const full = new Array<number | null>(n).fill(null);
    for (let i = 0; i < out.nbElement; i++) full[out.begIndex + i] = values[i];
    aligned[output.name] = full;
  }
  return aligned;
}
