// The result of an analysis, as DOM: the decision card, the regime bar and the experts, the
// verification table, risks and news, cost and latency, and the disclaimer. The chart slot is
// filled by the caller (interactive chart, uploaded image or stored chart.png).

import { h, uid } from './dom.js';
import { dateTime, duration, num, percent, price, signedPercent, statusOf, usd } from './format.js';

const SOURCE_TEXT = { ohlcv: 'OHLCV data', image: 'a chart image', 'image+ohlcv': 'a chart image with its OHLCV' };

/** Who answered, in words: the local rules are rules, never "an LLM". */
export function analyzerLabel(provider) {
  if (!provider) return 'unknown analyzer';
  if (provider.kind === 'rules') return `${provider.analyzer}: rules (deterministic, not a language model)`;
  return `${provider.analyzer}: LLM${provider.model ? ` ${provider.model}` : ''}`;
}

/** What the confidence number means, from the decision's calibration. */
export function confidenceMeaning(d) {
  const c = d.calibration;
  const conf = percent(d.confidence);
  if (d.action === 'hold') {
    return `A hold calls no direction, so there is no hit rate to calibrate: ${conf} is the policy's score for standing aside, not a forecast.`;
  }
  if (c) {
    const flat = Math.abs(d.confidence - c.baseRate) < 0.005;
    return (
      `Calibrated by the map ${c.map} (version ${c.version}): calls with this raw score (${percent(c.raw)}) went the right way ` +
      `over their horizon ${conf} of the time in the replay it was fitted on. ` +
      (flat
        ? `That is the base rate of every call (${percent(c.baseRate, 1)}): the score adds nothing beyond it.`
        : `The base rate of every call was ${percent(c.baseRate, 1)}.`)
    );
  }
  return `Uncalibrated: no calibration map exists for this analyzer, model and prompt version, so ${conf} is the policy's score, not a measured hit rate.`;
}

function card(title, className, ...body) {
  const id = uid('card');
  return h('section', { class: ['card', className], attrs: { 'aria-labelledby': id } }, h('h3', { id, text: title }), ...body);
}

function fact(label, value, field, extra = {}) {
  return h('div', { class: 'fact' }, h('dt', { text: label }), h('dd', { text: value, attrs: { 'data-field': field, ...extra } }));
}

function banners(a) {
  const out = [];
  const p = a.provider;
  if (p?.degraded) {
    out.push(
      h(
        'div',
        { class: 'banner banner-warn', attrs: { 'data-banner': 'degraded' } },
        h('strong', { text: 'Degraded answer. ' }),
        `The analyzer asked for could not answer (${p.degraded.code}: ${p.degraded.message}). This answer comes from the local rules.`,
      ),
    );
  }
  if (a.verification?.status === 'unverified') {
    out.push(
      h(
        'div',
        { class: 'banner banner-info', attrs: { 'data-banner': 'unverified' } },
        h('strong', { text: 'Unverified. ' }),
        'There were no facts to check the claims against; confidence is capped.',
      ),
    );
  }
  const dig = a.market?.digitization;
  if (a.market?.fromImage && dig) {
    out.push(
      h(
        'div',
        { class: 'banner banner-info', attrs: { 'data-banner': 'from-image' } },
        h('strong', { text: 'Read from the image. ' }),
        `The ${dig.bars} bars were read back from the picture (confidence ${percent(dig.confidence)}` +
          `${dig.priceError !== null ? `, prices within ±${price(dig.priceError)}` : ''}${dig.datesRead ? '' : ', dates not read'}); ` +
          'the claims were checked against them.',
      ),
    );
  }
  return out;
}

function decisionCard(a) {
  const d = a.decision;
  const side = d.exposure > 0 ? 'long' : d.exposure < 0 ? 'short' : 'flat';
  const proposed = a.proposedDecision;
  const changed = proposed && (proposed.action !== d.action || proposed.exposure !== d.exposure || proposed.confidence !== d.confidence);
  const adjustments = a.verification?.adjustments ?? [];
  return card(
    'Decision',
    'decision-card',
    h(
      'p',
      { class: ['action', `action-${d.action}`] },
      h('span', { class: 'action-word', text: d.action.toUpperCase(), attrs: { 'data-field': 'action' } }),
      h('span', { class: 'horizon', text: `over ${d.horizonBars} bar${d.horizonBars === 1 ? '' : 's'}` }),
    ),
    h(
      'dl',
      { class: 'facts' },
      fact('Exposure', `${signedPercent(d.exposure)} (${side})`, 'exposure'),
      fact('Confidence', percent(d.confidence), 'confidence'),
      fact('Entry', price(d.entry), 'entry'),
      fact('Stop', price(d.invalidation), 'stop'),
      fact('Target', price(d.target), 'target'),
      fact('Risk/reward', d.riskReward === null || d.riskReward === undefined ? '—' : num(d.riskReward), 'risk-reward'),
    ),
    h('p', { class: 'confidence-meaning', text: confidenceMeaning(d), attrs: { 'data-field': 'confidence-meaning' } }),
    d.rationale ? h('p', { class: 'rationale', text: d.rationale }) : null,
    changed
      ? h('p', {
          class: 'proposed',
          text: `The analyzer proposed ${proposed.action.toUpperCase()} (exposure ${signedPercent(proposed.exposure)}, confidence ${percent(proposed.confidence)}); the policy checked it and answered the above.`,
        })
      : null,
    adjustments.length
      ? h(
          'details',
          {},
          h('summary', { text: `What the policy changed (${adjustments.length})` }),
          h('ul', {}, adjustments.map((x) => h('li', { text: `${x.field}: ${JSON.stringify(x.from)} → ${JSON.stringify(x.to)}: ${x.reason}` }))),
        )
      : null,
    d.basis?.length
      ? h('details', {}, h('summary', { text: `What it rests on (${d.basis.length})` }), h('ul', {}, d.basis.map((b) => h('li', { text: b }))))
      : null,
  );
}

function regimeCard(a) {
  const r = a.regime;
  const parts = [
    ['uptrend', 'Uptrend', r.uptrend],
    ['sideways', 'Sideways', r.sideways],
    ['downtrend', 'Downtrend', r.downtrend],
  ];
  const label = parts.map(([, name, p]) => `${name} ${percent(p)}`).join(', ');
  const bar = h(
    'div',
    { class: 'regime-bar', attrs: { role: 'img', 'aria-label': `Regime: ${label}` } },
    parts.map(([key, , p]) => {
      const seg = h('span', { class: ['regime-seg', `regime-${key}`] });
      // CSSOM, not a style attribute: allowed under the page's Content-Security-Policy.
      seg.style.setProperty('flex-grow', String(Math.max(p, 0)));
      return seg;
    }),
  );
  const legend = h(
    'ul',
    { class: 'regime-legend' },
    parts.map(([key, name, p]) => h('li', {}, h('span', { class: ['swatch', `regime-${key}`], attrs: { 'aria-hidden': 'true' } }), `${name} ${percent(p)}`)),
  );
  const experts = h(
    'ul',
    { class: 'experts' },
    (a.experts ?? []).map((e) =>
      h(
        'li',
        { class: 'expert' },
        h(
          'p',
          { class: 'expert-head' },
          h('strong', { text: e.name }),
          h('span', { class: ['stance', `stance-${e.stance}`], text: e.stance }),
          h('span', { class: 'expert-nums', text: `weight ${percent(e.weight)} · exposure ${signedPercent(e.exposure)}` }),
        ),
        h('p', { class: 'expert-why', text: e.rationale }),
      ),
    ),
  );
  return card('Regime and experts', 'regime-card', bar, legend, h('h4', { text: 'Experts' }), a.experts?.length ? experts : h('p', { class: 'muted', text: 'No experts answered.' }));
}

function verificationCard(a) {
  const v = a.verification;
  const counts = {};
  for (const c of v.claims) counts[c.status] = (counts[c.status] ?? 0) + 1;
  const summary = ['confirmed', 'not_found', 'contradicted', 'unverifiable']
    .filter((s) => counts[s])
    .map((s) => `${counts[s]} ${statusOf(s).word}`)
    .join(', ');
  const table = h(
    'table',
    { class: 'verification-table', id: 'verification-table' },
    h('caption', { text: 'Each claim of the analyzer, checked against the facts computed from the bars' }),
    h('thead', {}, h('tr', {}, h('th', { text: 'Claim', attrs: { scope: 'col' } }), h('th', { text: 'Status', attrs: { scope: 'col' } }), h('th', { text: 'Evidence', attrs: { scope: 'col' } }))),
    h(
      'tbody',
      {},
      v.claims.map((c) => {
        const s = statusOf(c.status);
        return h(
          'tr',
          { attrs: { 'data-status': c.status, 'data-kind': c.kind } },
          h('th', { attrs: { scope: 'row' } }, h('span', { class: 'claim-kind', text: c.kind }), h('span', { class: 'claim-text', text: c.claim })),
          h('td', {}, h('span', { class: ['badge', `tone-${s.tone}`] }, h('span', { text: s.mark, attrs: { 'aria-hidden': 'true' } }), ` ${s.word}`)),
          h('td', { class: 'evidence', text: c.detail }),
        );
      }),
    ),
  );
  return card(
    'Verification',
    'verification-card',
    h(
      'p',
      { class: 'verification-summary' },
      h('span', { class: ['badge', `verif-${v.status}`], text: v.status, attrs: { 'data-field': 'verification-status' } }),
      ` ${v.claims.length} claim${v.claims.length === 1 ? '' : 's'}${summary ? `: ${summary}` : ''}.`,
      v.hallucinationRate === null ? ' Nothing could be checked.' : ` Hallucination rate ${percent(v.hallucinationRate)}.`,
    ),
    v.claims.length ? h('div', { class: 'table-wrap' }, table) : h('p', { class: 'muted', text: 'The analyzer made no claims.' }),
  );
}

function notesCard(a, headlines) {
  const parts = [];
  if (a.risks?.length) parts.push(h('h4', { text: 'Risks' }), h('ul', { class: 'risks' }, a.risks.map((r) => h('li', { text: r }))));
  if (a.news?.length) {
    parts.push(
      h('h4', { text: 'News' }),
      h(
        'ul',
        { class: 'news' },
        a.news.map((n) => {
          const headline = headlines?.[n.index];
          return h('li', { text: `${headline ? `“${headline}”` : `Item ${n.index + 1}`}: sentiment ${num(n.sentiment)}, relevance ${percent(n.relevance)}. ${n.note}` });
        }),
      ),
    );
  } else if (a.input?.newsCount) {
    parts.push(h('p', { class: 'muted', text: `${a.input.newsCount} news item(s) were sent; the analyzer did not weigh them.` }));
  }
  return parts.length ? card('Risks and news', 'notes-card', ...parts) : null;
}

function costCard(a) {
  const p = a.provider;
  const cost = p.kind === 'rules' ? '$0 (rules run on the server, no model call)' : p.costUsd === null ? 'unknown (no price for this model)' : usd(p.costUsd);
  const tokens = p.usage ? `${num(p.usage.inputTokens, 0)} in, ${num(p.usage.outputTokens, 0)} out${p.usage.cachedInputTokens ? `, ${num(p.usage.cachedInputTokens, 0)} cached` : ''}` : '—';
  return card(
    'Cost and latency',
    'cost-card',
    h(
      'dl',
      { class: 'facts facts-wide' },
      fact('Analyzer', analyzerLabel(p), 'analyzer'),
      fact('Prompt', p.promptVersion, 'prompt'),
      fact('Cost', cost, 'cost'),
      fact('Tokens', tokens, 'tokens'),
      fact('Latency', duration(p.latencyMs), 'latency', { 'data-volatile': true }),
      fact('Cached', p.cached ? 'yes, served from cache' : 'no', 'cached'),
      fact('Attempts', String(p.attempts), 'attempts'),
      p.image ? fact('Image sent', `${p.image.width}×${p.image.height}, ${p.image.detail} detail`, 'image') : null,
    ),
  );
}

/**
 * The whole result. `view.headlines`: the news sent with this request (for the news notes).
 * Returns the article and the chart slot to draw into.
 */
export function renderAnalysis(a, view = {}) {
  const unnamed = a.input?.source === 'ohlcv' ? 'Uploaded OHLCV' : 'Uploaded chart';
  const titleParts = [a.symbol ?? unnamed, a.timeframe].filter(Boolean).join(' · ');
  const slot = h('div', { class: 'chart', id: 'chart', attrs: { role: 'img', 'aria-label': 'Chart' } });
  const caption = h('figcaption', { class: 'chart-caption' });
  const article = h(
    'article',
    { class: 'analysis', attrs: { 'data-id': a.id, 'aria-labelledby': 'analysis-title' } },
    h(
      'header',
      { class: 'analysis-head' },
      h('h3', { id: 'analysis-title', text: titleParts }),
      h(
        'p',
        { class: 'meta' },
        `From ${SOURCE_TEXT[a.input?.source] ?? 'the input'}${a.input?.bars ? ` (${a.input.bars} bars)` : ''} · `,
        h('span', { class: ['analyzer-label', `analyzer-${a.provider?.kind}`], text: analyzerLabel(a.provider), attrs: { 'data-field': 'analyzer-label' } }),
        h('span', { class: 'volatile-meta', attrs: { 'data-volatile': true } }, ' · ', h('time', { dateTime: a.createdAt, text: dateTime(a.createdAt) }), ' · id ', h('code', { text: a.id })),
      ),
    ),
    banners(a),
    h('figure', { class: 'chart-figure' }, slot, caption),
    h('div', { class: 'cards' }, decisionCard(a), regimeCard(a)),
    verificationCard(a),
    notesCard(a, view.headlines),
    costCard(a),
    h('p', { class: 'disclaimer', text: a.disclaimer, attrs: { 'data-field': 'disclaimer' } }),
  );
  return { article, slot, caption };
}

/** The legend under an interactive chart, and its text description for screen readers. */
export function chartCaption(caption, slot, drawn, a) {
  slot.setAttribute(
    'aria-label',
    `Candlestick chart${a.symbol ? ` of ${a.symbol}` : ''}: ${drawn.bars} bars, ${drawn.markers} claimed pattern(s) and ${drawn.levels} claimed level(s) marked by their verification status; the verification table lists them all.`,
  );
  caption.replaceChildren(
    h(
      'ul',
      { class: 'legend' },
      h('li', {}, h('span', { class: 'badge tone-good', text: '✓' }), ' confirmed'),
      h('li', {}, h('span', { class: 'badge tone-bad', text: '✗' }), ' not found or contradicted'),
      h('li', {}, h('span', { class: 'badge tone-neutral', text: '?' }), ' unverifiable'),
      h('li', { class: 'legend-plan', text: 'Dashed: claimed support (S) and resistance (R). Dotted: entry, stop, target.' }),
    ),
  );
}

/** The caption under a picture shown instead of the interactive chart. */
export function imageCaption(caption, slot, text) {
  slot.setAttribute('aria-label', text);
  caption.replaceChildren(h('p', { class: 'muted', text }));
}

/** The error box: what went wrong, in the server's words, with the details it gave. */
export function renderError(box, err, title = 'The analysis could not be made.') {
  const status = err?.status ? `${err.status}` : '';
  const code = err?.code && err.code !== 'http_error' ? err.code : '';
  const details = Array.isArray(err?.details) ? err.details.slice(0, 8) : [];
  box.replaceChildren(
    h('p', { class: 'error-title' }, h('strong', { text: `${title} ` }), err?.message ?? String(err)),
    status || code ? h('p', { class: 'error-code', text: [status && `HTTP ${status}`, code].filter(Boolean).join(' · ') }) : null,
    details.length
      ? h(
          'ul',
          { class: 'error-details' },
          details.map((d) => h('li', { text: [d.field, d.line !== undefined ? `line ${d.line}` : null, d.row !== undefined ? `row ${d.row}` : null].filter(Boolean).join(', ') + (d.message ? `: ${d.message}` : '') })),
        )
      : null,
  );
  box.hidden = false;
}
