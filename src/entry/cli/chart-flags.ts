import { chartOptionsSchema, type ChartOptions, OVERLAYS, PANES } from '../../core/scene/chart-options.ts';
import { AppError } from '../../core/errors.ts';
import { type Flags, orList } from './args.ts';
import type { OptionSpec } from './command.ts';
import { usageError } from './failure.ts';

/** The API's defaults, so the help shows exactly what a chart gets when an option is left out. */
const DEFAULTS: ChartOptions = chartOptionsSchema.parse({});
const LAST = chartOptionsSchema.shape.last.unwrap();

/** `--last N` as the API's `chart.last`: the chart shows the last N bars, the indicators use the whole series. */
export const LAST_OPTION: OptionSpec = {
  type: 'string',
  value: 'N',
  shows: 'all bars',
  help: `draw only the last N bars (${LAST.minValue}..${LAST.maxValue}); indicators and facts still use the whole series, as the API's chart.last`,
};

/** The drawing options of `chartlens render`, named as in the API's `chart` object where they can be. */
export const CHART_OPTIONS: Record<string, OptionSpec> = {
  last: LAST_OPTION,
  theme: { type: 'string', value: 'light|dark', shows: DEFAULTS.theme, help: 'colour theme' },
  style: { type: 'string', value: 'candle|ohlc', shows: DEFAULTS.style, help: 'bar style' },
  width: { type: 'string', value: 'PX', shows: String(DEFAULTS.width), help: 'image width in pixels (320..2048)' },
  height: { type: 'string', value: 'PX', shows: String(DEFAULTS.height), help: 'image height in pixels (240..2048)' },
  overlays: { type: 'string', value: 'LIST', shows: DEFAULTS.overlays.join(','), help: `comma-separated price overlays of ${OVERLAYS.join(', ')}; "none" for none` },
  panes: { type: 'string', value: 'LIST', shows: 'none', help: `comma-separated indicator panes of ${PANES.join(', ')}` },
  marks: { type: 'boolean', help: 'mark the detected patterns and the support/resistance levels' },
  renderer: { type: 'string', value: 'chartjs|browser', shows: DEFAULTS.renderer, help: 'who draws: Chart.js, or lightweight-charts in headless Chromium (Chart.js, with a warning, when Chromium is absent)' },
};

type ChartInput = Partial<Pick<ChartOptions, 'last' | 'theme' | 'style' | 'width' | 'height' | 'markPatterns' | 'markLevels' | 'renderer'>> & {
  overlays?: string[];
  panes?: string[];
};

/** A zod issue about one chart option, in the words of the command line. */
function issueMessage(issue: { code: string; path: PropertyKey[]; message: string; values?: unknown[]; minimum?: unknown; maximum?: unknown }, input: ChartInput): string {
  const key = String(issue.path[0]);
  const flag = key === 'markPatterns' || key === 'markLevels' ? '--marks' : `--${key}`;
  const raw = (input as Record<string, unknown>)[key];
  const got: unknown = typeof issue.path[1] === 'number' && Array.isArray(raw) ? (raw as unknown[])[issue.path[1]] : raw;
  const shown = typeof got === 'string' ? `"${got}"` : JSON.stringify(got);
  if (issue.code === 'invalid_value' && issue.values) {
    const choices = orList(issue.values.map(String));
    return Array.isArray(raw) ? `${flag}: ${shown} is not one of ${issue.values.map(String).join(', ')}` : `${flag} must be ${choices} (got ${shown})`;
  }
  if (issue.code === 'too_small' && typeof issue.minimum === 'number') return `${flag} must be at least ${issue.minimum} (got ${shown})`;
  if (issue.code === 'too_big' && typeof issue.maximum === 'number') {
    return Array.isArray(raw) ? `${flag} takes at most ${issue.maximum} names` : `${flag} must be at most ${issue.maximum} (got ${shown})`;
  }
  return `${flag}: ${issue.message}`;
}

/**
 * The chart options given on the command line, checked against the API's own schema so a bad value
 * is a usage error naming the option ("--theme must be light or dark"), not "The request body is
 * invalid". Only the given ones are returned: the use case fills in the rest exactly as for the API.
 */
export function chartFlags(f: Flags): ChartInput {
  const input: ChartInput = {};
  const known = f.command.options;
  const last = f.int('last');
  if (last !== undefined) input.last = last;
  if ('theme' in known && f.string('theme') !== undefined) input.theme = f.string('theme') as ChartOptions['theme'];
  if ('style' in known && f.string('style') !== undefined) input.style = f.string('style') as ChartOptions['style'];
  if ('renderer' in known && f.string('renderer') !== undefined) input.renderer = f.string('renderer') as ChartOptions['renderer'];
  if ('width' in known) input.width = f.int('width');
  if ('height' in known) input.height = f.int('height');
  if ('overlays' in known) input.overlays = f.list('overlays');
  if ('panes' in known) input.panes = f.list('panes');
  if ('marks' in known && f.flag('marks')) {
    input.markPatterns = true;
    input.markLevels = true;
  }
  for (const k of Object.keys(input) as (keyof ChartInput)[]) if (input[k] === undefined) delete input[k];
  const parsed = chartOptionsSchema.safeParse(input);
  if (!parsed.success) throw usageError(parsed.error.issues.map((i) => issueMessage(i as Parameters<typeof issueMessage>[0], input)).join('; '));
  return input;
}

/**
 * A use case's validation error about a field the command line sets (a --symbol too long), as a
 * usage error naming the option; anything about the data itself (a bad CSV) stays an input error.
 */
export function asUsageError(err: unknown, flags: Record<string, string>): unknown {
  if (!(err instanceof AppError) || !['invalid_request', 'invalid_chart_options', 'unknown_field'].includes(err.code)) return err;
  const named = err.details.filter((d) => d.field !== undefined && Object.hasOwn(flags, d.field.split('.')[0]));
  if (named.length === 0 || named.length !== err.details.length) return err;
  return usageError(named.map((d) => `${flags[(d.field ?? '').split('.')[0]]}: ${d.message}`).join('; '));
}

/** The request fields set by --symbol and --timeframe, for `asUsageError`. */
export const LABEL_FLAGS: Record<string, string> = { symbol: '--symbol', timeframe: '--timeframe' };
