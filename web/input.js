// The input form: a chart image (file, drop or paste), an OHLCV CSV (file or drop), or a ticker
// with its timeframe and source; optional news and the analyzer. It reads the form into a request
// and reads a deep link (/?symbol=AAPL&timeframe=1d&source=yahoo) into the form.

import { byId } from './dom.js';

const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp'];
const MAX_NEWS = 20;

/** A mistake in the form, shown next to it rather than sent to the server. */
export class FormError extends Error {
  constructor(message, field) {
    super(message);
    this.name = 'FormError';
    this.field = field;
  }
}

const isImage = (file) => IMAGE_TYPES.includes(file.type) || /\.(png|jpe?g|webp)$/i.test(file.name);
const isCsv = (file) => /\.(csv|txt)$/i.test(file.name) || file.type === 'text/csv' || file.type === 'text/plain';

/** Put one file into a file input, as if it had been chosen there. */
function setFile(input, file) {
  const dt = new DataTransfer();
  dt.items.add(file);
  input.files = dt.files;
  input.dispatchEvent(new Event('change', { bubbles: true }));
}

/** Select `value` in a select, adding it as an option first when the list lacks it. */
function choose(select, value) {
  if (![...select.options].some((o) => o.value === value)) select.add(new Option(value, value));
  select.value = value;
}

export function setupInput({ onChange } = {}) {
  const els = {
    form: byId('analyze-form'),
    image: byId('image-file'),
    imageClear: byId('image-clear'),
    imagePreview: byId('image-preview'),
    imageName: byId('image-name'),
    dropzone: byId('dropzone'),
    csv: byId('csv-file'),
    csvClear: byId('csv-clear'),
    csvName: byId('csv-name'),
    symbol: byId('symbol'),
    timeframe: byId('timeframe'),
    source: byId('source'),
    news: byId('news'),
    analyzer: byId('analyzer'),
    submit: byId('submit'),
    status: byId('form-status'),
  };
  let previewUrl = null;

  const file = (input) => input.files?.[0] ?? null;

  function refresh() {
    const image = file(els.image);
    const csv = file(els.csv);
    if (previewUrl) URL.revokeObjectURL(previewUrl);
    previewUrl = image ? URL.createObjectURL(image) : null;
    els.imagePreview.hidden = !image;
    if (image) {
      els.imagePreview.src = previewUrl;
      els.imagePreview.alt = `Preview of ${image.name || 'the pasted image'}`;
    } else els.imagePreview.removeAttribute('src');
    els.imageName.textContent = image ? `${image.name || 'pasted image'} (${Math.round(image.size / 1024)} KB)` : 'No image chosen';
    els.imageClear.hidden = !image;
    els.csvName.textContent = csv ? `${csv.name} (${Math.round(csv.size / 1024)} KB)` : 'No CSV chosen';
    els.csvClear.hidden = !csv;
    els.dropzone.classList.toggle('has-file', Boolean(image));
    const symbol = els.symbol.value.trim();
    let label = 'Analyze';
    if (image && csv) label = 'Analyze the image with its CSV';
    else if (image) label = 'Analyze the image';
    else if (csv) label = 'Analyze the CSV';
    else if (symbol) label = `Analyze ${symbol} from ${els.source.value}`;
    els.submit.textContent = label;
    onChange?.();
  }

  function clear(input, focusTo) {
    input.value = '';
    refresh();
    focusTo.focus();
  }

  /** Route dropped or pasted files to the right input; returns whether one was taken. */
  function take(files) {
    let taken = false;
    for (const f of files) {
      if (isImage(f)) {
        setFile(els.image, f);
        taken = true;
      } else if (isCsv(f)) {
        setFile(els.csv, f);
        taken = true;
      }
    }
    if (!taken && files.length) els.status.textContent = 'That file is neither a chart image (PNG, JPEG, WebP) nor a CSV.';
    return taken;
  }

  els.image.addEventListener('change', refresh);
  els.csv.addEventListener('change', refresh);
  els.symbol.addEventListener('input', refresh);
  els.source.addEventListener('change', refresh);
  els.imageClear.addEventListener('click', () => clear(els.image, els.image));
  els.csvClear.addEventListener('click', () => clear(els.csv, els.csv));

  // Paste a screenshot anywhere on the page (text pastes into fields are left alone).
  document.addEventListener('paste', (e) => {
    const files = [...(e.clipboardData?.files ?? [])];
    if (files.length === 0) return;
    if (take(files)) {
      e.preventDefault();
      els.status.textContent = 'Image pasted.';
    }
  });
  // Drop files anywhere on the page; the drop zone lights up while a file is dragged over it.
  const dragging = (on) => els.dropzone.classList.toggle('dragover', on);
  document.addEventListener('dragover', (e) => {
    if (![...(e.dataTransfer?.types ?? [])].includes('Files')) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
    dragging(true);
  });
  document.addEventListener('dragleave', (e) => {
    if (e.relatedTarget === null) dragging(false);
  });
  document.addEventListener('drop', (e) => {
    dragging(false);
    const files = [...(e.dataTransfer?.files ?? [])];
    if (files.length === 0) return;
    e.preventDefault();
    take(files);
  });

  refresh();

  return {
    els,
    /** The form as a request, or a FormError saying what is missing. */
    read() {
      const image = file(els.image);
      const csv = file(els.csv);
      const symbol = els.symbol.value.trim();
      const lines = els.news.value.split('\n').map((l) => l.trim()).filter(Boolean);
      if (lines.length > MAX_NEWS) throw new FormError(`At most ${MAX_NEWS} news headlines, one per line (there are ${lines.length}).`, els.news);
      const common = { symbol: symbol || null, timeframe: els.timeframe.value, headlines: lines, analyzer: els.analyzer.value || null };
      if (image || csv) return { kind: 'files', image, csv, ...common };
      if (!symbol) throw new FormError('Choose a chart image or a CSV file, or type a ticker symbol.', els.symbol);
      return { kind: 'ticker', source: els.source.value, ...common };
    },
    /** Fill the form from a deep link; returns whether it names a ticker to run. */
    applyQuery(params) {
      const symbol = params.get('symbol')?.trim();
      if (!symbol) return false;
      els.symbol.value = symbol;
      const timeframe = params.get('timeframe')?.trim();
      if (timeframe) choose(els.timeframe, timeframe);
      const source = params.get('source')?.trim();
      if (source) choose(els.source, source);
      const analyzer = params.get('analyzer')?.trim();
      if (analyzer) choose(els.analyzer, analyzer);
      refresh();
      return true;
    },
    setBusy(busy, text = '') {
      els.submit.disabled = busy;
      els.form.setAttribute('aria-busy', String(busy));
      els.status.textContent = text;
    },
  };
}
