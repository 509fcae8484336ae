import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fitPriceAxis, type PriceAxisResult, priceAt } from '../../src/core/digitize/axis-fit.ts';
import type { AxisLabel } from '../../src/core/digitize/types.ts';

/** Labels of a linear axis: `values` printed at rows where price = a*y + b. */
function linearLabels(values: number[], a: number, b: number, format: (v: number) => string = (v) => v.toLocaleString('en-US')): AxisLabel[] {
  return values.map((v) => ({ text: format(v), at: (v - b) / a, confidence: 95 }));
}

/** Labels of a log axis: price = exp(a*y + b). */
function logLabels(values: number[], a: number, b: number): AxisLabel[] {
  return values.map((v) => ({ text: v.toLocaleString('en-US'), at: (Math.log(v) - b) / a, confidence: 95 }));
}

function ok(r: PriceAxisResult): Extract<PriceAxisResult, { ok: true }> {
  assert.ok(r.ok, `the fit failed: ${r.ok ? '' : r.reason}`);
  return r;
}

// The chartlens default chart: 2,000 at row 379, 3,400 at row 87.
const A = -1400 / 292;
const B = 2000 - A * 379;
const TICKS = [3400, 3200, 3000, 2800, 2600, 2400, 2200, 2000];

/** A deterministic jitter in -amp..amp (OCR centre noise). */
function jitter(k: number, amp: number): number {
  return amp * Math.sin(12.9898 * (k + 1) * 78.233);
}

describe('fitPriceAxis on a linear axis', () => {
  test('when eight exact labels are read, then the scale is exact, linear, monotone, with a regular step', () => {
    const r = ok(fitPriceAxis(linearLabels(TICKS, A, B)));
    assert.equal(r.fit.scale, 'linear');
    assert.ok(Math.abs(r.fit.a - A) < 1e-9 && Math.abs(r.fit.b - B) < 1e-6);
    assert.ok(r.fit.maxErrorOfRange < 1e-9);
    assert.equal(r.fit.monotone, true);
    assert.equal(r.fit.labels.length, 8);
    assert.deepEqual(r.fit.rejected, []);
    assert.equal(r.tickStep, 200);
    assert.ok(Math.abs(priceAt(r.fit, 87) - 3400) < 1e-6);
  });

  test('when label centres are off by up to half a pixel, then the fit error stays under 0.2% of the range', () => {
    const labels = linearLabels(TICKS, A, B).map((l, k) => ({ ...l, at: l.at + jitter(k, 0.5) }));
    const r = ok(fitPriceAxis(labels));
    assert.equal(r.fit.scale, 'linear');
    assert.equal(r.fit.labels.length, 8);
    assert.ok(r.fit.maxErrorOfRange <= 0.002, `error ${r.fit.maxErrorOfRange}`);
    assert.ok(r.maxResidualPx <= 0.6);
  });

  test('when one label is misread ("3,400" as "3,100"), then it is rejected as an outlier and the rest fit exactly', () => {
    const labels = linearLabels(TICKS, A, B);
    labels[0] = { ...labels[0], text: '3,100' };
    const r = ok(fitPriceAxis(labels));
    assert.equal(r.fit.labels.length, 7);
    assert.equal(r.fit.rejected.length, 1);
    assert.equal(r.fit.rejected[0].text, '3,100');
    assert.match(r.fit.rejected[0].reason, /^outlier: the scale puts 3400 here$/);
    assert.ok(r.fit.maxErrorOfRange < 1e-9);
    assert.equal(r.fit.monotone, true);
  });

  test('when a digit is misread in the middle ("2,600" as "2,500"), then it is rejected', () => {
    const labels = linearLabels(TICKS, A, B);
    labels[4] = { ...labels[4], text: '2,500' };
    const r = ok(fitPriceAxis(labels));
    assert.deepEqual(
      r.fit.rejected.map((x) => x.text),
      ['2,500'],
    );
  });

  test('when junk and stray numbers are read with the labels, then they are rejected with reasons', () => {
    const labels = [
      ...linearLabels(TICKS, A, B),
      { text: 'SMA20', at: 40, confidence: 90 },
      { text: '9.0B', at: 414, confidence: 90 },
      { text: '5.0B', at: 439, confidence: 90 },
      { text: '0', at: 470, confidence: 90 },
      { text: '2,800', at: 150, confidence: 5 },
    ];
    const r = ok(fitPriceAxis(labels));
    assert.equal(r.fit.labels.length, 8);
    assert.ok(r.fit.maxErrorOfRange < 1e-9);
    const reasons = Object.fromEntries(r.fit.rejected.map((x) => [x.text === '2,800' ? 'low' : x.text, x.reason]));
    assert.match(reasons.SMA20, /^unreadable/);
    assert.match(reasons['9.0B'], /^outlier/);
    assert.match(reasons['0'], /^outlier/);
    assert.match(reasons.low, /^low OCR confidence/);
  });

  test('when only three labels are read and one is misread, then the round tick step decides', () => {
    const labels = linearLabels([3000, 3200, 3400], A, B);
    labels[1] = { ...labels[1], text: '3,700' };
    const r = ok(fitPriceAxis(labels));
    assert.deepEqual(
      r.fit.labels.map((l) => l.value),
      [3400, 3000],
    );
    assert.deepEqual(
      r.fit.rejected.map((x) => x.text),
      ['3,700'],
    );
  });

  test('when a label is missing from a regular set, then the tick step still shows', () => {
    const r = ok(fitPriceAxis(linearLabels([3400, 3200, 2800, 2600, 2400], A, B)));
    assert.equal(r.tickStep, 200);
  });

  test('when the labels are not evenly spaced in value, then there is no tick step', () => {
    const r = ok(fitPriceAxis(linearLabels([3400, 3300, 3000, 2950], A, B)));
    assert.equal(r.tickStep, null);
    assert.ok(r.fit.maxErrorOfRange < 1e-9);
  });

  test('when the range is narrow, then the linear scale wins over an almost equally good log one', () => {
    const a = -0.01;
    const r = ok(fitPriceAxis(linearLabels([101.5, 101, 100.5, 100, 99.5], a, 103, (v) => v.toFixed(2))));
    assert.equal(r.fit.scale, 'linear');
  });

  test('when the visible span is given, then maxErrorOfRange is relative to the prices at its ends', () => {
    const labels = linearLabels([3000, 2800, 2600], A, B);
    labels[1] = { ...labels[1], at: labels[1].at + 0.5 };
    const own = ok(fitPriceAxis(labels));
    const pane = ok(fitPriceAxis(labels, { span: { top: 66, bottom: 400 } }));
    assert.ok(pane.fit.maxErrorOfRange < own.fit.maxErrorOfRange);
  });

  test('when European labels are read, then the decimal comma is understood', () => {
    const labels = linearLabels([1.25, 1.2, 1.15, 1.1], -0.001, 1.3, (v) => v.toFixed(2).replace('.', ','));
    const r = ok(fitPriceAxis(labels));
    assert.deepEqual(
      r.fit.labels.map((l) => l.value),
      [1.25, 1.2, 1.15, 1.1],
    );
  });

  test('when a percent axis is read, then a lone plain number is rejected as another unit', () => {
    const labels = [...linearLabels([20, 10, 0, -10], -0.1, 30, (v) => `${v}%`), { text: '15', at: 150, confidence: 90 }];
    const r = ok(fitPriceAxis(labels));
    assert.equal(r.fit.labels.length, 4);
    assert.match(r.fit.rejected[0].reason, /unit differs/);
    assert.equal(r.fit.scale, 'linear'); // negative values: no log candidate
  });
});

describe('fitPriceAxis on a log axis', () => {
  test('when labels follow a log scale, then the log scale is chosen and fits', () => {
    const a = -0.01;
    const b = Math.log(10000) + 0.01 * 50; // 10,000 at row 50
    const values = [10000, 5000, 2000, 1000, 500, 200, 100];
    const r = ok(fitPriceAxis(logLabels(values, a, b)));
    assert.equal(r.fit.scale, 'log');
    assert.ok(Math.abs(r.fit.a - a) < 1e-9);
    assert.ok(r.fit.maxErrorOfRange < 1e-9);
    assert.equal(r.fit.monotone, true);
    assert.ok(Math.abs(priceAt(r.fit, 50) - 10000) < 1e-6);
    assert.equal(r.tickStep, null); // 1-2-5 ticks are not evenly spaced on a log axis
  });

  test('when log labels are powers of ten, then the step is the ratio 10', () => {
    const r = ok(fitPriceAxis(logLabels([1000, 100, 10, 1], -0.02, Math.log(1000) + 0.02 * 20)));
    assert.equal(r.fit.scale, 'log');
    assert.equal(r.tickStep, 10);
  });

  test('when a log axis has a misread label and jitter, then the outlier goes and the log fit stays within 0.2%', () => {
    const a = -0.004;
    const b = Math.log(3500) + 0.004 * 60;
    const labels = logLabels([3000, 2500, 2000, 1500, 1000, 700], a, b).map((l, k) => ({ ...l, at: l.at + jitter(k, 0.4) }));
    labels[2] = { ...labels[2], text: '2,900' };
    const r = ok(fitPriceAxis(labels));
    assert.equal(r.fit.scale, 'log');
    assert.deepEqual(
      r.fit.rejected.map((x) => x.text),
      ['2,900'],
    );
    assert.ok(r.fit.maxErrorOfRange <= 0.002, `error ${r.fit.maxErrorOfRange}`);
  });

  test('when a linear axis spans a wide range, then the linear scale is kept', () => {
    const r = ok(fitPriceAxis(linearLabels([10000, 8000, 6000, 4000, 2000, 0], -20, 12000)));
    assert.equal(r.fit.scale, 'linear');
    const r2 = ok(fitPriceAxis(linearLabels([10000, 8000, 6000, 4000, 2000], -20, 12000)));
    assert.equal(r2.fit.scale, 'linear');
  });
});

describe('fitPriceAxis flags what cannot be a price scale', () => {
  test('when the values do not fall as y grows, then the fit is flagged not monotone', () => {
    const labels: AxisLabel[] = [3000, 2000, 3400, 2200, 2800, 2600].map((v, k) => ({ text: String(v), at: 50 + 40 * k, confidence: 95 }));
    const r = ok(fitPriceAxis(labels));
    assert.equal(r.fit.monotone, false);
  });

  test('when the axis is upside down (values grow with y), then it is flagged not monotone', () => {
    const labels: AxisLabel[] = [100, 200, 300, 400].map((v, k) => ({ text: String(v), at: 50 + 40 * k, confidence: 95 }));
    const r = ok(fitPriceAxis(labels));
    assert.ok(r.fit.a > 0);
    assert.equal(r.fit.monotone, false);
  });

  test('when fewer than two labels read as numbers, then there is no fit, with the rejections', () => {
    const r = fitPriceAxis([
      { text: '3,400', at: 87, confidence: 95 },
      { text: 'abc', at: 129, confidence: 95 },
    ]);
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.match(r.reason, /a scale needs two/);
      assert.equal(r.rejected.length, 1);
    }
    assert.equal(fitPriceAxis([]).ok, false);
  });

  test('when every label reads the same value, then no two labels agree on a scale', () => {
    const r = fitPriceAxis([
      { text: '100', at: 10, confidence: 95 },
      { text: '100', at: 50, confidence: 95 },
    ]);
    assert.equal(r.ok, false);
  });
});
