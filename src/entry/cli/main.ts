/**
 * The `chartlens` dispatcher. It imports nothing heavy: a command's module is loaded only when that
 * command runs (or its help is asked for), and the modules load the renderer, TA-Lib, the store and
 * the SDKs only inside their run, so `chartlens help` and `chartlens --version` answer at once.
 */
import { parseCommandArgs } from './args.ts';
import type { CliIo, Command } from './command.ts';
import { describeFailure, isUsageError, usageError } from './failure.ts';
import { commandHelp, overview, usageHint, version } from './help-text.ts';
import { findCommand, unknownCommand } from './registry.ts';

/**
 * Run one command line and resolve to its exit code (0 ok, 1 failure, 2 partial, 64 usage error).
 * Output goes to the injected streams and the configuration is read from `io.env`, so tests call
 * this directly instead of spawning a process.
 */
export async function run(argv: readonly string[], io: Partial<CliIo> = {}): Promise<number> {
  const cli: CliIo = { stdout: io.stdout ?? process.stdout, stderr: io.stderr ?? process.stderr, env: io.env ?? process.env };
  let command: Command | null = null;
  try {
    const [first, ...rest] = argv;
    if (first === undefined || ((first === '-h' || first === '--help') && rest.length === 0)) {
      cli.stdout.write(overview());
      return 0;
    }
    if (first === '-V' || first === '--version') {
      cli.stdout.write(`${version()}\n`);
      return 0;
    }
    // `chartlens --help render` reads as `chartlens help render`.
    const name = first === '-h' || first === '--help' ? 'help' : first;
    if (name.startsWith('-')) throw usageError(`unknown option ${name}: give a command first (chartlens <command> [options])`);
    const entry = findCommand(name);
    if (!entry) throw unknownCommand(name);
    command = await entry.load();
    const parsed = await parseCommandArgs(command, rest);
    if (parsed === 'help') {
      cli.stdout.write(commandHelp(command));
      return 0;
    }
    return await command.run(parsed, cli);
  } catch (err) {
    const { code, lines } = describeFailure(err);
    cli.stderr.write(`${lines.join('\n')}\n`);
    if (isUsageError(err)) cli.stderr.write(usageHint(command));
    return code;
  }
}

/** The process entry: run the command line, then let Node exit with its code once output is flushed. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  process.exitCode = await run(argv);
}

// `node src/entry/cli/main.ts serve` (npm start) runs it directly; bin/chartlens.mjs calls main().
if (import.meta.main) void main();
