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
};

/**
 * The price entry for a model name. Dated snapshots ("gpt-4o-2024-08-06") and provider prefixes
 * ("openai/gpt-4o") use their family's price; the longest matching family name wins.
 */
export function priceFor(model: string, table: Readonly<Record<string, ModelPrice>>): ModelPrice | null {
  const name = model.toLowerCase().replace(/^[\w.-]+\//, '');
  if (table[name]) return table[name];
  const families = Object.keys(table)
    .filter((k) => name.startsWith(`${k}-`) && /^\d{4}-\d{2}-\d{2}$/.test(name.slice(k.length + 1)))
    .sort((a, b) => b.length - a.length);
  return families.length > 0 ? table[families[0]] : null;
}

/** Cost of reported usage; cached input tokens are billed at the cached rate. */
export function costUsd(usage: Usage, price: ModelPrice | null): number | null {
  if (!price) return null;
  const uncached = Math.max(0, usage.inputTokens - usage.cachedInputTokens);
  const cost = (uncached * price.input + usage.cachedInputTokens * price.cachedInput + usage.outputTokens * price.output) / 1e6;
  return Math.round(cost * 1e8) / 1e8;
}
