import { readFileSync } from 'node:fs';
import type { Command, OptionSpec } from './command.ts';
import { COMMANDS, findCommand } from './registry.ts';

/** The version in package.json (read, not imported, so nothing else comes with it). */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}

/** Every command takes it; the dispatcher answers it before the command runs. */
export const HELP_OPTION: OptionSpec = { type: 'boolean', short: 'h', help: 'show this help and exit' };

const EXIT_CODES = 'exit codes: 0 success, 1 bad input or failure, 2 partial (score: some inputs failed or were degraded), 64 usage error';

function table(rows: [string, string][]): string[] {
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`);
}

function defaultText(spec: OptionSpec): string {
  if (spec.required) return 'required';
  if (spec.default !== undefined) return `default: ${spec.default === '' ? '""' : spec.default}`;
  if (spec.shows !== undefined) return `default: ${spec.shows}`;
  return spec.type === 'boolean' ? 'default: off' : 'default: none';
}

/** The help line of one option: `--csv FILE` and what it does, with its default. */
export function optionLine(name: string, spec: OptionSpec): [string, string] {
  const flag = `${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.value ? ` ${spec.value}` : ''}`;
  return [flag, name === 'help' ? spec.help : `${spec.help} (${defaultText(spec)})`];
}

/** `chartlens <command> --help`: usage, what it does, every option with its default. */
export function commandHelp(command: Command): string {
  const summary = findCommand(command.name)?.summary ?? '';
  const lines = [`chartlens ${command.name}: ${summary}`, '', `usage: ${command.usage}`, '', command.description.trimEnd()];
  if (command.positionals) lines.push('', 'arguments:', ...table([[command.positionals.name, command.positionals.help]]));
  const rows = Object.entries(command.options).map(([name, spec]) => optionLine(name, spec));
  rows.push(optionLine('help', HELP_OPTION));
  lines.push('', 'options:', ...table(rows));
  if (command.notes) lines.push('', command.notes.trimEnd());
  return `${lines.join('\n')}\n`;
}

/** `chartlens` and `chartlens help`: the commands and where to read more. */
export function overview(): string {
  const lines = [
    `chartlens ${version()}: reads candlestick charts like a trader`,
    '',
    'usage: chartlens <command> [options]',
    '',
    'commands:',
    ...table(COMMANDS.map((c) => [c.name, c.summary])),
    '',
    'options:',
    ...table([
      ['-h, --help', 'show this help'],
      ['-V, --version', 'print the version'],
    ]),
    '',
    'Run "chartlens <command> --help" (or "chartlens help <command>") for the options of a command.',
    EXIT_CODES,
  ];
  return `${lines.join('\n')}\n`;
}

/** The two lines under a usage error: the command's usage and where its options are. */
export function usageHint(command: Command | null): string {
  return command ? `usage: ${command.usage}\nrun "chartlens ${command.name} --help" for its options\n` : 'run "chartlens help" for the commands\n';
}
