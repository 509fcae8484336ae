import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { NewsItem } from '../src/core/analysis/news.ts';
import { type BuiltPrompt, buildPromptText, newsBlock as coreNewsBlock, type PromptParts, type PromptTemplate } from '../src/core/analysis/prompt-text.ts';
import type { PromptBuilder } from '../src/ports/prompt-templates.ts';

export const PROMPT_VERSION = 'analyze.v1';

let cached: PromptTemplate | undefined;

/** Load the versioned system prompt (front matter carries the version that goes into every result). */
export function loadTemplate(): PromptTemplate {
  if (cached) return cached;
  const text = readFileSync(new URL('./analyze.v1.md', import.meta.url), 'utf8');
  const match = /^---\nversion: (\S+)\n---\n([\s\S]*)$/.exec(text);
  if (!match) throw new Error('prompts/analyze.v1.md has no version front matter');
  cached = { version: match[1], system: match[2].trim() };
  if (cached.version !== PROMPT_VERSION) throw new Error(`prompt version ${cached.version} != ${PROMPT_VERSION}`);
  return cached;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The news block as the model sees it (exported for tests). */
export function newsBlock(news: readonly NewsItem[]): string {
  return coreNewsBlock(news, sha256);
}

/** The prompt for one analysis, from the versioned template in this folder. */
export function buildPrompt(parts: PromptParts): BuiltPrompt {
  return buildPromptText(loadTemplate(), parts, sha256);
}

/** The prompt templates of this folder behind the port the analysis use case takes. */
export function fileTemplates(): PromptBuilder {
  return { build: buildPrompt };
}
