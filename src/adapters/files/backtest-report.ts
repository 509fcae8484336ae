import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LineChartRenderer } from '../../ports/chart-renderer.ts';
import type { BacktestReportWriter } from '../../ports/report-writer.ts';
import type { BacktestResult, DecisionRow } from '../../core/evaluation/backtest-result.ts';
import { cellText } from '../../core/text/cell-text.ts';

const DECISION_COLUMNS = ['time', 'action', 'exposure', 'confidence', 'entry', 'invalidation', 'target', 'forwardReturn', 'hallucinationRate'] as const;

const cell = cellText;

export function decisionsCsv(rows: readonly DecisionRow[]): string {
  return `${[DECISION_COLUMNS.join(','), ...rows.map((r) => DECISION_COLUMNS.map((c) => cell(r[c])).join(','))].join('\n')}\n`;
}

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
const pct = (v: number | null | undefined): string => (v === null || v === undefined ? 'n/a' : `${(v * 100).toFixed(2)}%`);
const num = (v: number | null | undefined, d = 2): string => (v === null || v === undefined ? 'n/a' : v.toFixed(d));

/** One self-contained page: the metrics, the equity chart (inline PNG) and the decisions table. */
export function reportHtml(result: BacktestResult, title: string, equityPng: Buffer): string {
  const m = result.metrics;
  const row = (label: string, s: { totalReturn: number; cagr: number | null; sharpe: number | null; maxDrawdown: number; turnover: number; trades: number }) =>
    `<tr><th>${label}</th><td>${pct(s.totalReturn)}</td><td>${pct(s.cagr)}</td><td>${num(s.sharpe)}</td><td>${pct(s.maxDrawdown)}</td><td>${num(s.turnover, 1)}</td><td>${s.trades}</td></tr>`;
  const calibration = m.hitRateByConfidence
    .map((b) => `<tr><td>${b.from.toFixed(1)}–${b.to.toFixed(1)}</td><td>${b.calls}</td><td>${pct(b.hitRate)}</td></tr>`)
    .join('');
  const decisions = result.decisions
    .map(
      (d) =>
        `<tr><td>${escapeHtml(d.time)}</td><td>${d.action}</td><td>${num(d.exposure)}</td><td>${num(d.confidence)}</td><td>${num(d.entry)}</td><td>${num(d.invalidation)}</td><td>${num(d.target)}</td><td>${pct(d.forwardReturn)}</td><td>${num(d.hallucinationRate)}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#1f2937}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #d1d5db;padding:3px 8px;text-align:right}
th{background:#f3f4f6}img{max-width:100%;border:1px solid #e5e7eb}.note{color:#6b7280}
</style></head><body>
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(m.period.from)} to ${escapeHtml(m.period.to)} (${m.period.bars} bars). Window ${m.params.window} bars, hold ${m.params.horizon} bars,
a decision every ${m.params.step} bars, ${m.params.costBps} bps per unit of position change.
Analyzer: ${escapeHtml(m.analyzer.name)}${m.analyzer.model ? ` (${escapeHtml(m.analyzer.model)})` : ''}; spend $${m.analyzer.costUsd.toFixed(4)}; ${m.analyzer.cached} cached, ${m.analyzer.degraded} degraded.</p>
<h2>Returns</h2>
<table><tr><th></th><th>total</th><th>CAGR</th><th>Sharpe</th><th>max drawdown</th><th>turnover</th><th>trades</th></tr>
${row('strategy', m)}${row('buy and hold', m.buyAndHold)}${row(`random (seed ${m.random.seed})`, m.random)}</table>
<p>Hit rate (sign of the exposure against the ${m.params.horizon}-bar forward return, non-hold calls): <b>${pct(m.hitRate)}</b> over ${m.calls} calls; ${m.holds} holds.</p>
<h2>Calibration</h2><table><tr><th>confidence</th><th>calls</th><th>hit rate</th></tr>${calibration}</table>
<h2>Equity</h2><img alt="equity curve" src="data:image/png;base64,${equityPng.toString('base64')}">
<h2>Decisions</h2>
<table><tr><th>time</th><th>action</th><th>exposure</th><th>confidence</th><th>entry</th><th>invalidation</th><th>target</th><th>forward return</th><th>hallucination rate</th></tr>
${decisions}</table>
<p class="note">Replayed with bars up to each decision only. Not investment advice; past results do not predict future ones.</p>
</body></html>
`;
}

/** Write decisions.csv, metrics.json, equity.png and report.html into `dir`. */
export async function writeBacktestReport(dir: string, result: BacktestResult, renderer: LineChartRenderer, title: string): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const equity = await renderer.renderLineChart({
    title: `${title}: equity`,
    times: result.equity.map((e) => e.time),
    series: [
      { label: 'strategy', values: result.equity.map((e) => e.strategy) },
      { label: 'buy and hold', values: result.equity.map((e) => e.buyAndHold) },
      { label: 'random baseline', values: result.equity.map((e) => e.random), color: '#d1d5db' },
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
