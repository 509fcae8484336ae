import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { type Analysis, type ClaimStatus, DISCLAIMER } from '../../src/core/analysis/analysis.ts';
import { analysisBlocks, MARKS } from '../../src/entry/slack/blocks.ts';

/** Real POST /v1/analyze answers saved in docs/examples (see its README). */
const example = (name: string): Analysis => JSON.parse(readFileSync(new URL(`../../docs/examples/${name}`, import.meta.url), 'utf8')) as Analysis;
/** An invented morning star, a true engulfing, a misread SMA50; the policy turned buy into hold. */
const openaiExample = (): Analysis => example('analysis-openai-fake-server.json');
/** The local rules on the last 150 bars of samples/sp500.csv. */
const localExample = (): Analysis => example('analysis-local-rules.json');

interface Block {
  type: string;
  text?: { type: string; text: string };
  elements?: { type: string; text: string }[];
}

const blocksOf = (a: Analysis): Block[] => analysisBlocks(a).blocks as Block[];
const headerText = (a: Analysis): string => blocksOf(a)[0].text?.text ?? '';
const sectionTexts = (a: Analysis): string[] => blocksOf(a).filter((b) => b.type === 'section').map((b) => b.text?.text ?? '');
const contexts = (a: Analysis): string[] => blocksOf(a).filter((b) => b.type === 'context').map((b) => b.elements?.[0]?.text ?? '');
const patternsSection = (a: Analysis): string => sectionTexts(a).find((t) => t.startsWith('*Patterns*')) ?? '';
const footer = (a: Analysis): string => contexts(a)[0];

describe('analysisBlocks', () => {
  test('when given an analysis, then the header block states action, symbol, timeframe, confidence and horizon', () => {
    const a = openaiExample();
    const blocks = blocksOf(a);
    assert.equal(blocks[0].type, 'header');
    assert.equal(blocks[0].text?.type, 'plain_text');
    assert.equal(headerText(a), 'HOLD SPX 1d · confidence 30% · 5 bars');
    assert.match(analysisBlocks(a).text, /^HOLD SPX 1d · confidence 30% · 5 bars\. Educational analysis/);
  });

  test('when the analysis has no symbol or timeframe, then the header is just the decision', () => {
    const a = { ...openaiExample(), symbol: null, timeframe: null };
    assert.equal(headerText(a), 'HOLD · confidence 30% · 5 bars');
  });

  test('when pattern claims were checked, then each is listed with the mark of its status', () => {
    const text = patternsSection(openaiExample());
    assert.match(text, /• Bearish Engulfing 2018-06-12\.\.2018-06-13: :white_check_mark: confirmed/);
    assert.match(text, /• bullish Morning Star 2018-06-18\.\.2018-06-20: :grey_question: not found/);
    // Indicator claims are checked too but are not listed as patterns.
    assert.ok(!text.includes('sma50'));
  });

  test('when claims have each of the four statuses, then each gets its own mark', () => {
    const a = openaiExample();
    const statuses: ClaimStatus[] = ['confirmed', 'not_found', 'contradicted', 'unverifiable'];
    a.verification.claims = statuses.map((status, i) => ({ claim: `pattern ${i}`, kind: 'pattern', status, detail: '' }));
    const text = patternsSection(a);
    statuses.forEach((status, i) => assert.ok(text.includes(`• pattern ${i}: ${MARKS[status]}`), `${status} in ${text}`));
    assert.deepEqual(new Set(Object.values(MARKS)).size, 4, 'four distinct marks');
  });

  test('when no pattern was claimed, then the patterns section says so', () => {
    const a = openaiExample();
    a.verification.claims = a.verification.claims.filter((c) => c.kind !== 'pattern');
    assert.equal(patternsSection(a), '*Patterns*\n_No patterns claimed._\n_Levels and indicator values:_ 1 :white_check_mark: confirmed, 1 :x: contradicted');
  });

  test('when levels and indicator values were checked, then their marks are counted under the patterns', () => {
    const a = openaiExample();
    assert.match(patternsSection(a), /_Levels and indicator values:_ 1 :white_check_mark: confirmed, 1 :x: contradicted$/);
    a.verification.claims = a.verification.claims.filter((c) => c.kind === 'pattern');
    assert.doesNotMatch(patternsSection(a), /Levels and indicator values/);
  });

  test('when the local rules analysed sp500, then levels, trade, risks and a confirmed verification are shown', () => {
    const a = localExample();
    const sections = sectionTexts(a).join('\n');
    assert.match(sections, /\*Levels\* Support: 2832\.635, 2728\.81, 2641\.39 · Resistance: 2952\.618, 3030\.338, 3132\.126/);
    assert.match(sections, /\*Trade\* Entry \S+ · Invalidation \S+ · Target \S+/);
    assert.match(sections, /\*Risks\*\n• Daily range/);
    assert.match(patternsSection(a), /bullish Tasuki Gap .*: :white_check_mark: confirmed/);
    assert.match(footer(a), /^analyzer local \(rules, not an LLM\) · \d+ ms · \$0\.0000 · verification verified \(hallucination rate 0%\)$/);
  });

  test('when the policy adjusted the decision, then the adjustments are listed', () => {
    const text = sectionTexts(openaiExample()).find((t) => t.startsWith('*Policy adjustments*')) ?? '';
    assert.match(text, /• action: nothing the decision rests on was found in the data/);
    assert.match(text, /• confidence: hallucination rate 0\.5/);
    const local = sectionTexts(localExample()).filter((t) => t.startsWith('*Policy adjustments*'));
    assert.equal(local.length, 1);
    assert.match(local[0], /• confidence: calibrated by local\.analyze\.v1/);
  });

  test('when the provider was degraded, then the footer flags it with the reason', () => {
    const a = openaiExample();
    assert.ok(!footer(a).includes('degraded'));
    assert.match(footer(a), /^analyzer openai \(gpt-4o\) · 134 ms · \$0\.0079 · verification partial \(hallucination rate 50%\)$/);
    a.provider = { ...a.provider, degraded: { code: 'llm_timeout', message: 'The model did not answer in time.' }, degradedReason: 'llm_timeout: The model did not answer in time.', cached: true };
    assert.match(footer(a), /· cached · :warning: degraded \(llm_timeout\): The model did not answer in time\. · verification partial/);
  });

  test('when rendering any analysis, then the disclaimer is the last block', () => {
    for (const a of [openaiExample(), localExample()]) {
      const last = blocksOf(a).at(-1);
      assert.equal(last?.type, 'context');
      assert.equal(last?.elements?.[0].text, DISCLAIMER);
      assert.ok(analysisBlocks(a).text.endsWith(DISCLAIMER));
    }
  });

  test('when model text holds mrkdwn control characters or is very long, then it is escaped and kept within Block Kit limits', () => {
    const a = openaiExample();
    a.verification.claims = [{ claim: '<!channel> & <https://evil|click>', kind: 'pattern', status: 'not_found', detail: '' }];
    a.decision = { ...a.decision, rationale: 'x'.repeat(5000) };
    a.symbol = 'S'.repeat(200);
    assert.match(patternsSection(a), /&lt;!channel&gt; &amp; &lt;https:\/\/evil\|click&gt;/);
    assert.ok(!JSON.stringify(blocksOf(a)).includes('<!channel>'));
    assert.ok(headerText(a).length <= 150);
    for (const t of sectionTexts(a)) assert.ok(t.length <= 3000, `section of ${t.length} chars`);
  });
});
