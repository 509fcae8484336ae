import type { Usage } from './analysis.ts';

/** USD per 1M tokens. */
export interface ModelPrice {
  input: number;
  cachedInput: number;
  output: number;
}

/**
 * Published list prices per 1M tokens (standard tier) for common vision models. Prices change:
 * override or extend with CHARTLENS_PRICES (JSON, same shape). Unknown models cost null, never a guess.
 */
export const DEFAULT_PRICES: Readonly<Record<string, ModelPrice>> = {
  'gpt-4o': { input: 2.5, cachedInput: 1.25, output: 10 },
  'gpt-4o-mini': { input: 0.15, cachedInput: 0.075, output: 0.6 },
  'gpt-4.1': { input: 2, cachedInput: 0.5, output: 8 },
  'gpt-4.1-mini': { input: 0.4, cachedInput: 0.1, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, cachedInput: 0.025, output: 0.4 },
  'o4-mini': { input: 1.1, cachedInput: 0.275, output: 4.4 },
  'gpt-5': { input: 1.25, cachedInput: 0.125, output: 10 },
  'gpt-5-mini': { input: 0.25, cachedInput: 0.025, output: 2 },
  // gpt-5-nano: $0.05 / $0.005 cached / $0.40 per 1M (developers.openai.com/api/docs/models/gpt-5-nano).
  'gpt-5-nano': { input: 0.05, cachedInput: 0.005, output: 0.4 },
};

/**
 * The family a model name belongs to, among `families`: the name itself, or the family of a dated
 * snapshot ("gpt-4o-2024-08-06") or of a provider-prefixed name ("openai/gpt-4o"); the longest
 * matching family name wins. Null when none matches: a guess would be worse than nothing.
 */
export function familyOf(model: string, families: readonly string[]): string | null {
  const name = model.toLowerCase().replace(/^[\w.-]+\//, '');
  if (families.includes(name)) return name;
  const dated = families
    .filter((k) => name.startsWith(`${k}-`) && /^\d{4}-\d{2}-\d{2}$/.test(name.slice(k.length + 1)))
    .sort((a, b) => b.length - a.length);
  return dated.length > 0 ? dated[0] : null;
}

/**
 * The price entry for a model name. Dated snapshots ("gpt-4o-2024-08-06") and provider prefixes
 * ("openai/gpt-4o") use their family's price; the longest matching family name wins.
 */
export function priceFor(model: string, table: Readonly<Record<string, ModelPrice>>): ModelPrice | null {
  const family = familyOf(model, Object.keys(table));
  return family === null ? null : table[family];
}

/** Cost of reported usage; cached input tokens are billed at the cached rate. */
export function costUsd(usage: Usage, price: ModelPrice | null): number | null {
  if (!price) return null;
  const uncached = Math.max(0, usage.inputTokens - usage.cachedInputTokens);
  const cost = (uncached * price.input + usage.cachedInputTokens * price.cachedInput + usage.outputTokens * price.output) / 1e6;
  return Math.round(cost * 1e8) / 1e8;
}

/**
 * Characters per token of each kind of character, fitted to the o200k_base token counts (the
 * tokenizer of gpt-4o, gpt-4.1, the o-series and gpt-5, counted with the `gpt-tokenizer` package)
 * of this project's own prompts. Real count vs this estimate: system prompt 645 / 654, user text
 * with 150 bars of facts 307 / 300, with 300 bars 306 / 302, with two news items 466 / 461, the
 * JSON schema sent as `response_format` 581 / 626 (within 8%). Plain chars/4 is 43% short on the
 * user text (174 for 307): a number costs a token for every 1-3 digits.
 */
const CHARS_PER_TOKEN = { letter: 5.5, digit: 1.3, other: 2.5 } as const;

/**
 * Tokens a chat message costs beyond its text (role and separators), and the tokens that prime the
 * reply once per call: 3 and 3 in OpenAI's cookbook count ("How to count tokens with tiktoken",
 * `num_tokens_from_messages`, for gpt-4 and later).
 */
export const MESSAGE_OVERHEAD_TOKENS = 3;
export const REPLY_PRIMING_TOKENS = 3;

/**
 * An estimate of the tokens of a text, without a tokenizer (see CHARS_PER_TOKEN for how it was
 * fitted). For a pre-call budget check, not for billing: the API's reported usage is the truth.
 */
export function estimateTextTokens(text: string): number {
  let letters = 0;
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) letters++;
  }
  const other = text.length - letters - digits;
  return Math.ceil(letters / CHARS_PER_TOKEN.letter + digits / CHARS_PER_TOKEN.digit + other / CHARS_PER_TOKEN.other);
}

/**
 * The input tokens of a chat call before it is made: the text of each message (`messageTexts`,
 * estimated), the chat format's overhead, the JSON schema when it goes as `response_format`, and
 * the image's tokens by the model's published accounting (image-tokens.ts). Null when the image's
 * cost is not known for the model: no guess.
 */
export function estimateInputTokens(messageTexts: readonly string[], imageTokens: number | null, schemaText: string | null): number | null {
  if (imageTokens === null) return null;
  let tokens = REPLY_PRIMING_TOKENS + imageTokens + (schemaText === null ? 0 : estimateTextTokens(schemaText));
  for (const text of messageTexts) tokens += MESSAGE_OVERHEAD_TOKENS + estimateTextTokens(text);
  return tokens;
}

/** The cost of a call of `inputTokens` in and `outputTokens` out, none of them cached. */
export function estimateCostUsd(inputTokens: number, outputTokens: number, price: ModelPrice | null): number | null {
  return costUsd({ inputTokens, outputTokens, cachedInputTokens: 0 }, price);
}
