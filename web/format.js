// Number and text formatting, in one fixed locale so the page reads the same everywhere.

const LOCALE = 'en-US';

/** A price: two decimals for ordinary prices, significant digits for small ones; a dash for null. */
export function price(v) {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const abs = Math.abs(v);
  if (abs >= 1) return v.toLocaleString(LOCALE, { minimumFractionDigits: 2, maximumFractionDigits: abs >= 100 ? 2 : 4 });
  return v.toLocaleString(LOCALE, { maximumSignificantDigits: 6 });
}

/** 0.5628 -> "56%" (or with decimals). */
export function percent(v, digits = 0) {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return `${(v * 100).toFixed(digits)}%`;
}

/** A signed share: -0.397 -> "−39.7%", 0 -> "0%". */
export function signedPercent(v) {
  if (!Number.isFinite(v)) return '—';
  if (v === 0) return '0%';
  const text = `${(Math.abs(v) * 100).toFixed(1).replace(/\.0$/, '')}%`;
  return v > 0 ? `+${text}` : `−${text}`;
}

/** A plain number with at most `digits` decimals. */
export function num(v, digits = 2) {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return v.toLocaleString(LOCALE, { maximumFractionDigits: digits });
}

/** US dollars for an LLM call: small amounts keep their digits. */
export function usd(v) {
  if (v === null || v === undefined) return 'unknown';
  if (v === 0) return '$0';
  return `$${v < 0.01 ? v.toPrecision(2) : v.toFixed(4)}`;
}

/** Milliseconds as "850 ms" or "2.4 s". */
export function duration(ms) {
  if (!Number.isFinite(ms)) return '—';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** An ISO time as local date and time, e.g. "2020-04-17 14:05". */
export function dateTime(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** What a verification status looks like: a mark, a word and a class. */
export const STATUS = {
  confirmed: { mark: '✓', word: 'confirmed', tone: 'good' },
  not_found: { mark: '✗', word: 'not found', tone: 'bad' },
  contradicted: { mark: '✗', word: 'contradicted', tone: 'bad' },
  unverifiable: { mark: '?', word: 'unverifiable', tone: 'neutral' },
};

/** The status entry of a claim, with a neutral fallback for a status this page does not know. */
export function statusOf(status) {
  return STATUS[status] ?? { mark: '?', word: String(status).replace(/_/g, ' '), tone: 'neutral' };
}
