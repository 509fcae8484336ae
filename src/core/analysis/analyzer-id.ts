/** The analyzers a request can name. `local` is deterministic rules, never an LLM. */
export const ANALYZER_IDS = ['local', 'openai'] as const;

export type AnalyzerId = (typeof ANALYZER_IDS)[number];

/** What kind of reader produced an analysis: deterministic rules or a language model. */
export type AnalyzerKind = 'rules' | 'llm';
