import type { CliStream } from './command.ts';
import { run } from './main.ts';

export interface CapturedRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** A stream that keeps what is written to it (never a terminal, so progress comes as plain lines). */
function memoryStream(): CliStream & { text(): string } {
  const chunks: string[] = [];
  return {
    isTTY: false,
    write(chunk: string) {
      chunks.push(chunk);
      return true;
    },
    text: () => chunks.join(''),
  };
}

/** Run a command line in this process with its output kept in memory (tests, embedding); `env` is all the configuration it sees. */
export async function runCaptured(argv: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CapturedRun> {
  const stdout = memoryStream();
  const stderr = memoryStream();
  const code = await run(argv, { stdout, stderr, env });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}
