/**
 * Image cost per model: what one analysis of a real chart costs each priced model before it is
 * sent, with the chart as chartlens used to send it (1024x512 at `detail: high`) and as planned
 * now (planImage: the cheapest legible size and detail for that model).
 *
 *   node bench/image-cost.ts [--bars=150] [--models=gpt-4o,gpt-4o-mini,gpt-4.1-mini]
 *
 * The chart, the facts and the prompt are exactly what POST /v1/analyze builds for the last N rows
 * of samples/sp500.csv (no news): the renderer and prompt templates come from the composition
 * root. Input tokens are the adapter's own pre-call estimate (estimateInputTokens: the prompt
 * text, the JSON schema sent as response_format, the chat overhead and the image). No model is
 * called: these are estimates from published accounting and list prices, not billed usage.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { imageTokens, planImage } from '../src/core/analysis/image-tokens.ts';
import { modelOutputJsonSchema } from '../src/core/analysis/model-output.ts';
import { DEFAULT_PRICES, estimateCostUsd, estimateInputTokens, estimateTextTokens, priceFor } from '../src/core/analysis/pricing.ts';
import { parseCandlesCsv } from '../src/core/market/candles.ts';
import { chartOptionsSchema } from '../src/core/scene/chart-options.ts';
import { loadConfig } from '../src/composition/config.ts';
import { buildServices } from '../src/composition/root.ts';
import { prepareChart } from '../src/use-cases/prepare-chart.ts';
import { answerWithTrueAndFalseClaims } from '../testing/model-replies.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function option(name: string, fallback: string): string {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg ? arg.slice(name.length + 3) : fallback;
}

const bars = Number(option('bars', '150'));
if (!Number.isInteger(bars) || bars < 2) {
  console.error('bench/image-cost: --bars must be a whole number of at least 2');
  process.exit(2);
}
const models = option('models', Object.keys(DEFAULT_PRICES).join(','))
  .split(',')
  .map((m) => m.trim())
  .filter(Boolean);

const config = loadConfig({ CHARTLENS_LOG: 'silent', CHARTLENS_DATA_DIR: ':memory:' });
const services = await buildServices(config, { workers: 0 });
try {
  const candles = parseCandlesCsv(readFileSync(join(root, 'samples/sp500.csv'), 'utf8')).slice(-bars);
  const chart = chartOptionsSchema.parse({});
  const prepared = await prepareChart(services.renderer, { candles, chart, symbol: 'SPX', timeframe: '1d' });
  const prompt = services.analyze.prompts.build({ facts: prepared.facts, symbol: 'SPX', timeframe: '1d', chartRange: prepared.chartRange, news: [] });
  const schema = JSON.stringify(modelOutputJsonSchema());
  // A representative full answer (experts, patterns, levels, indicators, decision) as the output.
  const ind = prepared.facts?.indicators;
  const outputTokens = estimateTextTokens(JSON.stringify(answerWithTrueAndFalseClaims(ind?.rsi14 ?? 50, ind?.sma50 ?? 0)));
  const texts = [prompt.system, prompt.user];
  const textTokens = estimateInputTokens(texts, 0, schema) ?? 0;

  console.log(`chart: last ${bars} bars of samples/sp500.csv, ${prepared.width}x${prepared.height} PNG (${prepared.png.length} bytes, ${prepared.renderer})`);
  console.log(`text: ${textTokens} input tokens estimated (system ${estimateTextTokens(prompt.system)}, user ${estimateTextTokens(prompt.user)}, schema ${estimateTextTokens(schema)}, chat overhead)`);
  console.log(`output: ${outputTokens} tokens assumed (a full answer's JSON; reasoning models add hidden reasoning tokens on top)`);
  console.log('');

  const usd = (v: number | null) => (v === null ? 'n/a' : `$${v.toFixed(6)}`);
  const rows: string[][] = [];
  for (const model of models) {
    const price = priceFor(model, config.openai?.prices ?? DEFAULT_PRICES);
    const beforeImage = imageTokens(model, prepared.width, prepared.height, 'high');
    const plan = planImage(model, prepared.width, prepared.height);
    const beforeInput = estimateInputTokens(texts, beforeImage, schema);
    const afterInput = estimateInputTokens(texts, plan.tokens, schema);
    const perAnalysis = (input: number | null) => (input === null ? null : estimateCostUsd(input, outputTokens, price));
    rows.push([
      model,
      `${beforeImage ?? 'n/a'}`,
      `${plan.tokens ?? 'n/a'} (${plan.width}x${plan.height} ${plan.detail})`,
      `${beforeInput ?? 'n/a'}`,
      `${afterInput ?? 'n/a'}`,
      usd(beforeInput === null ? null : estimateCostUsd(beforeInput, 0, price)),
      usd(afterInput === null ? null : estimateCostUsd(afterInput, 0, price)),
      usd(perAnalysis(beforeInput)),
      usd(perAnalysis(afterInput)),
    ]);
  }
  const head = ['model', 'image before', 'image after (plan)', 'input before', 'input after', 'input USD before', 'input USD after', 'USD/analysis before', 'USD/analysis after'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(line(head));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
  console.log('');
  console.log('before: the chart as rendered, at detail high (CHARTLENS_IMAGE_DETAIL=high). after: CHARTLENS_IMAGE_DETAIL=auto (the default).');
  console.log('USD/analysis = estimated input + the assumed output, one call, list prices (src/core/analysis/pricing.ts).');
} finally {
  await services.close();
}
