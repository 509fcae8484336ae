import type { ResultLine } from './score-result.ts';

export interface ScoreSummary {
  total: number;
  ok: number;
  failed: number;
  byAction: Record<string, number>;
  byVerification: Record<string, number>;
  meanHallucinationRate: number | null;
  tokens: { input: number; output: number };
  costUsd: number;
  latencyMs: { p50: number; p95: number } | null;
  cached: number;
  degraded: number;
  failures: { code: string; count: number; examples: string[] }[];
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

const bump = (m: Record<string, number>, k: string): void => {
  m[k] = (m[k] ?? 0) + 1;
};

/** Roll the result lines of a run up into the numbers a reviewer reads first. */
export function summarizeResults(lines: readonly ResultLine[]): ScoreSummary {
  const byAction: Record<string, number> = {};
  const byVerification: Record<string, number> = {};
  const rates: number[] = [];
  const latencies: number[] = [];
  const failures = new Map<string, string[]>();
  let input = 0;
  let output = 0;
  let cost = 0;
  let cached = 0;
  let degraded = 0;
  for (const line of lines) {
    const a = line.analysis;
    if (!line.ok || !a) {
      const code = line.error?.code ?? 'unknown';
      failures.set(code, [...(failures.get(code) ?? []), line.file]);
      continue;
    }
    bump(byAction, a.decision.action);
    bump(byVerification, a.verification.status);
    if (a.verification.hallucinationRate !== null) rates.push(a.verification.hallucinationRate);
    latencies.push(a.provider.latencyMs);
    input += a.provider.usage?.inputTokens ?? 0;
    output += a.provider.usage?.outputTokens ?? 0;
    cost += a.provider.costUsd ?? 0;
    if (a.provider.cached) cached++;
    if (a.provider.degraded) degraded++;
  }
  latencies.sort((x, y) => x - y);
  const ok = lines.length - [...failures.values()].reduce((s, v) => s + v.length, 0);
  return {
    total: lines.length,
    ok,
    failed: lines.length - ok,
    byAction,
    byVerification,
    meanHallucinationRate: rates.length ? rates.reduce((s, v) => s + v, 0) / rates.length : null,
    tokens: { input, output },
    costUsd: Math.round(cost * 1e6) / 1e6,
    latencyMs: latencies.length ? { p50: percentile(latencies, 50), p95: percentile(latencies, 95) } : null,
    cached,
    degraded,
    failures: [...failures.entries()]
      .map(([code, files]) => ({ code, count: files.length, examples: files.slice(0, 3) }))
      .sort((a, b) => b.count - a.count),
  };
}

/** The summary as an aligned plain-text table. */
export function formatSummary(s: ScoreSummary): string {
  const rows: [string, string][] = [
    ['inputs', `${s.total} (${s.ok} ok, ${s.failed} failed)`],
    ['actions', Object.entries(s.byAction).map(([k, v]) => `${k} ${v}`).join(', ') || '-'],
    ['verification', Object.entries(s.byVerification).map(([k, v]) => `${k} ${v}`).join(', ') || '-'],
    ['mean hallucination rate', s.meanHallucinationRate === null ? '-' : s.meanHallucinationRate.toFixed(3)],
    ['tokens in / out', `${s.tokens.input} / ${s.tokens.output}`],
    ['cost', `$${s.costUsd.toFixed(4)}`],
    ['latency p50 / p95', s.latencyMs ? `${s.latencyMs.p50} ms / ${s.latencyMs.p95} ms` : '-'],
    ['cached / degraded', `${s.cached} / ${s.degraded}`],
  ];
  for (const f of s.failures) rows.push([`failed: ${f.code}`, `${f.count} (${f.examples.join(', ')}${f.count > f.examples.length ? ', ...' : ''})`]);
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}
