import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, realpath, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, relative, sep } from 'node:path';
import type { InputBytes, InputSource, SourceInput } from '../../ports/input-source.ts';

export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp'];
export const DATA_EXTENSIONS = ['.csv', '.json'];
const NEWS_SUFFIX = '.news.json';
/** Results files from earlier runs (any format) are never inputs. */
export const RESULTS_PREFIX = 'chartlens-results';

/** One input of the folder (paths relative to it). */
export type FolderInput = SourceInput;

export interface Discovery {
  inputs: FolderInput[];
  /** Symlinks that point outside the folder: listed, never followed. */
  skippedLinks: string[];
  /** Documentation beside the inputs (README, NOTICE, LICENSE, .md, .txt...): listed, not scored, not failures. */
  skippedFiles: string[];
}

/** Files a folder of charts often carries that are plainly not inputs. */
const DOC_EXTENSIONS = ['.md', '.markdown', '.txt', '.rst', '.pdf', '.html', '.htm'];
const DOC_NAMES = /^(readme|notice|license|licence|copying|changelog|authors)(\.|$)/i;

function classify(name: string): 'image' | 'data' | 'news' | 'doc' | 'other' {
  const lower = name.toLowerCase();
  if (DOC_NAMES.test(name) || DOC_EXTENSIONS.includes(extname(lower))) return 'doc';
  if (lower.endsWith(NEWS_SUFFIX)) return 'news';
  const ext = extname(lower);
  if (IMAGE_EXTENSIONS.includes(ext)) return 'image';
  if (DATA_EXTENSIONS.includes(ext)) return 'data';
  return 'other';
}

function baseKey(path: string): string {
  const lower = path.toLowerCase();
  const cut = lower.endsWith(NEWS_SUFFIX) ? path.length - NEWS_SUFFIX.length : path.length - extname(path).length;
  return path.slice(0, cut);
}

const inside = (root: string, target: string): boolean => target === root || target.startsWith(root + sep);

/**
 * List the inputs of a folder. Files with the same base name pair up (chart.png + chart.csv +
 * chart.news.json is one input). Hidden files and `exclude` (the results file) are ignored;
 * documentation (README, NOTICE, .md, .txt...) is listed as skipped; any other file that is not an
 * input is reported as a problem so it gets an error line. Symlinks are followed only while they
 * stay inside the folder.
 */
export async function discoverInputs(dir: string, options: { recursive: boolean; exclude?: string[] }): Promise<Discovery> {
  const root = await realpath(dir);
  const excluded = new Set(await Promise.all((options.exclude ?? []).map(async (p) => realpath(p).catch(() => p))));
  const files: string[] = [];
  const skippedLinks: string[] = [];
  const seenDirs = new Set<string>([root]);

  // `currentReal` is the resolved path of `current`, so every `real` below is comparable with
  // `root`, `seenDirs` and `excluded` even when `dir` is relative or reached through a symlink.
  async function walk(current: string, currentReal: string): Promise<void> {
    const entries = (await readdir(current, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const path = join(current, entry.name);
      let real = join(currentReal, entry.name);
      if (entry.isSymbolicLink()) {
        real = await realpath(path).catch(() => '');
        if (!real || !inside(root, real)) {
          skippedLinks.push(relative(dir, path));
          continue;
        }
      }
      const info = entry.isSymbolicLink() ? await stat(real) : await lstat(path);
      if (info.isDirectory()) {
        // A link back into a folder already walked would loop forever.
        if (options.recursive && !seenDirs.has(real)) {
          seenDirs.add(real);
          await walk(path, real);
        }
      } else if (info.isFile() && !excluded.has(real) && !entry.name.startsWith(RESULTS_PREFIX)) {
        files.push(relative(dir, path));
      }
    }
  }
  await walk(dir, root);

  const groups = new Map<string, FolderInput>();
  const problems: FolderInput[] = [];
  const skippedFiles: string[] = [];
  for (const file of files) {
    const kind = classify(basename(file));
    if (kind === 'doc') {
      skippedFiles.push(file);
      continue;
    }
    if (kind === 'other') {
      problems.push({ file, problem: { code: 'unsupported_file', message: `Not an input: use ${[...IMAGE_EXTENSIONS, ...DATA_EXTENSIONS].join(' ')}` } });
      continue;
    }
    const key = join(dirname(file), basename(baseKey(file)));
    const group = groups.get(key) ?? { file };
    if (kind === 'news') group.news = file;
    else if (group[kind]) group.problem = { code: 'ambiguous_input', message: `Two ${kind} files share the base name: ${group[kind]} and ${file}` };
    else group[kind] = file;
    groups.set(key, group);
  }
  const inputs: FolderInput[] = [];
  for (const g of groups.values()) {
    if (!g.image && !g.data) {
      problems.push({ file: g.news ?? g.file, problem: { code: 'orphan_news', message: 'A news file with no image or OHLCV file of the same base name' } });
      continue;
    }
    inputs.push({ ...g, file: g.image ?? g.data ?? g.file });
  }
  return { inputs: [...inputs, ...problems].sort((a, b) => a.file.localeCompare(b.file)), skippedLinks, skippedFiles };
}

/** The bytes of an input's files, and one sha256 over all of them (the resume key with the path). */
export async function readInput(dir: string, input: FolderInput): Promise<{ image?: Buffer; data?: Buffer; news?: Buffer; sha256: string }> {
  const read = async (p?: string): Promise<Buffer | undefined> => (p ? readFile(join(dir, p)) : undefined);
  const [image, data, news] = await Promise.all([read(input.image), read(input.data), read(input.news)]);
  const hash = createHash('sha256');
  for (const [label, part] of [['image', image], ['data', data], ['news', news]] as const) {
    hash.update(`${label}:${part ? createHash('sha256').update(part).digest('hex') : '-'}\n`);
  }
  if (input.problem) hash.update(`problem:${input.file}`);
  return { image, data, news, sha256: hash.digest('hex') };
}

/** A folder as the batch input source: discovery and reading, relative to `dir`. */
export function folderInputSource(dir: string, options: { recursive: boolean; exclude?: string[] }): InputSource {
  return {
    discover: () => discoverInputs(dir, options),
    read: (input: SourceInput): Promise<InputBytes> => readInput(dir, input),
  };
}
