import type { Command } from './command.ts';
import { usageError } from './failure.ts';
import { nearest } from './suggest.ts';

/** A command as the dispatcher knows it before loading it: its name, its one-line summary, its loader. */
export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<Command>;
}

/**
 * Every command. Modules are imported only when their command runs (or its help is asked for), so
 * `chartlens help` and `chartlens --version` never load the renderer, TA-Lib, PGlite or the SDKs.
 */
export const COMMANDS: readonly CommandEntry[] = [
  { name: 'serve', summary: 'start the HTTP API', load: async () => (await import('./commands/serve.ts')).command },
  { name: 'worker', summary: 'run queued analyses (POST /v1/jobs) from the PostgreSQL queue', load: async () => (await import('./commands/worker.ts')).command },
  { name: 'render', summary: 'draw a chart of an OHLCV CSV as a PNG', load: async () => (await import('./commands/render.ts')).command },
  { name: 'facts', summary: 'print the market facts (indicators, patterns, levels, trend) as JSON', load: async () => (await import('./commands/facts.ts')).command },
  { name: 'analyze', summary: 'analyze a chart (CSV, image or both) and print the analysis as JSON', load: async () => (await import('./commands/analyze.ts')).command },
  { name: 'score', summary: 'score every chart and OHLCV file of a folder into a results file', load: async () => (await import('./commands/score.ts')).command },
  { name: 'backtest', summary: 'walk-forward replay of a price series, with a report', load: async () => (await import('./commands/backtest.ts')).command },
  { name: 'calibrate', summary: 'fit the confidence calibration map of an analyzer on a walk-forward replay', load: async () => (await import('./commands/calibrate.ts')).command },
  { name: 'digitize', summary: 'read a chart image back to candles (OHLC from the pixels) as JSON', load: async () => (await import('./commands/digitize.ts')).command },
  { name: 'slack', summary: 'run the Slack bot', load: async () => (await import('./commands/slack.ts')).command },
  { name: 'help', summary: 'show the commands, or one command\'s options', load: async () => (await import('./commands/help.ts')).command },
];

/** The command names, in the order the overview lists them. */
export const COMMAND_NAMES: readonly string[] = COMMANDS.map((c) => c.name);

/** The command of that exact name, if there is one. */
export function findCommand(name: string): CommandEntry | undefined {
  return COMMANDS.find((c) => c.name === name);
}

/** An unknown command name, with the nearest real one when a typo is likely. */
export function unknownCommand(name: string): Error {
  const near = nearest(name, COMMAND_NAMES);
  return usageError(`unknown command "${name}"${near ? `; did you mean "${near}"?` : ''}`);
}
