import { AppError } from '../../core/errors.ts';
import { EXIT } from './command.ts';

/** A mistake in how a command was called (exit code 64), as opposed to bad input data (exit 1). */
export function usageError(message: string): AppError {
  return new AppError('usage_error', message);
}

/** True for the errors that end a run with exit code 64. */
export function isUsageError(err: unknown): err is AppError {
  return err instanceof AppError && err.code === 'usage_error';
}

/** Node's file-system error codes, in words a user reads without a manual. */
const FS_WORDS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a folder, not a file',
  ENOTDIR: 'a part of the path is not a folder',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the name is too long',
  EMFILE: 'too many open files',
  ENOSPC: 'no space left on the device',
  EROFS: 'read-only file system',
  EEXIST: 'already exists',
  EBUSY: 'busy',
};

interface FsError {
  code: string;
  path?: string;
  syscall?: string;
}

function isFsError(err: unknown): err is FsError {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code);
}

/** The plain word for a file-system error, or null when `err` is not one. */
export function fsProblem(err: unknown, what: 'file' | 'folder' = 'file'): string | null {
  if (!isFsError(err)) return null;
  if (err.code === 'ENOENT') return `no such ${what}`;
  return FS_WORDS[err.code] ?? err.code;
}

/** `cannot read FILE: no such file` (exit 1) instead of a raw ENOENT. */
export function readError(path: string, err: unknown, what: 'file' | 'folder' = 'file'): AppError {
  const problem = fsProblem(err, what) ?? (err as Error)?.message ?? String(err);
  return new AppError('unreadable_file', `cannot read ${path}: ${problem}`, [], { cause: err });
}

/** `cannot write FILE: no such folder`: the error catalogue has no code for our own output, so a plain Error. */
export function writeError(path: string, err: unknown): Error {
  const problem = isFsError(err) && err.code === 'ENOENT' ? 'no such folder' : (fsProblem(err) ?? (err as Error)?.message ?? String(err));
  return new Error(`cannot write ${path}: ${problem}`, { cause: err });
}

/** Codes whose message already reads as a whole sentence for the CLI; the others are prefixed with their code. */
const PLAIN_CODES = new Set(['usage_error', 'unreadable_file']);

const READ_CALLS = new Set(['open', 'read', 'stat', 'lstat', 'realpath', 'scandir', 'opendir', 'access']);

/**
 * What the user sees for an error that ended a run, and the exit code. A raw file-system error
 * that escaped from deeper down still gets its plain word, never a stack.
 */
export function describeFailure(err: unknown): { code: number; lines: string[] } {
  if (err instanceof AppError) {
    const head = PLAIN_CODES.has(err.code) ? err.message : `${err.code}: ${err.message}`;
    const details = err.details.slice(0, 10).map((d) => `  ${JSON.stringify(d)}`);
    return { code: err.code === 'usage_error' ? EXIT.usage : EXIT.failure, lines: [`chartlens: ${head}`, ...details] };
  }
  if (isFsError(err) && err.path) {
    const verb = err.syscall && READ_CALLS.has(err.syscall) ? (err.syscall === 'open' ? 'open' : 'read') : 'write';
    const problem = err.code === 'ENOENT' ? 'no such file or folder' : (fsProblem(err) ?? err.code);
    return { code: EXIT.failure, lines: [`chartlens: cannot ${verb} ${err.path}: ${problem}`] };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { code: EXIT.failure, lines: [`chartlens: ${message}`] };
}
