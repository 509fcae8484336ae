import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { discoverInputs, type FolderInput, readInput } from '../../src/adapters/files/folder-inputs.ts';
import { candleSlice, chartBytes, csvSlice, newsJson, type TempFolder, tempFolder } from '../helpers/score-fixtures.ts';

const folders: TempFolder[] = [];
async function folder(files: Record<string, string | Buffer> = {}): Promise<TempFolder> {
  const f = await tempFolder(files);
  folders.push(f);
  return f;
}
afterEach(async () => {
  await Promise.all(folders.splice(0).map((f) => f.cleanup()));
});

const byFile = (inputs: FolderInput[]): Record<string, FolderInput> => Object.fromEntries(inputs.map((i) => [i.file, i]));
const names = (inputs: FolderInput[]): string[] => inputs.map((i) => i.file);

describe('discoverInputs: pairing', () => {
  test('when an image, a csv and a news file share a base name, then they are one input with all three', async () => {
    const f = await folder({ 'chart.png': await chartBytes(), 'chart.csv': csvSlice(0), 'chart.news.json': newsJson() });
    const { inputs } = await discoverInputs(f.dir, { recursive: false });
    assert.deepEqual(inputs, [{ file: 'chart.png', image: 'chart.png', data: 'chart.csv', news: 'chart.news.json' }]);
    const bytes = await readInput(f.dir, inputs[0]);
    assert.ok(bytes.image?.equals(await chartBytes()));
    assert.equal(bytes.data?.toString('utf8'), csvSlice(0));
    assert.equal(bytes.news?.toString('utf8'), newsJson());
  });

  test('when a csv has no image beside it, then it is an input of its own named after the csv', async () => {
    const f = await folder({ 'only.csv': csvSlice(0), 'other.png': await chartBytes() });
    const { inputs } = await discoverInputs(f.dir, { recursive: false });
    assert.deepEqual(byFile(inputs)['only.csv'], { file: 'only.csv', data: 'only.csv' });
  });

  test('when an image has no data beside it, then it is an image-only input', async () => {
    const f = await folder({ 'pic.jpg': await chartBytes('sp500-2020-ohlc.jpg'), 'pic2.webp': await chartBytes('sp500-2020-webp.webp') });
    const { inputs } = await discoverInputs(f.dir, { recursive: false });
    assert.deepEqual(inputs, [
      { file: 'pic.jpg', image: 'pic.jpg' },
      { file: 'pic2.webp', image: 'pic2.webp' },
    ]);
  });

  test('when the data is .json (a bare array or {candles}), then each is a data input and an image pairs with it', async () => {
    const f = await folder({
      'arr.json': JSON.stringify(candleSlice(0)),
      'obj.json': JSON.stringify({ candles: candleSlice(200) }),
      'obj.png': await chartBytes(),
    });
    const { inputs } = await discoverInputs(f.dir, { recursive: false });
    assert.deepEqual(inputs, [
      { file: 'arr.json', data: 'arr.json' },
      { file: 'obj.png', image: 'obj.png', data: 'obj.json' },
    ]);
  });

  test('when a news file sits beside a json data file, then it is the news and not a second data file', async () => {
    const f = await folder({ 'x.json': JSON.stringify(candleSlice(0)), 'x.news.json': newsJson() });
    const { inputs } = await discoverInputs(f.dir, { recursive: false });
    assert.deepEqual(inputs, [{ file: 'x.json', data: 'x.json', news: 'x.news.json' }]);
  });

  test('when two data files share a base name, then the input carries an ambiguous_input problem', async () => {
    const f = await folder({ 'two.csv': csvSlice(0), 'two.json': JSON.stringify(candleSlice(0)) });
    const { inputs } = await discoverInputs(f.dir, { recursive: false });
    assert.equal(inputs.length, 1);
    assert.equal(inputs[0].problem?.code, 'ambiguous_input');
    assert.match(inputs[0].problem?.message ?? '', /two\.csv.*two\.json/);
  });

  test('when two images share a base name, then the input carries an ambiguous_input problem', async () => {
    const f = await folder({ 'a.png': await chartBytes(), 'a.jpg': await chartBytes('sp500-2020-ohlc.jpg') });
    const { inputs } = await discoverInputs(f.dir, { recursive: false });
    assert.equal(inputs.length, 1);
    assert.equal(inputs[0].problem?.code, 'ambiguous_input');
  });

  test('when a news file has no image or data of its base name, then it is an orphan_news problem', async () => {
    const f = await folder({ 'lonely.news.json': newsJson(), 'chart.csv': csvSlice(0) });
    const { inputs } = await discoverInputs(f.dir, { recursive: false });
    assert.deepEqual(byFile(inputs)['lonely.news.json'].problem?.code, 'orphan_news');
    assert.deepEqual(byFile(inputs)['chart.csv'], { file: 'chart.csv', data: 'chart.csv' });
  });

  test('when the samples folder is discovered, then every file is an input or skipped documentation, and the light chart carries its news', async () => {
    const { inputs, skippedFiles } = await discoverInputs(fileURLToPath(new URL('../../samples/', import.meta.url)), { recursive: true });
    assert.deepEqual(inputs.filter((i) => i.problem).map((i) => i.file), [], 'no failures');
    assert.deepEqual([...skippedFiles].sort(), ['NOTICE.md', 'README.md']);
    const light = inputs.find((i) => i.file === 'charts/sp500-2020-light.png');
    assert.equal(light?.news, 'charts/sp500-2020-light.news.json');
    assert.deepEqual(inputs.map((i) => i.file).sort(), ['charts/sp500-2020-dark-marks.png', 'charts/sp500-2020-light.png', 'charts/sp500-2020-ohlc.jpg', 'charts/sp500-2020-webp.webp', 'sp500.csv']);
  });

  test('when README, NOTICE, LICENSE and notes.txt sit beside the charts, then they are skipped, neither inputs nor failures', async () => {
    const f = await folder({ 'README.md': '# charts', NOTICE: 'x', 'LICENSE.txt': 'x', 'notes.txt': 'x', 'ok.csv': csvSlice(0) });
    const { inputs, skippedFiles } = await discoverInputs(f.dir, { recursive: false });
    assert.deepEqual(names(inputs), ['ok.csv']);
    assert.deepEqual([...skippedFiles].sort(), ['LICENSE.txt', 'NOTICE', 'README.md', 'notes.txt']);
  });

  test('when a file is .xlsx or .gif, then it is listed with an unsupported_file problem', async () => {
    const f = await folder({ 'sheet.xlsx': 'hello', 'anim.gif': Buffer.from('GIF89a'), 'ok.csv': csvSlice(0) });
    const { inputs } = await discoverInputs(f.dir, { recursive: false });
    assert.deepEqual(names(inputs), ['anim.gif', 'ok.csv', 'sheet.xlsx']);
    assert.equal(byFile(inputs)['sheet.xlsx'].problem?.code, 'unsupported_file');
    assert.equal(byFile(inputs)['anim.gif'].problem?.code, 'unsupported_file');
    assert.equal(byFile(inputs)['ok.csv'].problem, undefined);
  });

  test('when extensions are upper case, then they are still recognised', async () => {
    const f = await folder({ 'UP.PNG': await chartBytes(), 'UP.CSV': csvSlice(0) });
    const { inputs } = await discoverInputs(f.dir, { recursive: false });
    assert.deepEqual(inputs, [{ file: 'UP.PNG', image: 'UP.PNG', data: 'UP.CSV' }]);
  });
});

describe('discoverInputs: what is left out', () => {
  test('when files or folders are hidden, then they are ignored', async () => {
    const f = await folder({ '.DS_Store': 'x', '.hidden.csv': csvSlice(0), '.git/config.csv': csvSlice(0), 'seen.csv': csvSlice(0) });
    const { inputs } = await discoverInputs(f.dir, { recursive: true });
    assert.deepEqual(names(inputs), ['seen.csv']);
  });

  test('when the results file is in the folder, then it is excluded', async () => {
    const f = await folder({ 'a.csv': csvSlice(0), 'chartlens-results.jsonl': '', 'chartlens-results.csv': 'file,sha256\n' });
    const { inputs } = await discoverInputs(f.dir, {
      recursive: false,
      exclude: [join(f.dir, 'chartlens-results.jsonl'), join(f.dir, 'chartlens-results.csv')],
    });
    assert.deepEqual(names(inputs), ['a.csv']);
  });

  test('when the folder is given as a relative path, then the results file (given absolute) is still excluded', async () => {
    const f = await folder({ 'a.csv': csvSlice(0), 'chartlens-results.csv': 'file,sha256\n' });
    const rel = relative(process.cwd(), f.dir);
    const { inputs } = await discoverInputs(rel, { recursive: false, exclude: [join(f.dir, 'chartlens-results.csv')] });
    assert.deepEqual(names(inputs), ['a.csv']);
  });

  test('when not recursive, then subfolders are not entered; when recursive, then they are and pair only within their folder', async () => {
    const f = await folder({ 'a.csv': csvSlice(0), 'sub/a.png': await chartBytes(), 'sub/deeper/b.csv': csvSlice(100) });
    const flat = await discoverInputs(f.dir, { recursive: false });
    assert.deepEqual(flat.inputs, [{ file: 'a.csv', data: 'a.csv' }]);
    const deep = await discoverInputs(f.dir, { recursive: true });
    assert.deepEqual(deep.inputs, [
      { file: 'a.csv', data: 'a.csv' },
      { file: join('sub', 'a.png'), image: join('sub', 'a.png') },
      { file: join('sub', 'deeper', 'b.csv'), data: join('sub', 'deeper', 'b.csv') },
    ]);
  });
});

describe('discoverInputs: symlinks', () => {
  test('when a symlink points at a file inside the folder, then it is followed', async () => {
    const f = await folder({ 'real.csv': csvSlice(0) });
    await f.link('alias.csv', 'real.csv');
    const { inputs, skippedLinks } = await discoverInputs(f.dir, { recursive: false });
    assert.deepEqual(names(inputs), ['alias.csv', 'real.csv']);
    assert.deepEqual(skippedLinks, []);
    const bytes = await readInput(f.dir, byFile(inputs)['alias.csv']);
    assert.equal(bytes.data?.toString('utf8'), csvSlice(0));
  });

  test('when a symlink points at a folder inside, then recursion follows it', async () => {
    const f = await folder({ 'sub/x.csv': csvSlice(0) });
    await f.link('zlink', 'sub', 'dir');
    const { inputs, skippedLinks } = await discoverInputs(f.dir, { recursive: true });
    assert.deepEqual(skippedLinks, []);
    // The real folder comes first, so its file is listed once; the link leads to a folder already walked.
    assert.deepEqual(names(inputs), [join('sub', 'x.csv')]);
  });

  test('when symlinks point at a file or a folder outside, then they are not followed and are listed in skippedLinks', async () => {
    const f = await folder({ 'inside.csv': csvSlice(0) });
    const secret = await f.writeOutside('secret.csv', csvSlice(50));
    await f.writeOutside('dir/more.csv', csvSlice(80));
    await f.link('out-file.csv', secret);
    await f.link('out-rel.csv', '../outside/secret.csv');
    await f.link('out-dir', f.outside, 'dir');
    await f.link('dangling.csv', join(f.root, 'nope.csv'));
    for (const recursive of [false, true]) {
      const { inputs, skippedLinks } = await discoverInputs(f.dir, { recursive });
      assert.deepEqual(names(inputs), ['inside.csv'], `recursive ${recursive}`);
      assert.deepEqual([...skippedLinks].sort(), ['dangling.csv', 'out-dir', 'out-file.csv', 'out-rel.csv'], `recursive ${recursive}`);
    }
  });

  test('when a folder symlink loops back (to the root and to itself), then discovery ends and lists each file once', { timeout: 10_000 }, async () => {
    const f = await folder({ 'top.csv': csvSlice(0), 'sub/inner.csv': csvSlice(100) });
    await f.link('sub/up', '..', 'dir');
    await f.link('sub/self', '.', 'dir');
    await f.link('sub/abs-root', f.dir, 'dir');
    const { inputs, skippedLinks } = await discoverInputs(f.dir, { recursive: true });
    assert.deepEqual(names(inputs), [join('sub', 'inner.csv'), 'top.csv']);
    assert.deepEqual(skippedLinks, []);
  });

  test('when the folder is relative and a folder symlink loops to itself, then each file is still listed once', { timeout: 10_000 }, async () => {
    const f = await folder({ 'sub/inner.csv': csvSlice(100) });
    await f.link('sub/self', '.', 'dir');
    const { inputs } = await discoverInputs(relative(process.cwd(), f.dir), { recursive: true });
    assert.deepEqual(names(inputs), [join('sub', 'inner.csv')]);
  });
});

describe('readInput: sha256', () => {
  test('when any file of an input changes (image, data or news), then its sha256 changes; unchanged, it is stable', async () => {
    const f = await folder({ 'c.png': await chartBytes(), 'c.csv': csvSlice(0), 'c.news.json': newsJson() });
    const [input] = (await discoverInputs(f.dir, { recursive: false })).inputs;
    const sha = async (): Promise<string> => (await readInput(f.dir, input)).sha256;
    const first = await sha();
    assert.match(first, /^[0-9a-f]{64}$/);
    assert.equal(await sha(), first, 'same bytes, same sha256');
    const seen = new Set([first]);
    await writeFile(join(f.dir, 'c.news.json'), newsJson('Another headline'));
    seen.add(await sha());
    await writeFile(join(f.dir, 'c.csv'), csvSlice(1));
    seen.add(await sha());
    await writeFile(join(f.dir, 'c.png'), await chartBytes('sp500-2020-dark-marks.png'));
    seen.add(await sha());
    assert.equal(seen.size, 4, 'every change gives a new sha256');
  });

  test('when the same bytes are moved from the data slot to the news slot, then the sha256 differs', async () => {
    const f = await folder({ 'a.csv': csvSlice(0) });
    const asData = await readInput(f.dir, { file: 'a.csv', data: 'a.csv' });
    const asNews = await readInput(f.dir, { file: 'a.csv', news: 'a.csv' });
    assert.notEqual(asData.sha256, asNews.sha256);
  });
});

describe('discoverInputs: results files of earlier runs', () => {
  test('when chartlens-results files of any format lie in the folder, then none of them is an input', async () => {
    const f = await folder({ 'a.csv': csvSlice(0), 'chartlens-results.csv': 'file,sha256,ok\n', 'chartlens-results.jsonl': '' });
    const { inputs } = await discoverInputs(f.dir, { recursive: false });
    assert.deepEqual(names(inputs), ['a.csv']);
  });
});
