/** `chartlens analyze --symbol S --source SRC`: bars fetched from a market-data source, offline against fakes. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runCaptured } from '../../src/entry/cli/run-captured.ts';
import { type FakeYahoo, startFakeYahoo } from '../../testing/fake-yahoo.ts';

let fake: FakeYahoo;
before(async () => {
  fake = await startFakeYahoo({ endAt: Date.now() });
});
after(() => fake.close());

const env = () => ({ CHARTLENS_DATA_DIR: ':memory:', CHARTLENS_LOG: 'silent' as const, CHARTLENS_YAHOO_URL: fake.url });

describe('chartlens analyze --symbol', () => {
  test('when --symbol AAPL --source yahoo is given, then the fake Yahoo supplies the bars and the analysis is printed', async () => {
    const r = await runCaptured(['analyze', '--symbol', 'AAPL', '--source', 'yahoo', '--timeframe', '1d', '--bars', '260'], env());
    assert.equal(r.code, 0, r.stderr);
    const a = JSON.parse(r.stdout);
    assert.equal(a.symbol, 'AAPL');
    assert.equal(a.timeframe, '1d');
    assert.equal(a.market.bars, 260);
    assert.equal(a.provider.kind, 'rules');
    assert.ok(fake.requests.some((q) => q.path === '/v8/finance/chart/AAPL'));
  });

  test('when only --symbol is given, then the CSV folder (the offline default) is used', async () => {
    const r = await runCaptured(['analyze', '--symbol', 'sp500'], env());
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).market.lastBar.time.slice(0, 10), '2020-04-17');
  });

  test('when the symbol is unknown or the provider is down, then one plain line with the code and exit 1', async () => {
    const unknown = await runCaptured(['analyze', '--symbol', 'NOSUCH', '--source', 'yahoo'], env());
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /unknown_symbol|no symbol "NOSUCH"/);
    fake.fail(503);
    const down = await runCaptured(['analyze', '--symbol', 'MSFT', '--source', 'yahoo'], env());
    fake.reset();
    assert.equal(down.code, 1);
    assert.match(down.stderr, /market_data_unavailable|unavailable/);
    assert.doesNotMatch(down.stderr, /\n\s+at /, 'no stack trace');
  });

  test('when --source comes with --csv, or --bars is not a number, then a usage error (exit 64)', async () => {
    const both = await runCaptured(['analyze', '--csv', 'samples/sp500.csv', '--source', 'yahoo'], env());
    assert.equal(both.code, 64);
    assert.match(both.stderr, /--source and --bars fetch bars for --symbol/);
    const bars = await runCaptured(['analyze', '--symbol', 'sp500', '--bars', 'lots'], env());
    assert.equal(bars.code, 64);
    assert.match(bars.stderr, /--bars/);
    const source = await runCaptured(['analyze', '--symbol', 'sp500', '--source', 'bloomberg'], env());
    assert.notEqual(source.code, 0);
    assert.match(source.stderr, /Unknown market-data source "bloomberg"/);
  });
});
