import type { Analysis } from '../core/analysis/analysis.ts';
import { jsonCandles } from '../core/market/candle-json.ts';
import { type AnalyzeDeps, analyzeChart } from './analyze-chart.ts';
import { type AnalyzerId } from '../core/analysis/analyzer-id.ts';
import { toAnalyzeCommand } from './analyze-request.ts';
import type { LoadedInput, ScoreTarget } from '../ports/score-target.ts';


/** Analyse in this process, through the same use case as POST /v1/analyze. */
export function inProcessTarget(deps: AnalyzeDeps, o: { analyzer: AnalyzerId | null; model: string | null }): ScoreTarget {
  return {
    async analyze(input: LoadedInput): Promise<Analysis> {
      const body: Record<string, unknown> = {
        ...(o.analyzer ? { analyzer: o.analyzer } : {}),
        ...(o.model ? { model: o.model } : {}),
        ...(input.news !== undefined ? { news: input.news } : {}),
        ...(input.data?.kind === 'json' ? { candles: jsonCandles(input.data.value) } : {}),
      };
      const cmd = toAnalyzeCommand(body, { image: input.image, ohlcv: input.data?.kind === 'csv' ? input.data.text : undefined });
      return analyzeChart(deps, cmd);
    },
  };
}
