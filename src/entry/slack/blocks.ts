import type { Analysis, ClaimStatus } from '../../core/analysis/analysis.ts';

/** Verification marks as people read them in a channel. */
export const MARKS: Record<ClaimStatus, string> = {
  confirmed: ':white_check_mark: confirmed',
  not_found: ':grey_question: not found',
  contradicted: ':x: contradicted',
  unverifiable: ':grey_exclamation: unverifiable',
};

const pct = (v: number): string => `${Math.round(v * 100)}%`;
const price = (v: number | null): string => (v === null ? 'n/a' : Number(v.toPrecision(7)).toString());
const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text: text.slice(0, 2900) } });
const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The analysis as Block Kit: decision header, regime and experts, checked patterns, levels, risks, footer. */
export function analysisBlocks(a: Analysis): { text: string; blocks: unknown[] } {
  const d = a.decision;
  const label = [a.symbol?.toUpperCase(), a.timeframe].filter(Boolean).join(' ');
  const header = `${d.action.toUpperCase()}${label ? ` ${label}` : ''} · confidence ${pct(d.confidence)} · ${d.horizonBars} bars`;
  const r = a.regime;
  const experts = a.experts.map((e) => `${e.name} ${e.stance} ${e.exposure >= 0 ? '+' : ''}${e.exposure.toFixed(2)} (w ${e.weight.toFixed(2)})`).join(' · ');
  const patternClaims = a.verification.claims.filter((c) => c.kind === 'pattern');
  const patterns = patternClaims.length
    ? patternClaims.map((c) => `• ${escape(c.claim)}: ${MARKS[c.status]}`).join('\n')
    : '_No patterns claimed._';
  const others = a.verification.claims.filter((c) => c.kind === 'level' || c.kind === 'indicator');
  const otherChecks = others.length
    ? `\n_Levels and indicator values:_ ${(Object.keys(MARKS) as ClaimStatus[])
        .map((status) => [status, others.filter((c) => c.status === status).length] as const)
        .filter(([, n]) => n > 0)
        .map(([status, n]) => `${n} ${MARKS[status]}`)
        .join(', ')}`
    : '';
  const levels = `Support: ${a.claims.levels.support.map(price).join(', ') || 'n/a'} · Resistance: ${a.claims.levels.resistance.map(price).join(', ') || 'n/a'}`;
  const trade = `Entry ${price(d.entry)} · Invalidation ${price(d.invalidation)} · Target ${price(d.target)}${d.riskReward === null ? '' : ` · R/R ${d.riskReward}`}`;
  const hr = a.verification.hallucinationRate;
  const p = a.provider;
  const footer = [
    `analyzer ${p.analyzer}${p.kind === 'rules' ? ' (rules, not an LLM)' : p.model ? ` (${p.model})` : ''}`,
    `${p.latencyMs} ms`,
    p.costUsd === null ? 'cost n/a' : `$${p.costUsd.toFixed(4)}`,
    p.cached ? 'cached' : null,
    p.degraded ? `:warning: degraded (${p.degraded.code}): ${escape(p.degraded.message)}` : null,
    `verification ${a.verification.status}${hr === null ? '' : ` (hallucination rate ${pct(hr)})`}`,
  ]
    .filter(Boolean)
    .join(' · ');
  const blocks = [
    { type: 'header', text: { type: 'plain_text', text: header.slice(0, 150) } },
    section(`*Regime* up ${pct(r.uptrend)} · down ${pct(r.downtrend)} · sideways ${pct(r.sideways)}\n*Experts* ${experts}`),
    section(`*Patterns*\n${patterns}${otherChecks}`),
    section(`*Levels* ${levels}\n*Trade* ${trade}\n${escape(d.rationale)}`),
    ...(a.verification.adjustments.length
      ? [section(`*Policy adjustments*\n${a.verification.adjustments.map((x) => `• ${escape(x.field)}: ${escape(x.reason)}`).join('\n')}`)]
      : []),
    ...(a.risks.length ? [section(`*Risks*\n${a.risks.map((x) => `• ${escape(x)}`).join('\n')}`)] : []),
    { type: 'context', elements: [{ type: 'mrkdwn', text: footer.slice(0, 2900) }] },
    { type: 'context', elements: [{ type: 'mrkdwn', text: escape(a.disclaimer) }] },
  ];
  return { text: `${header}. ${a.disclaimer}`, blocks };
}
