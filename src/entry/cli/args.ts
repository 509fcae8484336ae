import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import type { Command, OptionSpec, ParsedArgs } from './command.ts';
import { usageError } from './failure.ts';
import { COMMANDS } from './registry.ts';
import { nearest } from './suggest.ts';

function parseArgsOptions(options: Record<string, OptionSpec>): ParseArgsOptionsConfig {
  const out: ParseArgsOptionsConfig = { help: { type: 'boolean', short: 'h' } };
  for (const [name, spec] of Object.entries(options)) {
    out[name] = {
      type: spec.type,
      ...(spec.short ? { short: spec.short } : {}),
      ...(spec.type === 'string' && spec.default !== undefined ? { default: spec.default } : {}),
    };
  }
  return out;
}

/** An option this command does not take: name the commands that do, or the option it most likely meant. */
async function unknownOption(command: Command, rawName: string, name: string): Promise<Error> {
  const isShort = !rawName.startsWith('--');
  const others = await Promise.all(COMMANDS.filter((c) => c.name !== command.name && c.name !== 'help').map(async (c) => c.load()));
  const owners = others
    .filter((c) => (isShort ? Object.values(c.options).some((s) => s.short === name) : Object.hasOwn(c.options, name)))
    .map((c) => c.name);
  if (owners.length > 0) return usageError(`${rawName} is not an option of ${command.name} (it belongs to ${owners.join(', ')})`);
  const near = isShort ? null : nearest(name, Object.keys(command.options));
  return usageError(`unknown option ${rawName} for ${command.name}${near ? `; did you mean --${near}?` : ''}`);
}

/**
 * Parse a command's arguments against its own spec (strictly), or 'help' when -h/--help is among
 * them. A first, lenient pass reads the tokens so that every mistake gets a message that names the
 * option: one that belongs to another command, a missing value, a value given twice.
 */
export async function parseCommandArgs(command: Command, argv: string[]): Promise<ParsedArgs | 'help'> {
  const options = parseArgsOptions(command.options);
  const { tokens } = parseArgs({ args: argv, options, strict: false, allowPositionals: true, tokens: true });
  if (tokens.some((t) => t.kind === 'option' && t.name === 'help')) return 'help';
  const seen = new Set<string>();
  for (const t of tokens) {
    if (t.kind === 'positional' && !command.positionals) throw usageError(`unexpected argument "${t.value}": ${command.name} takes none`);
    if (t.kind !== 'option') continue;
    const spec = Object.hasOwn(command.options, t.name) ? command.options[t.name] : undefined;
    if (!spec) throw await unknownOption(command, t.rawName, t.name);
    const shown = `--${t.name}`;
    if (seen.has(t.name)) throw usageError(`${shown} is given more than once`);
    seen.add(t.name);
    if (spec.type === 'boolean') {
      if (t.value !== undefined) throw usageError(`${shown} takes no value`);
    } else if (t.value === undefined) {
      throw usageError(`${shown} needs a value${spec.value ? ` (${spec.value})` : ''}`);
    } else if (!t.inlineValue && t.value.length > 1 && t.value.startsWith('-')) {
      throw usageError(`${shown} needs a value, not "${t.value}"; for a value that starts with "-", write ${shown}=${t.value}`);
    }
  }
  try {
    const { values, positionals } = parseArgs({ args: argv, options, strict: true, allowPositionals: command.positionals !== undefined });
    // No option is `multiple`, so no value is an array.
    return { values: values as ParsedArgs['values'], positionals };
  } catch (err) {
    // The lenient pass above catches what users type; this is the backstop for anything it missed.
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) throw usageError((err as Error).message);
    throw err;
  }
}

function given(v: string | undefined, name: string): string | undefined {
  if (v !== undefined && v.trim() === '') throw usageError(`--${name} needs a value, not an empty string`);
  return v;
}

/** Typed, validated access to a command's parsed options; every bad value is a usage error naming the option. */
export class Flags {
  readonly command: Command;
  readonly values: ParsedArgs['values'];

  constructor(command: Command, args: ParsedArgs) {
    this.command = command;
    this.values = args.values;
  }

  string(name: string): string | undefined {
    const v = this.values[name];
    return typeof v === 'string' ? v : undefined;
  }

  required(name: string): string {
    const v = this.string(name);
    const spec = this.command.options[name];
    if (v === undefined || v === '') throw usageError(`${this.command.name} needs --${name}${spec?.value ? ` ${spec.value}` : ''}`);
    return v;
  }

  flag(name: string): boolean {
    return this.values[name] === true;
  }

  /** An integer option within [min, max]. */
  int(name: string, range: { min?: number; max?: number } = {}): number | undefined {
    const v = given(this.string(name), name);
    if (v === undefined) return undefined;
    if (!/^[+-]?\d+$/.test(v.trim())) throw usageError(`--${name} must be a whole number (got "${v}")`);
    return inRange(name, Number(v), range);
  }

  /** A decimal option within [min, max]; `positive` excludes 0. */
  number(name: string, range: { min?: number; max?: number; positive?: boolean } = {}): number | undefined {
    const v = given(this.string(name), name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n)) throw usageError(`--${name} must be a number (got "${v}")`);
    if (range.positive && n <= 0) throw usageError(`--${name} must be greater than 0 (got ${v})`);
    return inRange(name, n, range);
  }

  /** One of a fixed set of words. */
  choice<T extends string>(name: string, choices: readonly T[]): T | undefined {
    const v = this.string(name);
    if (v === undefined) return undefined;
    const hit = choices.find((c) => c === v);
    if (hit === undefined) throw usageError(`--${name} must be ${orList(choices)} (got "${v}")`);
    return hit;
  }

  /** A comma-separated list; "" or "none" is the empty list. */
  list(name: string): string[] | undefined {
    const v = this.string(name);
    if (v === undefined) return undefined;
    if (v.trim() === 'none') return [];
    return v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  }
}

function inRange(name: string, n: number, range: { min?: number; max?: number }): number {
  const { min, max } = range;
  if ((min !== undefined && n < min) || (max !== undefined && n > max)) {
    const want = min !== undefined && max !== undefined ? `between ${min} and ${max}` : min !== undefined ? `at least ${min}` : `at most ${max}`;
    throw usageError(`--${name} must be ${want} (got ${n})`);
  }
  return n;
}

/** "a, b or c". */
export function orList(words: readonly string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}

/** Worker threads for a command that analyses one chart at a time: none, unless CHARTLENS_WORKERS says. */
export function oneShotWorkers(env: NodeJS.ProcessEnv): number | undefined {
  return env.CHARTLENS_WORKERS?.trim() ? undefined : 0;
}
