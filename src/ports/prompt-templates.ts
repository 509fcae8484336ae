import type { BuiltPrompt, PromptParts } from '../core/analysis/prompt-text.ts';

export type { BuiltPrompt, PromptParts } from '../core/analysis/prompt-text.ts';

/** Builds the versioned prompt for one analysis (templates live in prompts/). */
export interface PromptBuilder {
  build(parts: PromptParts): BuiltPrompt;
}
