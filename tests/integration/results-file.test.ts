import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CSV_COLUMNS, ResultsFile } from '../../src/adapters/files/results-file.ts';
import { type ResultLine } from '../../src/core/evaluation/score-result.ts';
import type { Analysis } from '../../src/core/analysis/analysis.ts';
import { parseCsvRecords } from '../../src/core/market/csv.ts';
import { type TempFolder, tempFolder } from '../helpers/score-fixtures.ts';

let tmp: TempFolder;
let n = 0;
before(async () => {
  tmp = await tempFolder();
});
after(async () => {
  await tmp.cleanup();
});
/** A fresh path in the temp folder for each test. */
const path = (ext: string): string => join(tmp.root, `results-${++n}.${ext}`);

const sha = (c: string): string => c.repeat(64);

/** Only the fields the CSV writer reads; enough for a results line. */
function fakeAnalysis(id: string): Analysis {
  return {
    id,
    decision: { action: 'hold', exposure: 0, confidence: 0.5 },
    verification: { status: 'verified', hallucinationRate: 0 },
    provider: { analyzer: 'local-rules', model: null, degraded: false, costUsd: 0, latencyMs: 12 },
  } as unknown as Analysis;
}

const okLine = (file: string, c: string): ResultLine => ({ file, sha256: sha(c), ok: true, analysis: fakeAnalysis(`id-${c}`) });
const errLine = (file: string, c: string, message = 'boom'): ResultLine => ({ file, sha256: sha(c), ok: false, error: { code: 'invalid_csv', message } });

const jsonl = (p: string): ResultLine[] =>
  readFileSync(p, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as ResultLine);

describe('ResultsFile: jsonl', () => {
  test('when lines are appended, then each is on disk as one JSON line at once (before close)', () => {
    const p = path('jsonl');
    const f = ResultsFile.open(p, 'jsonl', 'new');
    f.append(okLine('a.csv', 'a'));
    assert.deepEqual(jsonl(p), [okLine('a.csv', 'a')], 'flushed before the next append');
    f.append(errLine('b.png', 'b'));
    assert.deepEqual(jsonl(p), [okLine('a.csv', 'a'), errLine('b.png', 'b')]);
    f.close();
    assert.ok(readFileSync(p, 'utf8').endsWith('\n'));
  });

  test('when resumed, then done holds the (file, sha256) of every line and new lines are appended after the old', () => {
    const p = path('jsonl');
    const f = ResultsFile.open(p, 'jsonl', 'new');
    f.append(okLine('a.csv', 'a'));
    f.append(errLine('b.png', 'b'));
    f.close();
    const r = ResultsFile.open(p, 'jsonl', 'resume');
    assert.deepEqual([...r.done].sort(), [ResultsFile.key('a.csv', sha('a')), ResultsFile.key('b.png', sha('b'))].sort());
    assert.ok(!r.done.has(ResultsFile.key('a.csv', sha('c'))), 'a changed file (new sha256) is not done');
    r.append(okLine('c.csv', 'c'));
    r.close();
    assert.deepEqual(
      jsonl(p).map((l) => l.file),
      ['a.csv', 'b.png', 'c.csv'],
    );
  });

  test('when the last line was half written, then resume cuts it off, does not count it as done, and the next line starts clean', () => {
    const p = path('jsonl');
    const f = ResultsFile.open(p, 'jsonl', 'new');
    f.append(okLine('a.csv', 'a'));
    f.close();
    const full = JSON.stringify(okLine('b.csv', 'b'));
    appendFileSync(p, full.slice(0, Math.floor(full.length / 2)));
    const r = ResultsFile.open(p, 'jsonl', 'resume');
    assert.deepEqual([...r.done], [ResultsFile.key('a.csv', sha('a'))]);
    assert.equal(readFileSync(p, 'utf8'), `${JSON.stringify(okLine('a.csv', 'a'))}\n`, 'the partial line is gone');
    r.append(okLine('b.csv', 'b'));
    r.close();
    assert.deepEqual(jsonl(p), [okLine('a.csv', 'a'), okLine('b.csv', 'b')]);
  });

  test("when the file exists and the mode is 'new', then open refuses and leaves it untouched", () => {
    const p = path('jsonl');
    writeFileSync(p, 'keep me\n');
    assert.throws(() => ResultsFile.open(p, 'jsonl', 'new'), /already exists.*--resume.*--overwrite/);
    assert.equal(readFileSync(p, 'utf8'), 'keep me\n');
  });

  test("when the mode is 'overwrite', then the old content is gone", () => {
    const p = path('jsonl');
    writeFileSync(p, `${JSON.stringify(okLine('old.csv', 'o'))}\n`);
    const f = ResultsFile.open(p, 'jsonl', 'overwrite');
    assert.equal(f.done.size, 0);
    f.append(okLine('new.csv', 'n'));
    f.close();
    assert.deepEqual(
      jsonl(p).map((l) => l.file),
      ['new.csv'],
    );
  });

  test('when resumed, then inputs whose kept line is a failure are known, so the run can still report them', () => {
    const p = path('jsonl');
    const first = ResultsFile.open(p, 'jsonl', 'new');
    first.append({ file: 'good.csv', sha256: sha('a'), ok: true, analysis: fakeAnalysis('1') });
    first.append({ file: 'bad.png', sha256: sha('b'), ok: false, error: { code: 'invalid_image', message: 'x' } });
    first.close();
    const again = ResultsFile.open(p, 'jsonl', 'resume');
    again.close();
    assert.deepEqual([...again.failedBefore], [ResultsFile.key('bad.png', sha('b'))]);
  });

  test('when resume finds no file, then it starts an empty one', () => {
    const p = path('jsonl');
    const f = ResultsFile.open(p, 'jsonl', 'resume');
    assert.equal(f.done.size, 0);
    f.append(okLine('a.csv', 'a'));
    f.close();
    assert.equal(jsonl(p).length, 1);
  });
});

describe('ResultsFile: csv', () => {
  const records = (p: string): string[][] => parseCsvRecords(readFileSync(p, 'utf8')).map((r) => r.fields);

  test('when rows are appended, then the header comes first, once, and each row has every column', () => {
    const p = path('csv');
    const f = ResultsFile.open(p, 'csv', 'new');
    f.append(okLine('a.csv', 'a'));
    f.append(errLine('b.png', 'b'));
    f.close();
    const recs = records(p);
    assert.deepEqual(recs[0], [...CSV_COLUMNS]);
    assert.equal(recs.length, 3);
    for (const r of recs) assert.equal(r.length, CSV_COLUMNS.length);
    const col = (name: (typeof CSV_COLUMNS)[number]): number => CSV_COLUMNS.indexOf(name);
    assert.deepEqual([recs[1][col('file')], recs[1][col('ok')], recs[1][col('action')], recs[1][col('id')]], ['a.csv', 'true', 'hold', 'id-a']);
    assert.deepEqual([recs[2][col('file')], recs[2][col('ok')], recs[2][col('errorCode')], recs[2][col('errorMessage')]], ['b.png', 'false', 'invalid_csv', 'boom']);
  });

  test('when a csv file is resumed, then the header is not written again and done holds the old rows', () => {
    const p = path('csv');
    const f = ResultsFile.open(p, 'csv', 'new');
    f.append(okLine('a.csv', 'a'));
    f.close();
    const r = ResultsFile.open(p, 'csv', 'resume');
    assert.deepEqual([...r.done], [ResultsFile.key('a.csv', sha('a'))]);
    r.append(okLine('b.csv', 'b'));
    r.close();
    const recs = records(p);
    assert.equal(recs.filter((x) => x[0] === 'file').length, 1, 'one header');
    assert.deepEqual(
      recs.map((x) => x[0]),
      ['file', 'a.csv', 'b.csv'],
    );
  });

  test('when fields hold commas, quotes and newlines, then they round-trip through parseCsvRecords and resume reads the keys', () => {
    const p = path('csv');
    const nasty = 'bad "quoted", line one\nline two\r\nand a CR\r end';
    const file = 'odd, "name"\n.csv';
    const f = ResultsFile.open(p, 'csv', 'new');
    f.append(errLine(file, 'a', nasty));
    f.append(okLine('plain.csv', 'b'));
    f.close();
    const recs = records(p);
    assert.equal(recs.length, 3);
    assert.equal(recs[1][CSV_COLUMNS.indexOf('file')], file);
    assert.equal(recs[1][CSV_COLUMNS.indexOf('errorMessage')], nasty);
    assert.equal(recs[2][0], 'plain.csv');
    const r = ResultsFile.open(p, 'csv', 'resume');
    r.close();
    assert.deepEqual([...r.done].sort(), [ResultsFile.key(file, sha('a')), ResultsFile.key('plain.csv', sha('b'))].sort());
  });

  test('when the last csv row was half written, then resume cuts it off and that input is not done', () => {
    const p = path('csv');
    const f = ResultsFile.open(p, 'csv', 'new');
    f.append(okLine('a.csv', 'a'));
    f.close();
    const before = readFileSync(p, 'utf8');
    appendFileSync(p, `b.csv,${sha('b')},tr`);
    const r = ResultsFile.open(p, 'csv', 'resume');
    assert.deepEqual([...r.done], [ResultsFile.key('a.csv', sha('a'))]);
    assert.equal(readFileSync(p, 'utf8'), before);
    r.append(okLine('b.csv', 'b'));
    r.close();
    assert.deepEqual(
      records(p).map((x) => x[0]),
      ['file', 'a.csv', 'b.csv'],
    );
  });

  test('when the half-written csv row stopped inside a quoted field after a newline, then resume still cuts the whole row', () => {
    const p = path('csv');
    const f = ResultsFile.open(p, 'csv', 'new');
    f.append(okLine('a.csv', 'a'));
    f.close();
    const before = readFileSync(p, 'utf8');
    // The crash hit after the newline inside "line one\nline two": the file now ends in a newline.
    appendFileSync(p, `b.csv,${sha('b')},false,,,,,,,,,,,,invalid_csv,"line one\n`);
    const r = ResultsFile.open(p, 'csv', 'resume');
    assert.deepEqual([...r.done], [ResultsFile.key('a.csv', sha('a'))]);
    assert.equal(readFileSync(p, 'utf8'), before);
    r.append(errLine('b.csv', 'b', 'line one\nline two'));
    r.close();
    const recs = records(p);
    assert.deepEqual(
      recs.map((x) => x[0]),
      ['file', 'a.csv', 'b.csv'],
    );
    assert.equal(recs[2][CSV_COLUMNS.indexOf('errorMessage')], 'line one\nline two');
  });

  test('when only part of the header was written, then resume rewrites the header', () => {
    const p = path('csv');
    writeFileSync(p, 'file,sha2');
    const r = ResultsFile.open(p, 'csv', 'resume');
    r.append(okLine('a.csv', 'a'));
    r.close();
    const recs = records(p);
    assert.deepEqual(recs[0], [...CSV_COLUMNS]);
    assert.deepEqual(
      recs.map((x) => x[0]),
      ['file', 'a.csv'],
    );
  });
});
