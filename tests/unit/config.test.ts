import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { availableParallelism } from 'node:os';
import { loadConfig } from '../../src/composition/config.ts';

describe('configuration from the environment', () => {
  it('when nothing is set, then the embedded defaults: local rules, PGlite, no keys, a worker thread per core', () => {
    const c = loadConfig({});
    assert.equal(c.port, 3000);
    assert.equal(c.host, '0.0.0.0');
    assert.equal(c.dataDir, './data');
    assert.equal(c.defaultAnalyzer, 'local');
    assert.equal(c.openai, null);
    assert.equal(c.databaseUrl, null);
    assert.deepEqual(c.apiKeys, []);
    assert.equal(c.workers, Math.max(1, availableParallelism()));
  });

  it('when a base URL alone is set (a local server), then the openai analyzer is on with a placeholder key', () => {
    const c = loadConfig({ OPENAI_BASE_URL: 'http://localhost:11434/v1', CHARTLENS_MODEL: 'llava:13b' });
    assert.equal(c.openai?.baseURL, 'http://localhost:11434/v1');
    assert.equal(c.openai?.model, 'llava:13b');
    assert.ok(c.openai?.apiKey);
    assert.equal(c.openai?.prices['gpt-4o'].input, 2.5);
  });

  it('when prices are overridden, then they merge over the defaults', () => {
    const c = loadConfig({ OPENAI_API_KEY: 'k', CHARTLENS_PRICES: '{"llava:13b":{"input":0,"cachedInput":0,"output":0}}' });
    assert.deepEqual(c.openai?.prices['llava:13b'], { input: 0, cachedInput: 0, output: 0 });
    assert.ok(c.openai?.prices['gpt-4o-mini']);
  });

  it('when a value is wrong, then start-up fails with a message naming the variable', () => {
    assert.throws(() => loadConfig({ PORT: 'eighty' }), /PORT/);
    assert.throws(() => loadConfig({ CHARTLENS_ANALYZER: 'openai' }), /needs OPENAI_API_KEY or OPENAI_BASE_URL/);
    assert.throws(() => loadConfig({ OPENAI_API_KEY: 'k', CHARTLENS_PRICES: '{nope' }), /CHARTLENS_PRICES: not valid JSON/);
    assert.throws(() => loadConfig({ OPENAI_API_KEY: 'k', CHARTLENS_PRICES: '{"m":{"input":-1}}' }), /CHARTLENS_PRICES/);
    assert.throws(() => loadConfig({ CHARTLENS_WORKERS: '-1' }), /CHARTLENS_WORKERS/);
  });

  it('when API keys are listed, then blanks and spaces are dropped', () => {
    assert.deepEqual(loadConfig({ CHARTLENS_API_KEYS: ' a, ,b ,' }).apiKeys, ['a', 'b']);
  });
});
