/**
 * The chartlens CLI as users meet it: help, version, typos, usage errors, file errors, and --last
 * meaning exactly the API's chart.last. Every run is in this process (src/entry/cli/main.ts `run`).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import type { Analysis } from '../../src/core/analysis/analysis.ts';
import type { Command } from '../../src/entry/cli/command.ts';
import { describeFailure, readError } from '../../src/entry/cli/failure.ts';
import { COMMANDS } from '../../src/entry/cli/registry.ts';
import { runCaptured } from '../../src/entry/cli/run-captured.ts';
import { editDistance, nearest } from '../../src/entry/cli/suggest.ts';
import type { FactsResponse } from '../../src/use-cases/compute-facts.ts';
import { type AnalysisApp, openMemoryStore, startAnalysisApp } from '../helpers/analysis-app.ts';
import { httpApp } from '../helpers/http-app.ts';
import { SAMPLE_CSV_PATH } from '../helpers/sample-data.ts';

const SLOW = { timeout: 60_000 };
const PKG = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
const SAMPLE = readFileSync(SAMPLE_CSV_PATH, 'utf8');
const work = mkdtempSync(join(tmpdir(), 'chartlens-cli-help-'));
const ENV = { CHARTLENS_DATA_DIR: ':memory:', CHARTLENS_LOG: 'silent' };
after(() => rmSync(work, { recursive: true, force: true }));

const cli = (...argv: string[]) => runCaptured(argv, ENV);
const show = (r: { code: number; stdout: string; stderr: string }): string => `exit ${r.code}\nstdout:\n${r.stdout.slice(0, 1500)}\nstderr:\n${r.stderr}`;

/** The sample's header plus its last `n` data rows: what the CLI used to compute from on --last n. */
function lastRows(n: number): string {
  const lines = SAMPLE.trimEnd().split('\n');
  return [lines[0], ...lines.slice(1).slice(-n)].join('\n');
}

let commands: Command[];
before(async () => {
  commands = await Promise.all(COMMANDS.map((c) => c.load()));
});

describe('chartlens help and --version', () => {
  test('when a command is given --help, -h or is asked about with help, then each prints the same help listing every option with its default, exit 0', async () => {
    for (const command of commands) {
      const long = await cli(command.name, '--help');
      const short = await cli(command.name, '-h');
      const viaHelp = await cli('help', command.name);
      for (const r of [long, short, viaHelp]) {
        assert.equal(r.code, 0, `${command.name}: ${show(r)}`);
        assert.equal(r.stderr, '');
      }
      assert.equal(short.stdout, long.stdout, command.name);
      assert.equal(viaHelp.stdout, long.stdout, command.name);
      assert.ok(long.stdout.includes(`usage: ${command.usage}`), `${command.name} shows its usage`);
      for (const [name, spec] of Object.entries(command.options)) {
        const line = long.stdout.split('\n').find((l) => l.trimStart().startsWith(`--${name}`));
        assert.ok(line, `${command.name} --help lists --${name}:\n${long.stdout}`);
        assert.match(line, spec.required ? /\(required\)$/ : /\(default: .+\)$/, `${command.name} --${name} shows its default`);
        if (spec.default !== undefined) assert.ok(line.endsWith(`(default: ${spec.default})`), line);
      }
      assert.match(long.stdout, /-h, --help/);
    }
  });

  test('when score is asked for help, then --allow-degraded is documented with the exit code it changes', async () => {
    const r = await cli('score', '--help');
    assert.match(r.stdout, /--allow-degraded +exit 0 even when some answers are degraded/);
    assert.match(r.stdout, /2 some inputs failed .* or some answers are degraded and --allow-degraded is not given/s);
  });

  test('when run with no command, with help or with --help, then the overview lists every command, exit 0', async () => {
    const runs = [await cli(), await cli('help'), await cli('--help'), await cli('-h')];
    for (const r of runs) {
      assert.equal(r.code, 0, show(r));
      for (const c of COMMANDS) assert.match(r.stdout, new RegExp(`^  ${c.name} +${c.summary.replace(/[()']/g, '.')}$`, 'm'));
      assert.equal(r.stdout, runs[0].stdout);
    }
  });

  test('when --version or -V is given, then the version of package.json is printed, exit 0', async () => {
    for (const flag of ['--version', '-V']) {
      const r = await cli(flag);
      assert.equal(r.code, 0, show(r));
      assert.equal(r.stdout, `${PKG.version}\n`);
    }
  });
});

describe('chartlens usage errors (exit 64)', () => {
  test('when a command is mistyped, then it suggests the nearest one', async () => {
    const r = await cli('scroe');
    assert.equal(r.code, 64, show(r));
    assert.match(r.stderr, /^chartlens: unknown command "scroe"; did you mean "score"\?\n/);
    const far = await cli('xyzzy');
    assert.equal(far.code, 64);
    assert.match(far.stderr, /^chartlens: unknown command "xyzzy"\n/);
    const viaHelp = await cli('help', 'rendr');
    assert.equal(viaHelp.code, 64);
    assert.match(viaHelp.stderr, /did you mean "render"\?/);
  });

  test('when the edit distance decides, then a transposition counts as one edit and far words get no suggestion', () => {
    assert.equal(editDistance('scroe', 'score'), 1);
    assert.equal(editDistance('scroe', 'serve'), 2);
    assert.equal(nearest('backtset', ['serve', 'backtest']), 'backtest');
    assert.equal(nearest('back', ['serve', 'backtest']), 'backtest');
    assert.equal(nearest('zzz', ['serve', 'score']), null);
  });

  test('when an option of another command is given, then the error names the option, the command, and who takes it', async () => {
    const r = await cli('facts', '--csv', SAMPLE_CSV_PATH, '--out', join(work, 'x.json'));
    assert.equal(r.code, 64, show(r));
    assert.match(r.stderr, /^chartlens: --out is not an option of facts \(it belongs to render, score, backtest, calibrate\)\n/);
    assert.match(r.stderr, /usage: chartlens facts --csv FILE/);
    const window = await cli('render', '--csv', SAMPLE_CSV_PATH, '--out', join(work, 'x.png'), '--window', '50');
    assert.equal(window.code, 64);
    assert.match(window.stderr, /^chartlens: --window is not an option of render \(it belongs to backtest\)/);
    const typo = await cli('render', '--csv', SAMPLE_CSV_PATH, '--widht', '800');
    assert.equal(typo.code, 64);
    assert.match(typo.stderr, /^chartlens: unknown option --widht for render; did you mean --width\?/);
  });

  test('when an option value is bad, then the usage error names the option and what it takes, never "The request body is invalid"', async () => {
    const out = join(work, 'bad.png');
    const cases: [string[], RegExp][] = [
      [['render', '--csv', SAMPLE_CSV_PATH, '--out', out, '--width', 'abc'], /--width must be a whole number \(got "abc"\)/],
      [['render', '--csv', SAMPLE_CSV_PATH, '--out', out, '--width', '100'], /--width must be at least 320 \(got 100\)/],
      [['render', '--csv', SAMPLE_CSV_PATH, '--out', out, '--height', '99999'], /--height must be at most 2048 \(got 99999\)/],
      [['render', '--csv', SAMPLE_CSV_PATH, '--out', out, '--theme', 'pink'], /--theme must be light or dark \(got "pink"\)/],
      [['render', '--csv', SAMPLE_CSV_PATH, '--out', out, '--style', 'line'], /--style must be candle or ohlc \(got "line"\)/],
      [['render', '--csv', SAMPLE_CSV_PATH, '--out', out, '--overlays', 'sma20,vwap'], /--overlays: "vwap" is not one of sma20, sma50/],
      [['render', '--csv', SAMPLE_CSV_PATH, '--out', out, '--last', '1'], /--last must be at least 2 \(got 1\)/],
      [['render', '--csv', SAMPLE_CSV_PATH, '--out', out, '--marks=yes'], /--marks takes no value/],
      [['render', '--csv', SAMPLE_CSV_PATH, '--out', out, '--symbol', 'X'.repeat(40)], /--symbol: .*32/],
      [['render', '--out', out], /render needs --csv FILE/],
      [['render', '--csv'], /--csv needs a value \(FILE\)/],
      [['facts', '--csv', SAMPLE_CSV_PATH, '--last', 'ten'], /--last must be a whole number \(got "ten"\)/],
      [['facts', '--csv', SAMPLE_CSV_PATH, '--csv', SAMPLE_CSV_PATH], /--csv is given more than once/],
      [['analyze', '--csv', SAMPLE_CSV_PATH, '--analyzer', 'gpt'], /--analyzer must be local or openai \(got "gpt"\)/],
      [['analyze', '--csv', SAMPLE_CSV_PATH, '--last', '20000'], /--last must be at most 10000/],
      [['analyze'], /analyze needs --csv FILE, --image FILE, both, or --symbol S/],
      [['backtest', '--csv', SAMPLE_CSV_PATH, '--window', '5'], /--window must be between 20 and 10000 \(got 5\)/],
      [['backtest', '--csv', SAMPLE_CSV_PATH, '--cost-bps', '-5'], /--cost-bps needs a value, not "-5"; .* write --cost-bps=-5/],
      [['backtest', '--csv', SAMPLE_CSV_PATH, '--cost-bps=-5'], /--cost-bps must be at least 0 \(got -5\)/],
      [['score', work, '--concurrency', '0'], /--concurrency must be at least 1 \(got 0\)/],
      [['score', work, '--endpoint', 'localhost:3000'], /--endpoint must be an http:\/\/ or https:\/\/ URL/],
      [['serve', '--port', '80'], /unknown option --port for serve/],
      [['help', 'render', 'facts'], /help takes at most one command/],
      [['--verbose'], /unknown option --verbose: give a command first/],
    ];
    for (const [argv, message] of cases) {
      const r = await cli(...argv);
      assert.equal(r.code, 64, `${argv.join(' ')}: ${show(r)}`);
      assert.match(r.stderr, new RegExp(`^chartlens: ${message.source}`), argv.join(' '));
      assert.doesNotMatch(r.stderr, /request body is invalid/i);
      assert.equal(r.stdout, '');
    }
  });
});

describe('chartlens file errors (exit 1)', () => {
  test('when an input file is missing or a folder, then one plain line says so, with no stack and no ENOENT', async () => {
    const missing = join(work, 'nope.csv');
    for (const argv of [
      ['render', '--csv', missing, '--out', join(work, 'x.png')],
      ['facts', '--csv', missing],
      ['analyze', '--csv', missing],
      ['backtest', '--csv', missing],
    ]) {
      const r = await cli(...argv);
      assert.equal(r.code, 1, `${argv[0]}: ${show(r)}`);
      assert.equal(r.stderr, `chartlens: cannot read ${missing}: no such file\n`);
    }
    const folder = await cli('facts', '--csv', work);
    assert.equal(folder.code, 1);
    assert.equal(folder.stderr, `chartlens: cannot read ${work}: is a folder, not a file\n`);
    const noDir = await cli('score', join(work, 'no-such-dir'));
    assert.equal(noDir.code, 1);
    assert.equal(noDir.stderr, `chartlens: cannot read ${join(work, 'no-such-dir')}: no such folder\n`);
    const badOut = await cli('render', '--csv', SAMPLE_CSV_PATH, '--out', join(work, 'missing', 'x.png'));
    assert.equal(badOut.code, 1);
    assert.equal(badOut.stderr, `chartlens: cannot write ${join(work, 'missing', 'x.png')}: no such folder\n`);
  });

  test('when a file-system error has a code, then it is put in a plain word, and a raw one escaping from deeper down too', () => {
    const err = (code: string) => Object.assign(new Error(`${code}: raw`), { code, path: '/p/f', syscall: 'open' });
    assert.equal(readError('f.csv', err('EACCES')).message, 'cannot read f.csv: permission denied');
    assert.equal(readError('f.csv', err('EISDIR')).message, 'cannot read f.csv: is a folder, not a file');
    assert.equal(readError('f.csv', err('ENOENT')).message, 'cannot read f.csv: no such file');
    assert.deepEqual(describeFailure(err('EACCES')), { code: 1, lines: ['chartlens: cannot open /p/f: permission denied'] });
    assert.deepEqual(describeFailure(Object.assign(err('ENOENT'), { syscall: 'mkdir' })), { code: 1, lines: ['chartlens: cannot write /p/f: no such file or folder'] });
  });

  test('when the CSV itself is bad, then it is an input error (exit 1) with its code and the line, not a usage error', async () => {
    const bad = join(work, 'bad.csv');
    writeFileSync(bad, 'date,open,high,low,close\n2020-01-02,1,2,0.5,1.5\n2020-01-03,1,0.1,0.5,1.5\n');
    const r = await cli('facts', '--csv', bad);
    assert.equal(r.code, 1, show(r));
    assert.match(r.stderr, /^chartlens: invalid_candles: /);
    assert.match(r.stderr, /"line":3/);
  });
});

describe('chartlens --last means the API chart.last', () => {
  test('when facts is given --last N, then it equals POST /v1/indicators with last N, and the indicators are those of the whole series', SLOW, async () => {
    const withLast = await cli('facts', '--csv', SAMPLE_CSV_PATH, '--last', '300');
    const without = await cli('facts', '--csv', SAMPLE_CSV_PATH);
    assert.equal(withLast.code, 0, show(withLast));
    assert.equal(without.code, 0, show(without));
    const a = JSON.parse(withLast.stdout) as FactsResponse;
    const b = JSON.parse(without.stdout) as FactsResponse;
    const api = await request(httpApp()).post('/v1/indicators').send({ csv: SAMPLE, last: 300 });
    assert.equal(api.status, 200, JSON.stringify(api.body));
    assert.deepEqual(a, api.body);
    const apiDefault = await request(httpApp()).post('/v1/indicators').send({ csv: SAMPLE });
    assert.deepEqual(b, apiDefault.body);
    // The window only decides which candlestick hits are listed; every number at the last bar is the same.
    assert.deepEqual(a.facts.indicators, b.facts.indicators);
    assert.deepEqual(a.facts.levels, b.facts.levels);
    assert.deepEqual(a.facts.trend, b.facts.trend);
    assert.equal(a.facts.bars, SAMPLE.trimEnd().split('\n').length - 1);
    assert.ok(a.facts.patterns.filter((p) => p.kind === 'candlestick').length > b.facts.patterns.filter((p) => p.kind === 'candlestick').length, 'a longer window lists more hits');
    // Cutting the CSV to 50 rows (the old behaviour) leaves a 200-bar average nothing to average.
    const short = JSON.parse((await cli('facts', '--csv', SAMPLE_CSV_PATH, '--last', '50')).stdout) as FactsResponse;
    assert.equal(typeof short.facts.indicators.sma200, 'number');
    assert.deepEqual(short.facts.indicators, b.facts.indicators);
    const cut = await request(httpApp()).post('/v1/indicators').send({ csv: lastRows(50) });
    assert.equal((cut.body as FactsResponse).facts.indicators.sma200, null);
  });

  test('when facts --help shows the default window, then it is the core default', async () => {
    const { DEFAULT_WINDOW_BARS } = await import('../../src/core/market/facts.ts');
    const facts = commands.find((c) => c.name === 'facts');
    assert.equal(facts?.options.last.shows, `${DEFAULT_WINDOW_BARS} bars`);
  });

  test('when render is given --last N, then the PNG is byte for byte the one POST /v1/render draws with chart.last N', SLOW, async () => {
    const out = join(work, 'last60.png');
    const r = await cli('render', '--csv', SAMPLE_CSV_PATH, '--last', '60', '--theme', 'dark', '--out', out);
    assert.equal(r.code, 0, show(r));
    assert.match(r.stderr, /^wrote .*last60\.png \(1024x512, \d+ bytes\)\n$/);
    const png = readFileSync(out);
    const api = await request(httpApp()).post('/v1/render').send({ csv: SAMPLE, chart: { last: 60, theme: 'dark' } });
    assert.equal(api.status, 200);
    assert.ok(png.equals(api.body as Buffer), 'same bytes as the API');
    const cut = await request(httpApp()).post('/v1/render').send({ csv: lastRows(60), chart: { theme: 'dark' } });
    assert.ok(!png.equals(cut.body as Buffer), 'not the chart of a CSV cut to 60 rows (its averages start late)');
  });

  describe('analyze', () => {
    let live: AnalysisApp;
    before(async () => {
      live = await startAnalysisApp({ store: await openMemoryStore() });
    });
    after(async () => {
      await live.close();
      await live.store.close();
    });

    test('when analyze is given --last N, then it reads the whole series and draws the chart POST /v1/analyze draws with chart.last N', SLOW, async () => {
      const r = await cli('analyze', '--csv', SAMPLE_CSV_PATH, '--last', '60', '--symbol', 'SPX');
      assert.equal(r.code, 0, show(r));
      const mine = JSON.parse(r.stdout) as Analysis;
      const api = await request(live.app).post('/v1/analyze').send({ csv: SAMPLE, symbol: 'SPX', chart: { last: 60 } });
      assert.equal(api.status, 200, JSON.stringify(api.body));
      const theirs = api.body as Analysis;
      assert.equal(mine.input.bars, SAMPLE.trimEnd().split('\n').length - 1);
      assert.equal(mine.input.imageSha256, theirs.input.imageSha256);
      assert.deepEqual(mine.market, theirs.market);
      assert.deepEqual(mine.decision, theirs.decision);
      const defaultBars = await request(live.app).post('/v1/analyze').send({ csv: SAMPLE, symbol: 'SPX' });
      assert.notEqual(mine.input.imageSha256, (defaultBars.body as Analysis).input.imageSha256, '60 bars drawn, not the default 150');
    });
  });
});
