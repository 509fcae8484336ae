/**
 * The shape of a CLI command. Each command lives in its own module under commands/ with its own
 * option spec and help; the dispatcher (main.ts) loads a module only when its command runs.
 * Nothing here may import anything heavy: the dispatcher loads it for `chartlens help`.
 */

/** Where a command writes: process.stdout/stderr in a real run, collecting buffers in tests. */
export interface CliStream {
  write(chunk: string): unknown;
  /** Progress bars are redrawn in place only on a terminal. */
  isTTY?: boolean;
}

/** What a run may touch from the outside world; tests inject every field. */
export interface CliIo {
  stdout: CliStream;
  stderr: CliStream;
  /** The environment the configuration is read from. */
  env: NodeJS.ProcessEnv;
}

/** One option of a command, as parseArgs takes it plus what its help line needs. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Placeholder for the value in the help (FILE, N, URL). */
  value?: string;
  /** The value used when the option is not given (handed to parseArgs, so help and code agree). */
  default?: string;
  /** What the help shows as the default when there is no literal one ("all bars", "CHARTLENS_MODEL"). */
  shows?: string;
  required?: boolean;
  help: string;
}

/** The parsed command line of one command. */
export interface ParsedArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export interface Command {
  name: string;
  /** One-line usage, e.g. `chartlens render --csv FILE --out FILE [options]`. */
  usage: string;
  /** A few lines on what the command does, shown under the usage. */
  description: string;
  /** Positional arguments, for the help (a command without them rejects any). */
  positionals?: { name: string; help: string };
  options: Record<string, OptionSpec>;
  /** Extra help paragraphs: environment, exit codes, examples. */
  notes?: string;
  /**
   * Run the command and resolve to its exit code (0 ok, 1 failure, 2 partial). Usage mistakes are
   * thrown as AppError('usage_error'); the dispatcher turns them into exit code 64.
   */
  run(args: ParsedArgs, io: CliIo): Promise<number>;
}

/** Exit codes, the same for every command. */
export const EXIT = { ok: 0, failure: 1, partial: 2, usage: 64 } as const;
