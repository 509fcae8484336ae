// OHLCV CSV read in the browser, only to draw the chart: the server parses the same file again and
// is the judge of whether it is valid (its error is what the page shows).

const TIME_COLUMNS = ['date', 'time', 'timestamp', 'datetime'];
const PRICE_COLUMNS = ['open', 'high', 'low', 'close'];
/** Numbers below this are epoch seconds, above it milliseconds (as the server reads them). */
const EPOCH_SECONDS_LIMIT = 1e11;

/** Split CSV text into rows of fields; quoted fields may hold commas, quotes ("") and newlines. */
function records(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      if (row.some((f) => f.trim() !== '')) rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  row.push(field);
  if (row.some((f) => f.trim() !== '')) rows.push(row);
  return rows;
}

/**
 * A candle time (ISO 8601 text or epoch seconds/milliseconds) as epoch milliseconds, UTC, or NaN.
 * A date-time without an offset is read as UTC, as the server reads it.
 */
export function parseTime(value) {
  if (typeof value === 'number') return Math.abs(value) < EPOCH_SECONDS_LIMIT ? value * 1000 : value;
  const text = String(value ?? '').trim();
  if (/^-?\d+(\.\d+)?$/.test(text)) return parseTime(Number(text));
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return Number.NaN;
  const noOffset = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/i.test(text);
  return Date.parse(noOffset ? `${text.replace(' ', 'T')}Z` : text);
}

/**
 * Candles `{time (epoch ms), open, high, low, close, volume?}` from CSV text, oldest first, or null
 * when the text is not an OHLCV CSV this page can draw.
 */
export function parseCandlesCsv(text) {
  const rows = records(text);
  if (rows.length < 2) return null;
  const header = rows[0].map((h) => h.trim().toLowerCase());
  const timeIdx = header.findIndex((h) => TIME_COLUMNS.includes(h));
  if (timeIdx < 0 || PRICE_COLUMNS.some((c) => !header.includes(c))) return null;
  const [o, hi, lo, cl, vol] = [...PRICE_COLUMNS, 'volume'].map((c) => header.indexOf(c));
  const candles = [];
  for (const row of rows.slice(1)) {
    const time = parseTime(row[timeIdx]);
    const values = [o, hi, lo, cl].map((i) => Number(row[i]));
    if (!Number.isFinite(time) || values.some((v) => !Number.isFinite(v))) return null;
    const candle = { time, open: values[0], high: values[1], low: values[2], close: values[3] };
    const volume = vol >= 0 && row[vol] !== undefined && row[vol].trim() !== '' ? Number(row[vol]) : undefined;
    if (volume !== undefined && Number.isFinite(volume)) candle.volume = volume;
    if (candles.length > 0 && time <= candles[candles.length - 1].time) return null;
    candles.push(candle);
  }
  return candles.length >= 2 ? candles : null;
}

/** Candles from GET /v1/market (ISO times) in the same shape as `parseCandlesCsv` gives. */
export function fromMarket(rows) {
  return rows.map((r) => ({ ...r, time: parseTime(r.time) })).filter((r) => Number.isFinite(r.time));
}
