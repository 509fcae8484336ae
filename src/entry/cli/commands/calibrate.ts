import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ANALYZER_IDS } from '../../../core/analysis/analyzer-id.ts';
import { type CalibrationMap, calibrationMapId } from '../../../core/analysis/calibration.ts';
import type { ForecastScores } from '../../../core/evaluation/fit-calibration.ts';
import { parseCandlesCsv, parseCandleTime } from '../../../core/market/candles.ts';
import type { FitCalibrationResult } from '../../../use-cases/fit-calibration.ts';
import { Flags, oneShotWorkers } from '../args.ts';
import type { Command } from '../command.ts';
import { usageError } from '../failure.ts';
import { readText, writeBytes } from '../files.ts';
import { progressReporter } from '../progress.ts';

function dateFlag(f: Flags, name: string): number | undefined {
  const v = f.string(name);
  if (v === undefined) return undefined;
  const t = parseCandleTime(v);
  if (Number.isNaN(t)) throw usageError(`--${name} must be a date like 2014-12-31 (got "${v}")`);
  return t;
}

/** Index of the first bar at or after a time. */
const firstAtOrAfter = (times: readonly number[], t: number): number => {
  const i = times.findIndex((x) => x >= t);
  return i < 0 ? times.length : i;
};

/** Index of the last bar at or before a time (-1 when there is none). */
const lastAtOrBefore = (times: readonly number[], t: number): number => {
  let i = times.length - 1;
  while (i >= 0 && times[i] > t) i--;
  return i;
};

/** `chartlens calibrate --csv FILE`: fit a calibration map on a walk-forward replay and write it. */
export const command: Command = {
  name: 'calibrate',
  usage: 'chartlens calibrate --csv FILE [--to DATE] [--analyzer local] [--out calibration/] [options]',
  description: [
    'Fits the map that turns an analyzer\'s confidence into a measured hit rate. It replays the CSV',
    'walk-forward up to --to only (the bars after it are not read): every 5 bars, a 150-bar chart and',
    'the facts up to that bar, the analyzer\'s call with the policy\'s confidence (no map applied), scored',
    'on whether its direction was right 5 bars later. Calls whose outcome is not known by --to are left',
    'out. The map (isotonic steps, shrunk toward the base rate) is written to --out as',
    '<analyzer>[.<model>].<prompt version>.json, e.g. calibration/local.analyze.v1.json, which the',
    'service loads at start. --check-to also replays the bars after --to and scores the map on them.',
  ].join('\n'),
  options: {
    csv: { type: 'string', value: 'FILE', required: true, help: 'the OHLCV CSV to replay' },
    from: { type: 'string', value: 'DATE', shows: 'the first full window', help: 'first decision date' },
    to: { type: 'string', value: 'DATE', shows: 'the last bar', help: 'last bar of the fit: nothing after it is read' },
    'check-to': { type: 'string', value: 'DATE', shows: 'no check', help: 'score the map on the calls after --to, up to this date (held out)' },
    analyzer: { type: 'string', value: ANALYZER_IDS.join('|'), default: 'local', help: 'the analyzer whose confidence is calibrated' },
    model: { type: 'string', value: 'M', shows: 'CHARTLENS_MODEL', help: 'the model, for --analyzer openai' },
    'map-version': { type: 'string', value: 'N', default: '1', help: 'the version written into the map (bump it when refitting)' },
    out: { type: 'string', value: 'DIR', default: 'calibration', help: 'the folder the map file goes to' },
    symbol: { type: 'string', value: 'S', help: 'the symbol, for the analyzer' },
  },
  notes: [
    'The replay is the backtest\'s: window 150, horizon 5, step 5. The stored answers of the replay',
    'are reused from the store (CHARTLENS_DATA_DIR) like a backtest\'s.',
    'example: chartlens calibrate --csv samples/sp500.csv --to 2014-12-31 --check-to 2020-04-17',
  ].join('\n'),
  async run(args, io) {
    const f = new Flags(command, args);
    const csvPath = f.required('csv');
    const analyzer = f.choice('analyzer', ANALYZER_IDS) ?? 'local';
    const version = f.int('map-version', { min: 1 }) ?? 1;
    const from = dateFlag(f, 'from');
    const to = dateFlag(f, 'to');
    const checkTo = dateFlag(f, 'check-to');
    if (from !== undefined && to !== undefined && from > to) throw usageError('--from must not be after --to');
    if (checkTo !== undefined && to === undefined) throw usageError('--check-to needs --to: the check replays the bars after the fit');
    if (checkTo !== undefined && to !== undefined && checkTo <= to) throw usageError('--check-to must be after --to');
    const out = f.string('out') ?? 'calibration';
    const candles = parseCandlesCsv(readText(csvPath));
    const times = candles.map((c) => c.time);
    const toIndex = to === undefined ? candles.length - 1 : lastAtOrBefore(times, to);
    if (toIndex < 0) throw usageError(`--to ${f.string('to')} is before the first bar of ${csvPath}`);
    const checkToIndex = checkTo === undefined ? undefined : lastAtOrBefore(times, checkTo);

    const [{ buildServices }, { loadConfig }, { fitCalibrationFromReplay }] = await Promise.all([
      import('../../../composition/root.ts'),
      import('../../../composition/config.ts'),
      import('../../../use-cases/fit-calibration.ts'),
    ]);
    // No maps: the fit reads the policy's own confidence.
    const services = await buildServices(loadConfig(io.env), { calibration: null, workers: oneShotWorkers(io.env) });
    const progress = progressReporter(io.stderr);
    try {
      const result = await fitCalibrationFromReplay(services.analyze, {
        candles,
        symbol: f.string('symbol') ?? null,
        timeframe: '1d',
        analyzer,
        model: f.string('model') ?? null,
        fromIndex: from === undefined ? undefined : firstAtOrAfter(times, from),
        toIndex,
        checkToIndex,
        version,
        source: csvPath,
        onProgress: (p) => progress.update(p),
      });
      progress.finish();
      mkdirSync(out, { recursive: true });
      const file = join(out, `${calibrationMapId(result.map)}.json`);
      writeBytes(file, `${JSON.stringify(result.map, null, 2)}\n`);
      io.stdout.write([...calibrationLines(result), `wrote ${file}`, ''].join('\n'));
      return 0;
    } finally {
      await services.close();
    }
  },
};

const fix = (v: number | null | undefined, d = 4): string => (v === null || v === undefined ? 'n/a' : v.toFixed(d));

function scoreLine(label: string, s: ForecastScores): string {
  return `${label.padEnd(13)}calls ${String(s.calls).padEnd(6)}hit rate ${fix(s.hitRate, 3)}  mean confidence ${fix(s.meanForecast, 3)}  brier ${fix(s.brier)}  base-rate brier ${fix(s.brierBaseRate)}  fit base rate brier ${fix(s.brierPrior)}  ece ${fix(s.ece)}`;
}

function binLines(map: CalibrationMap): string[] {
  return map.bins.map((b) => `  raw ${fix(b.from, 3)}..${fix(b.to, 3)}  n ${String(b.n).padEnd(5)} -> ${fix(b.hitRate, 3)}`);
}

/** The printed summary: the map, how it scores in-sample, and on the held-out calls. */
export function calibrationLines(r: FitCalibrationResult): string[] {
  const m = r.map;
  const lines = [
    `${calibrationMapId(m)} v${m.version}: ${m.fittedOn.calls} calls replayed ${m.fittedOn.from}..${m.fittedOn.to}, base rate ${fix(m.baseRate, 3)}, ${m.bins.length} step(s)`,
    ...binLines(m),
    scoreLine('in-sample', r.inSample),
  ];
  if (r.heldOut) {
    lines.push(
      `held out ${r.heldOut.from}..${r.heldOut.to}:`,
      scoreLine('  raw', r.heldOut.raw),
      scoreLine('  calibrated', r.heldOut.calibrated),
      scoreLine('  walk-fwd', r.heldOut.walkForward),
    );
  }
  return lines;
}
