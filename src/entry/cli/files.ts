import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { AppError } from '../../core/errors.ts';
import { readError, writeError } from './failure.ts';

/** A text input file, or `cannot read FILE: <plain word>` (exit 1). */
export function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw readError(path, err);
  }
}

/** A binary input file (an image), or `cannot read FILE: <plain word>`. */
export function readBytes(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw readError(path, err);
  }
}

/** Write an output file, or `cannot write FILE: <plain word>`. */
export function writeBytes(path: string, data: Buffer | string): void {
  try {
    writeFileSync(path, data);
  } catch (err) {
    throw writeError(path, err);
  }
}

/** Check that a folder exists before anything is written beside it. */
export function requireFolder(path: string): void {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (err) {
    throw readError(path, err, 'folder');
  }
  if (!isDir) throw new AppError('unreadable_file', `cannot read ${path}: not a folder`);
}

/** Check, before any work, that an output file's folder exists: `cannot write FILE: no such folder`. */
export function requireOutputFolder(path: string): void {
  let isDir = false;
  try {
    isDir = statSync(dirname(path)).isDirectory();
  } catch {
    // Reported below in the words of the output file.
  }
  if (!isDir) throw writeError(path, Object.assign(new Error('no such folder'), { code: 'ENOENT' }));
}
