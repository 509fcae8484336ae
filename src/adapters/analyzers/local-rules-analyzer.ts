import { analyzeWithRules, rulesWithoutData } from '../../core/analysis/local-rules.ts';
import { parseTimeframe } from '../../core/market/timeframe.ts';
import type { Analyzer, AnalyzerInput, AnalyzerResult } from '../../ports/analyzer.ts';

/** The default analyzer: deterministic rules, free, offline. Never presented as an LLM. */
export class LocalRulesAnalyzer implements Analyzer {
  readonly id = 'local' as const;
  readonly kind = 'rules' as const;

  modelFor(): string | null {
    return null;
  }

  analyze(input: AnalyzerInput): Promise<AnalyzerResult> {
    const output = input.facts
      ? analyzeWithRules(input.facts, input.news, input.symbol, parseTimeframe(input.timeframe))
      : rulesWithoutData(input.news, input.symbol);
    return Promise.resolve({ output, raw: null, model: null, usage: null, costUsd: 0, attempts: 1, structuredOutput: null });
  }
}
