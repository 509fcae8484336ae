// Recent analyses (GET /v1/analyses, newest first, paged by cursor); each one opens in place.

import { listAnalyses } from './api.js';
import { h } from './dom.js';
import { dateTime, percent, signedPercent } from './format.js';

const PAGE = 10;

/**
 * The history list. `onOpen(id)` opens an analysis; `onError(err)` reports a failed load (a 401
 * asks for the API key).
 */
export function createHistory({ list, more, status, onOpen, onError }) {
  let cursor = null;
  let current = null;

  function item(s) {
    const unnamed = s.source === 'ohlcv' ? 'OHLCV upload' : 'chart upload';
    const label = [s.symbol ?? unnamed, s.timeframe].filter(Boolean).join(' ');
    const button = h(
      'button',
      {
        type: 'button',
        class: 'history-item',
        attrs: { 'data-id': s.id, 'data-created': s.createdAt, 'aria-current': s.id === current ? 'true' : null },
        on: { click: () => onOpen(s.id) },
      },
      h('span', { class: ['action-chip', `action-${s.action}`], text: s.action.toUpperCase() }),
      h('span', { class: 'history-label', text: label }),
      h('span', { class: 'history-nums', text: `${signedPercent(s.exposure)} · ${percent(s.confidence)} · ${s.verification}${s.degraded ? ' · degraded' : ''}` }),
      h('span', { class: 'history-meta' }, `${s.source} · ${s.analyzer === 'local' ? 'rules' : s.analyzer} · `, h('time', { dateTime: s.createdAt, text: dateTime(s.createdAt), attrs: { 'data-volatile': true } })),
    );
    return h('li', {}, button);
  }

  async function load(reset) {
    status.textContent = 'Loading the history…';
    try {
      const page = await listAnalyses({ limit: PAGE, cursor: reset ? undefined : cursor });
      if (reset) list.replaceChildren();
      list.append(...page.items.map(item));
      cursor = page.nextCursor;
      more.hidden = !cursor;
      status.textContent = list.children.length ? '' : 'No analyses yet.';
    } catch (err) {
      status.textContent = 'The history could not be loaded.';
      onError?.(err);
    }
  }

  return {
    refresh: () => load(true),
    more: () => load(false),
    /** Mark the analysis on show. */
    setCurrent(id) {
      current = id;
      for (const b of list.querySelectorAll('.history-item')) {
        if (b.dataset.id === id) b.setAttribute('aria-current', 'true');
        else b.removeAttribute('aria-current');
      }
    },
  };
}
