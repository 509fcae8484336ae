import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  inferDecimalMark,
  type OcrText,
  parseLabelNumber,
  priceAxisLabels,
  tightenLabelStrip,
  TIME_LABEL_WHITELIST,
  timeAxisLabels,
} from '../../src/core/digitize/axis-labels.ts';
import type { RgbaImage } from '../../src/core/digitize/types.ts';

function value(text: string, mark?: '.' | ','): number | null {
  const r = parseLabelNumber(text, mark);
  return r.ok ? r.value : null;
}

describe('parseLabelNumber', () => {
  const table: [string, number][] = [
    ['0', 0],
    ['3400', 3400],
    ['3,400', 3400],
    ['1,234.50', 1234.5],
    ['1,234,567', 1234567],
    ['1,234,567.25', 1234567.25],
    ['1.234,50', 1234.5],
    ['1.234.567', 1234567],
    ['1.234.567,5', 1234567.5],
    ['2,5', 2.5],
    ['12,75', 12.75],
    ['3,40', 3.4],
    ['0,250', 0.25],
    ['0.250', 0.25],
    ['1234.567', 1234.567],
    ['.5', 0.5],
    ['1 234', 1234],
    ['1 234,5', 1234.5],
    ['1\u202f234.5', 1234.5],
    ["1'234.50", 1234.5],
    ['2.5k', 2500],
    ['2.3k', 2300],
    ['2.5 K', 2500],
    ['1.2M', 1_200_000],
    ['5.0B', 5e9],
    ['1.5bn', 1.5e9],
    ['$3,000', 3000],
    ['$ 3,000', 3000],
    ['3,000 $', 3000],
    ['€1.234,50', 1234.5],
    ['£12.5', 12.5],
    ['12%', 12],
    ['-12.5%', -12.5],
    ['−5', -5],
    ['–5', -5],
    ['- 5', -5],
    ['+5', 5],
    ['-$5', -5],
    ['$-5', -5],
    ['(5)', -5],
    ['(1,250.00)', -1250],
    ['0.00012', 0.00012],
    ['1.0850', 1.085],
    ['3,400.', 3400],
    // OCR confusions, fixed when the rest is digits
    ['3,4O0', 3400],
    ['O.5', 0.5],
    ['l,200', 1200],
    ['1I0', 110],
    ['S00', 500],
    ['2,S00', 2500],
    ['|00', 100],
    ['2.Sk', 2500],
  ];
  for (const [text, want] of table) {
    test(`when the label is ${JSON.stringify(text)}, then it reads as ${want}`, () => {
      assert.equal(value(text), want);
    });
  }

  const junk = ['', ' ', 'abc', 'SPX', 'SO', 'O', 'l', '34,00,0', '1,2,3', '1..5', '1.2.3,4,5', '--5', '+-5', '$$5', '5$5', '3400 3200', '12a', 'k', 'M5', '%', '1,234.5.6', '(−5)x', '2020-03', '15:30', '−', '1 23'];
  for (const text of junk) {
    test(`when the label is ${JSON.stringify(text)}, then it is rejected with a reason`, () => {
      const r = parseLabelNumber(text);
      assert.equal(r.ok, false, `read ${JSON.stringify(r)}`);
      if (!r.ok) assert.ok(r.reason.length > 0);
    });
  }

  test('when a label is "1,234" or "1.234", then the axis decimal mark decides', () => {
    assert.equal(value('1,234'), 1234);
    assert.equal(value('1,234', '.'), 1234);
    assert.equal(value('1,234', ','), 1.234);
    assert.equal(value('1.234'), 1.234);
    assert.equal(value('1.234', ','), 1234);
  });

  test('when the text proves its decimal mark, then the parse says which', () => {
    const mark = (t: string): string | null => {
      const r = parseLabelNumber(t);
      return r.ok ? r.mark : 'fail';
    };
    assert.equal(mark('1.234,50'), ',');
    assert.equal(mark('2,5'), ',');
    assert.equal(mark('1.234.567'), ',');
    assert.equal(mark('1,234.50'), '.');
    assert.equal(mark('1,234,567'), '.');
    assert.equal(mark('2.5'), '.');
    assert.equal(mark('1,234'), null);
    assert.equal(mark('3400'), null);
  });

  test('when a percent sign is printed, then the parse flags it and keeps the printed value', () => {
    const r = parseLabelNumber('12.5%');
    assert.ok(r.ok);
    assert.equal(r.percent, true);
    assert.equal(r.value, 12.5);
  });
});

describe('inferDecimalMark', () => {
  test('when European labels prove a decimal comma, then "1.234" style labels on the same axis are thousands', () => {
    const texts = ['1.200', '1.250,5', '1.300', '1.350'];
    assert.equal(inferDecimalMark(texts), ',');
    assert.deepEqual(
      texts.map((t) => value(t, inferDecimalMark(texts))),
      [1200, 1250.5, 1300, 1350],
    );
  });

  test('when labels are ambiguous or English, then the mark is "."', () => {
    assert.equal(inferDecimalMark(['1,200', '1,400', '1,600']), '.');
    assert.equal(inferDecimalMark(['1,200.5', '1,400', '2,5']), '.');
    assert.equal(inferDecimalMark([]), '.');
  });
});

const word = (text: string, x0: number, y0: number, x1: number, y1: number, confidence = 95): OcrText => ({ text, confidence, box: { x0, y0, x1, y1 } });

describe('priceAxisLabels', () => {
  test('when words are read in a strip, then each label sits at the centre row of its box in image coordinates', () => {
    const labels = priceAxisLabels([word('3,200', 2, 50, 30, 60), word('3,400', 2, 10, 30, 20, 90)], { left: 900, top: 100 });
    assert.deepEqual(labels, [
      { text: '3,400', at: 100 + 15 - 0.5, confidence: 90 },
      { text: '3,200', at: 100 + 55 - 0.5, confidence: 95 },
    ]);
  });

  test('when a currency sign is read as its own word on the same row, then it joins the number', () => {
    const labels = priceAxisLabels([word('3,000', 12, 10, 40, 20), word('$', 2, 10, 9, 20, 80), word('2,000', 12, 60, 40, 70)], { left: 0, top: 0 });
    assert.deepEqual(
      labels.map((l) => [l.text, l.confidence]),
      [
        ['$ 3,000', 80],
        ['2,000', 95],
      ],
    );
  });

  test('when two labels are stacked closely, then they stay two labels', () => {
    const labels = priceAxisLabels([word('101', 2, 0, 20, 10), word('100', 2, 12, 20, 22)], { left: 0, top: 0 });
    assert.equal(labels.length, 2);
  });

  test('when the OCR returns empty or degenerate words, then they are dropped', () => {
    assert.deepEqual(priceAxisLabels([word(' ', 0, 0, 5, 5), word('5', 3, 3, 3, 9)], { left: 0, top: 0 }), []);
  });
});

describe('timeAxisLabels', () => {
  test('when labels are far apart on one row, then each is one label at its centre column', () => {
    const labels = timeAxisLabels([word('2019-10-11', 130, 6, 190, 15), word('2019-09-13', 4, 6, 64, 15)], { left: 10, top: 490 });
    assert.deepEqual(
      labels.map((l) => [l.text, l.at]),
      [
        ['2019-09-13', 10 + 34 - 0.5],
        ['2019-10-11', 10 + 160 - 0.5],
      ],
    );
  });

  test('when a month and a year are words of one label, or stacked on two rows, then they join', () => {
    const labels = timeAxisLabels(
      [word('Mar', 100, 0, 118, 10), word('2020', 122, 0, 146, 10), word('Apr', 300, 0, 318, 10), word('2020', 297, 13, 321, 23)],
      { left: 0, top: 0 },
    );
    assert.deepEqual(
      labels.map((l) => l.text),
      ['Mar 2020', 'Apr 2020'],
    );
  });

  test('the time whitelist holds digits, separators and month-name letters, each once', () => {
    for (const c of "0123456789-:/'JFMASONDaceglnoprtuvy") assert.ok(TIME_LABEL_WHITELIST.includes(c), c);
    assert.equal(new Set(TIME_LABEL_WHITELIST).size, TIME_LABEL_WHITELIST.length);
  });
});

function canvas(width: number, height: number, bg: [number, number, number]): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set([...bg, 255], i * 4);
  return { width, height, data };
}

function fill(img: RgbaImage, x0: number, y0: number, x1: number, y1: number, rgb: [number, number, number]): void {
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) img.data.set([...rgb, 255], (y * img.width + x) * 4);
}

describe('tightenLabelStrip', () => {
  test('when a right-hand strip has tick marks by the plot and text further out, then it keeps the text only', () => {
    const img = canvas(100, 60, [255, 255, 255]);
    fill(img, 50, 10, 54, 11, [0, 0, 0]); // tick marks touching the plot edge at x = 50
    fill(img, 50, 40, 54, 41, [0, 0, 0]);
    fill(img, 60, 6, 80, 15, [20, 20, 20]); // labels
    fill(img, 62, 36, 80, 45, [20, 20, 20]);
    assert.deepEqual(tightenLabelStrip(img, { left: 50, top: 0, right: 100, bottom: 60 }, 'left'), { left: 58, top: 4, right: 82, bottom: 47 });
  });

  test('when the theme is dark, then light text is the ink', () => {
    const img = canvas(40, 30, [16, 20, 32]);
    fill(img, 10, 10, 30, 18, [220, 220, 220]);
    assert.deepEqual(tightenLabelStrip(img, { left: 0, top: 0, right: 40, bottom: 30 }, 'right', 0), { left: 10, top: 10, right: 30, bottom: 18 });
  });

  test('when a strip under the plot has ticks hanging from it, then it keeps the label rows', () => {
    const img = canvas(200, 30, [255, 255, 255]);
    fill(img, 40, 0, 41, 5, [0, 0, 0]);
    fill(img, 30, 10, 52, 19, [0, 0, 0]);
    assert.deepEqual(tightenLabelStrip(img, { left: 0, top: 0, right: 200, bottom: 30 }, 'top', 1), { left: 29, top: 9, right: 53, bottom: 20 });
  });

  test('when the strip is blank or outside the image, then there is no text', () => {
    const img = canvas(20, 20, [255, 255, 255]);
    assert.equal(tightenLabelStrip(img, { left: 0, top: 0, right: 20, bottom: 20 }, 'left'), null);
    assert.equal(tightenLabelStrip(img, { left: 30, top: 0, right: 40, bottom: 20 }, 'left'), null);
  });
});
