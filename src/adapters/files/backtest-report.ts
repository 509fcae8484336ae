import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LineChartRenderer } from '../../ports/chart-renderer.ts';
import type { BacktestReportWriter } from '../../ports/report-writer.ts';
import type { BacktestResult, DecisionRow } from '../../core/evaluation/backtest-result.ts';
import { cellText } from '../../core/text/cell-text.ts';

const DECISION_COLUMNS = [
  'time',
  'action',
  'exposure',
  'confidence',
  'entry',
  'invalidation',
  'target',
  'forwardReturn',
  'exitTime',
  'exitReason',
  'exitPrice',
  'realisedReturn',
  'hallucinationRate',
] as const;

const cell = cellText;

export function decisionsCsv(rows: readonly DecisionRow[]): string {
  return `${[DECISION_COLUMNS.join(','), ...rows.map((r) => DECISION_COLUMNS.map((c) => cell(r[c])).join(','))].join('\n')}\n`;
}

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
const pct = (v: number | null | undefined): string => (v === null || v === undefined ? 'n/a' : `${(v * 100).toFixed(2)}%`);
const num = (v: number | null | undefined, d = 2): string => (v === null || v === undefined ? 'n/a' : v.toFixed(d));

/** One self-contained page: the verdict, the metrics, the baselines, the calibration, the equity chart (inline PNG) and the decisions table. */
export function reportHtml(result: BacktestResult, title: string, equityPng: Buffer): string {
  const m = result.metrics;
  const sig = m.significance;
  const row = (
    label: string,
    s: { totalReturn: number; cagr: number | null; sharpe: number | null; maxDrawdown: number; turnover: number; trades: number },
    excess?: { totalReturn: number; sharpe: number | null },
  ) =>
    `<tr><th>${escapeHtml(label)}</th><td>${pct(s.totalReturn)}</td><td>${pct(s.cagr)}</td><td>${num(s.sharpe)}</td><td>${pct(s.maxDrawdown)}</td><td>${num(s.turnover, 1)}</td><td>${s.trades}</td>` +
    `<td>${excess ? pct(excess.totalReturn) : ''}</td><td>${excess ? num(excess.sharpe) : ''}</td></tr>`;
  const calibration = m.hitRateByConfidence
    .map((b) => `<tr><th>${b.from.toFixed(1)}–${b.to.toFixed(1)}</th><td>${b.calls}</td><td>${pct(b.hitRate)}</td></tr>`)
    .join('');
  const reliability = m.reliability
    .map((b) => `<tr><th>${b.from.toFixed(1)}–${b.to.toFixed(1)}</th><td>${b.calls}</td><td>${num(b.meanConfidence, 3)}</td><td>${pct(b.hitRate)}</td></tr>`)
    .join('');
  const decisions = result.decisions
    .map(
      (d) =>
        `<tr><td>${escapeHtml(d.time)}</td><td>${d.action}</td><td>${num(d.exposure)}</td><td>${num(d.confidence)}</td><td>${num(d.entry)}</td><td>${num(d.invalidation)}</td><td>${num(d.target)}</td><td>${pct(d.forwardReturn)}</td>` +
        `<td>${escapeHtml(d.exitTime ?? '')}</td><td>${d.exitReason ?? ''}</td><td>${num(d.exitPrice)}</td><td>${pct(d.realisedReturn)}</td><td>${num(d.hallucinationRate)}</td></tr>`,
    )
    .join('\n');
  const w = m.wilson95;
  const synthetic = m.synthetic
    ? `<p class="synthetic"><b>Synthetic data.</b> These bars are not the CSV's prices: they are a seeded ${escapeHtml(m.synthetic.kind)} (seed ${m.synthetic.seed}) of ${m.synthetic.bars} bars from ${num(m.synthetic.startPrice)}, with log returns N(0, ${pct(m.synthetic.sigma)}) a bar, the CSV's volatility. No rule has an edge on a random walk, so a significant edge here means a leak.</p>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#1f2937}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #d1d5db;padding:3px 8px;text-align:right}
th{background:#f3f4f6}img{max-width:100%;border:1px solid #e5e7eb}.note{color:#6b7280}
.synthetic{background:#fef3c7;border:1px solid #f59e0b;padding:8px}.verdict{font-size:1.2em}
</style></head><body>
<h1>${escapeHtml(title)}</h1>
${synthetic}
<p>${escapeHtml(m.period.from)} to ${escapeHtml(m.period.to)} (${m.period.bars} bars). Window ${m.params.window} bars, a decision every ${m.params.step} bars,
each held until its stop or target is touched or for ${m.params.horizon} bars, ${m.params.costBps} bps per unit of position change.
Analyzer: ${escapeHtml(m.analyzer.name)}${m.analyzer.model ? ` (${escapeHtml(m.analyzer.model)})` : ''}; spend $${m.analyzer.costUsd.toFixed(4)}; ${m.analyzer.cached} cached, ${m.analyzer.degraded} degraded.</p>
<p class="verdict">Verdict: <b>${sig.verdict}</b>. Sharpe ${num(m.sharpe)}, 95% interval ${m.sharpe95 ? `${num(m.sharpe95.low)} to ${num(m.sharpe95.high)}` : 'n/a'}
(stationary bootstrap of the per-bar returns, mean block ${sig.bootstrap.meanBlock} bars, ${sig.bootstrap.resamples} resamples);
permutation p = ${num(sig.permutation.p, 3)} against ${sig.permutation.permutations} random orders of the same calls.
An edge needs both: the interval above zero and p &lt; ${sig.alpha}.</p>
<h2>Returns</h2>
<table><tr><th></th><th>total</th><th>CAGR</th><th>Sharpe</th><th>max drawdown</th><th>turnover</th><th>trades</th><th>strategy excess return</th><th>excess Sharpe</th></tr>
${row('strategy', m)}${row('buy and hold', m.buyAndHold, m.buyAndHold.excess)}${row(`random (seed ${m.random.seed})`, m.random, m.random.excess)}${row(`trend (SMA${m.trend.sma})`, m.trend, m.trend.excess)}${row('horizon only (no stops)', m.horizonOnly)}</table>
<p class="note">Random: the same calls, with their stops and targets as fractions of the entry, dealt to the decision bars in a seeded random order (hit rate ${pct(m.random.hitRate)} over ${m.random.calls} calls: what the levels give by chance).
Trend: ${escapeHtml(m.trend.rule)}. Horizon only: the same calls held ${m.params.horizon} bars with no stop or target (hit rate ${pct(m.horizonOnly.hitRate)} over ${m.horizonOnly.calls} calls).</p>
<p>Hit rate (the simulated trade made money, non-hold calls): <b>${pct(m.hitRate)}</b> over ${m.calls} calls${w ? `, Wilson 95% ${pct(w.low)} to ${pct(w.high)}` : ''}; ${m.holds} holds.
Exits: ${m.exits.stop} at the stop, ${m.exits.target} at the target, ${m.exits.horizon} at the horizon, ${m.exits.open} still open at the end.</p>
<p>Bias: long ${pct(m.bias.long)}, short ${pct(m.bias.short)}, hold ${pct(m.bias.hold)} of the decisions; mean exposure ${num(m.bias.meanExposure, 3)}, mean position held ${num(m.bias.meanPosition, 3)}.</p>
<h2>Calibration</h2>
<p>Confidence read as the probability that the call is a hit. Brier score ${num(m.brier, 4)} against ${num(m.brierBaseline, 4)} for forecasting the overall hit rate every time (lower is better); expected calibration error ${num(m.ece, 4)}.</p>
<table><tr><th>confidence</th><th>calls</th><th>mean confidence</th><th>hit rate</th></tr>${reliability}</table>
<table><tr><th>confidence</th><th>calls</th><th>hit rate</th></tr>${calibration}</table>
<h2>Equity</h2><img alt="equity curve" src="data:image/png;base64,${equityPng.toString('base64')}">
<h2>Decisions</h2>
<table><tr><th>time</th><th>action</th><th>exposure</th><th>confidence</th><th>entry</th><th>invalidation</th><th>target</th><th>forward return</th><th>exit</th><th>exit reason</th><th>exit price</th><th>realised return</th><th>hallucination rate</th></tr>
${decisions}</table>
<p class="note">Replayed with bars up to each decision only; exits read only the bars after it. Not investment advice; past results do not predict future ones.</p>
</body></html>
`;
}

/** Write decisions.csv, metrics.json, equity.png and report.html into `dir`. */
export async function writeBacktestReport(dir: string, result: BacktestResult, renderer: LineChartRenderer, title: string): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const equity = await renderer.renderLineChart({
    title: `${title}: equity${result.metrics.synthetic ? ' (synthetic data)' : ''}`,
    times: result.equity.map((e) => e.time),
    series: [
      { label: 'strategy', values: result.equity.map((e) => e.strategy) },
      { label: 'buy and hold', values: result.equity.map((e) => e.buyAndHold) },
      { label: 'random baseline', values: result.equity.map((e) => e.random), color: '#d1d5db' },
      { label: `trend (SMA${result.metrics.trend.sma})`, values: result.equity.map((e) => e.trend), color: '#f59e0b' },
    ],
    width: 1024,
    height: 512,
    theme: 'light',
  });
  const files = {
    'decisions.csv': decisionsCsv(result.decisions),
    'metrics.json': `${JSON.stringify(result.metrics, null, 2)}\n`,
    'equity.png': equity.png,
    'report.html': reportHtml(result, title, equity.png),
  };
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return Object.keys(files).map((n) => join(dir, n));
}

/** The report writer behind the port, drawing the equity chart with `renderer`. */
export function fileReportWriter(renderer: LineChartRenderer): BacktestReportWriter {
  return { write: (dir, result, title) => writeBacktestReport(dir, result, renderer, title) };
}
