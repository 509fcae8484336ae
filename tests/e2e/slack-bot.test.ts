/**
 * The Slack bot end to end over real HTTP: signed requests go to the bot's /slack/events endpoint,
 * the bot calls a real chartlens server (local analyzer, in-memory store) through ChartlensClient,
 * and talks to a fake Slack Web API on 127.0.0.1 (tests/fakes/fake-slack.ts).
 */
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { AnalysisStore } from '../../src/ports/analysis-store.ts';
import { MARKS } from '../../src/entry/slack/blocks.ts';
import { createSlackBot } from '../../src/entry/slack/bot.ts';
import { ChartlensClient } from '../../src/adapters/http-client/chartlens-http-client.ts';
import { USAGE } from '../../src/entry/slack/command.ts';
import { RedactingLogger } from '../../src/entry/slack/guards.ts';
import { type FakePost, type FakeSlack, startFakeSlack } from '../../testing/fake-slack.ts';
import { type FakeYahoo, startFakeYahoo } from '../../testing/fake-yahoo.ts';
import { type AnalysisApp, openMemoryStore, startAnalysisApp } from '../helpers/analysis-app.ts';
import { pngChart, textBytes } from '../helpers/image-fixtures.ts';
import {
  eventCallbackRequest,
  newTs,
  pngFileShare,
  type SignedRequest,
  type SigningOptions,
  type SlackMessageEvent,
  sendToBot,
  slackSignature,
  slashCommandRequest,
} from '../helpers/slack-fixtures.ts';

// Shaped like real secrets, so the redaction check means something.
const BOT_TOKEN = 'xoxb-2468013579-1357924680-Zq8vKx3TbN1mW4pR7sYd2hLc';
const SIGNING_SECRET = '8f14e45fceea167a5a36dedd4bea2543';
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const MAX_DOWNLOAD = 200_000;

const signing: SigningOptions = { signingSecret: SIGNING_SECRET };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll until `probe` returns a value (not undefined/false), or fail after `timeoutMs`. */
async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

function closeServer(server: Server, sockets?: Set<Socket>): Promise<void> {
  for (const s of sockets ?? []) s.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}

function track(server: Server): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return sockets;
}

/**
 * A tiny HTTP proxy in front of chartlens that records what passes and, while paused, holds
 * analyses (POST /v1/analyze) until resumed: a slow analysis on demand.
 */
async function startGate(target: string) {
  let paused = false;
  const held: (() => void)[] = [];
  const requests: { method: string; path: string }[] = [];
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', path: req.url ?? '' });
    const forward = () => {
      const upstream = httpRequest(`${target}${req.url}`, { method: req.method, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    };
    if (paused && req.method === 'POST' && req.url?.startsWith('/v1/analyze')) held.push(forward);
    else forward();
  });
  const sockets = track(server);
  const url = await listen(server);
  return {
    url,
    requests,
    analyses: () => requests.filter((r) => r.method === 'POST' && r.path.startsWith('/v1/analyze')).length,
    held: () => held.length,
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      for (const go of held.splice(0)) go();
    },
    close: () => closeServer(server, sockets),
  };
}

type Gate = Awaited<ReturnType<typeof startGate>>;
type Bot = ReturnType<typeof createSlackBot>;

describe('slack bot over HTTP', () => {
  let store: AnalysisStore;
  let chartlens: AnalysisApp;
  let keyedChartlens: AnalysisApp;
  const servers: { server: Server; sockets: Set<Socket> }[] = [];
  let gate: Gate;
  let fake: FakeSlack;
  const bots: Bot[] = [];
  const logs: string[] = [];
  let mainUrl: string;
  let downUrl: string;
  let rejectingUrl: string;
  let limitedUrl: string;
  let yahoo: FakeYahoo;
  let yahooChartlens: AnalysisApp;
  let yahooBotUrl: string;

  async function serve(app: AnalysisApp): Promise<string> {
    const server = createServer(app.app);
    servers.push({ server, sockets: track(server) });
    return listen(server);
  }

  async function startBot(over: Partial<Parameters<typeof createSlackBot>[0]> & { chartlensUrl: string; apiKey?: string }): Promise<string> {
    const { chartlensUrl, apiKey, ...rest } = over;
    const bot = createSlackBot({
      botToken: BOT_TOKEN,
      signingSecret: SIGNING_SECRET,
      apiUrl: fake.apiUrl,
      chartlens: new ChartlensClient({ baseUrl: chartlensUrl, apiKey, timeoutMs: 10_000 }),
      maxDownloadBytes: MAX_DOWNLOAD,
      logger: new RedactingLogger([BOT_TOKEN, SIGNING_SECRET], (line) => logs.push(line)),
      ...rest,
    });
    bots.push(bot);
    const port = await bot.start(0);
    assert.equal(typeof port, 'number');
    return `http://127.0.0.1:${port}/slack/events`;
  }

  before(async () => {
    store = await openMemoryStore();
    chartlens = await startAnalysisApp({ store });
    keyedChartlens = await startAnalysisApp({ store, apiKeys: ['the-right-key'] });
    gate = await startGate(await serve(chartlens));
    const keyedUrl = await serve(keyedChartlens);
    // A port nothing listens on: the chartlens service is down.
    const probe = createServer();
    const closedUrl = await listen(probe);
    await closeServer(probe);
    fake = await startFakeSlack({ botToken: BOT_TOKEN });
    mainUrl = await startBot({ chartlensUrl: gate.url });
    downUrl = await startBot({ chartlensUrl: closedUrl });
    rejectingUrl = await startBot({ chartlensUrl: keyedUrl, apiKey: 'a-wrong-key' });
    limitedUrl = await startBot({ chartlensUrl: gate.url, perUser: { limit: 2, windowMs: 60_000 } });
    // A bot configured for the yahoo source, against a server whose Yahoo is a fake on 127.0.0.1.
    yahoo = await startFakeYahoo({ endAt: Date.now() });
    yahooChartlens = await startAnalysisApp({ store, env: { CHARTLENS_YAHOO_URL: yahoo.url, CHARTLENS_MARKET_RATE_LIMIT: '6000' } });
    yahooBotUrl = await startBot({ chartlensUrl: await serve(yahooChartlens), marketSource: 'yahoo' });
  });

  after(async () => {
    gate?.resume();
    for (const bot of bots) await bot.stop();
    await gate?.close();
    for (const { server, sockets } of servers) await closeServer(server, sockets);
    await fake?.close();
    await chartlens?.close();
    await keyedChartlens?.close();
    await yahooChartlens?.close();
    await yahoo?.close();
    await store?.close();
  });

  // ---- helpers bound to the fixtures above ------------------------------------------------

  const postsIn = (channel: string): FakePost[] => fake.posts.filter((p) => p.channel === channel);
  const responsesTo = (id: string) => fake.responseUrlPosts.filter((r) => r.id === id);

  function command(url: string, text: string, who: { user: string; channel: string; responseId: string }, o: Partial<SigningOptions> = {}) {
    const req = slashCommandRequest(
      { text, user_id: who.user, channel_id: who.channel, response_url: fake.responseUrl(who.responseId) },
      { ...signing, ...o },
    );
    return sendToBot(url, req);
  }

  function event(url: string, e: SlackMessageEvent, o: Partial<SigningOptions> & { eventId?: string } = {}): Promise<Response> {
    const req: SignedRequest = eventCallbackRequest(e, { ...signing, ...o });
    return sendToBot(url, req);
  }

  async function ackJson(res: Response): Promise<{ response_type?: string; text?: string }> {
    assert.equal(res.status, 200);
    return (await res.json()) as { response_type?: string; text?: string };
  }

  const headerOf = (p: FakePost): string => {
    const header = p.blocks?.find((b: { type: string }) => b.type === 'header');
    return header?.text?.text ?? '';
  };

  const blockText = (p: FakePost): string => JSON.stringify(p.blocks ?? []);

  // ---- slash commands --------------------------------------------------------------------

  test('when /chartlens sp500 1d 150 is sent while the analysis is slow, then it is acked with 200 in under 3 s saying what it analyses', async () => {
    const channel = 'C_SLOW';
    gate.pause();
    try {
      const started = Date.now();
      const res = await command(mainUrl, 'sp500 1d 150', { user: 'U_SLOW', channel, responseId: 'slow' });
      const elapsed = Date.now() - started;
      const body = await ackJson(res);
      assert.ok(elapsed < 3000, `acked after ${elapsed} ms`);
      assert.equal(body.response_type, 'ephemeral');
      assert.match(body.text ?? '', /Analysing SP500 1d, 150 bars/);
      // The analysis is still being held at the proxy: the ack did not wait for it.
      await waitFor('the analysis to reach chartlens', () => gate.held() === 1);
      assert.equal(postsIn(channel).length, 0);
    } finally {
      gate.resume();
    }
    const post = await waitFor('the answer once the analysis is released', () => postsIn(channel)[0]);
    assert.match(headerOf(post), /^(BUY|SELL|HOLD) SP500 1d · confidence \d+%/);
    await waitFor('the chart upload', () => fake.uploads.find((u) => u.channel_id === channel));
  });

  test('when the analysis finishes, then the decision and verification marks are posted to the channel and the chart PNG is uploaded into that thread', async () => {
    const channel = 'C_SLASH';
    const res = await command(mainUrl, 'sp500 1d 150', { user: 'U_SLASH', channel, responseId: 'slash' });
    await ackJson(res);
    const post = await waitFor('chat.postMessage to the channel', () => postsIn(channel)[0]);
    assert.equal(post.thread_ts, undefined, 'the answer starts its own thread');
    assert.match(headerOf(post), /^(BUY|SELL|HOLD)\b/);
    assert.match(headerOf(post), /confidence \d+%/);
    assert.match(post.text ?? '', /^(BUY|SELL|HOLD) SP500 1d/);
    const text = blockText(post);
    // The last 150 bars of samples/sp500.csv hold computed patterns the local rules claim (docs/examples).
    assert.ok(text.includes(MARKS.confirmed), 'a confirmed mark');
    assert.match(text, /Educational analysis, not investment advice/);

    const upload = await waitFor('the chart upload', () => fake.uploads.find((u) => u.channel_id === channel));
    assert.equal(upload.thread_ts, post.ts, 'uploaded into the answer thread');
    assert.ok(upload.bytes.subarray(0, 8).equals(PNG_SIGNATURE), 'a PNG');
    assert.ok(upload.bytes.length > 1000);
    assert.match(upload.filename, /^chartlens-sp500-[0-9a-f]{8}\.png$/);
    assert.match(upload.title ?? '', /Chart analysed \(\d+x\d+\)/);
    // Nothing went to the response_url: the channel got the answer.
    assert.equal(responsesTo('slash').length, 0);
  });

  test('when the bot is configured for the yahoo source, then /chartlens AAPL 1d is fetched by the server from it and answered in the channel', async () => {
    const channel = 'C_YAHOO';
    await ackJson(await command(yahooBotUrl, 'AAPL 1d 200', { user: 'U_YAHOO', channel, responseId: 'yahoo' }));
    const post = await waitFor('the answer from yahoo bars', () => postsIn(channel)[0]);
    assert.match(post.text ?? '', /^(BUY|SELL|HOLD) AAPL 1d/);
    const chart = yahoo.requests.find((r) => r.path === '/v8/finance/chart/AAPL');
    assert.ok(chart, 'the server asked the (fake) Yahoo for AAPL');
    assert.equal(chart.query.interval, '1d');
  });

  test('when /chartlens help is sent, then the ack carries the usage text', async () => {
    const body = await ackJson(await command(mainUrl, 'help', { user: 'U_HELP', channel: 'C_HELP', responseId: 'help' }));
    assert.equal(body.text, USAGE);
    assert.equal(body.response_type, 'ephemeral');
    const empty = await ackJson(await command(mainUrl, '', { user: 'U_HELP', channel: 'C_HELP', responseId: 'help' }));
    assert.equal(empty.text, USAGE);
  });

  test('when the command is malformed, then the ack explains it with the usage and nothing is analysed', async () => {
    const before = gate.analyses();
    const body = await ackJson(await command(mainUrl, 'sp500 1d 5', { user: 'U_BAD', channel: 'C_BAD', responseId: 'bad' }));
    assert.match(body.text ?? '', /BARS must be a whole number from 30 to 1000/);
    assert.ok(body.text?.includes(USAGE));
    await sleep(200);
    assert.equal(gate.analyses(), before);
  });

  test('when /chartlens nosuchsymbol is sent, then the response_url gets the known symbols, sp500 among them', async () => {
    const body = await ackJson(await command(mainUrl, 'nosuchsymbol', { user: 'U_UNKNOWN', channel: 'C_UNKNOWN', responseId: 'unknown' }));
    assert.match(body.text ?? '', /Analysing NOSUCHSYMBOL 1d, 150 bars/);
    const reply = await waitFor('the response_url reply', () => responsesTo('unknown')[0]);
    // The server fetched (its default source, the CSV folder) and named what it has.
    assert.match(reply.body.text, /could not analyse that \(unknown_symbol\): The csv source has no symbol "nosuchsymbol"/);
    assert.match(reply.body.text, /it has: .*\bsp500\b/);
    assert.equal(reply.body.response_type, 'ephemeral');
    assert.equal(postsIn('C_UNKNOWN').length, 0);
  });

  test('when the chartlens API is down, then the command gets a friendly could-not-reach reply via response_url', async () => {
    const body = await ackJson(await command(downUrl, 'sp500 1d 150', { user: 'U_DOWN', channel: 'C_DOWN', responseId: 'down' }));
    assert.match(body.text ?? '', /Analysing SP500/);
    const reply = await waitFor('the response_url reply', () => responsesTo('down')[0]);
    assert.match(reply.body.text, /could not reach the chartlens service/);
    assert.equal(reply.body.response_type, 'ephemeral');
    assert.equal(postsIn('C_DOWN').length, 0);
  });

  test('when chartlens answers 4xx, then the command gets a friendly reply naming the problem', async () => {
    await ackJson(await command(rejectingUrl, 'sp500 1d 150', { user: 'U_4XX', channel: 'C_4XX', responseId: '4xx' }));
    const reply = await waitFor('the response_url reply', () => responsesTo('4xx')[0]);
    assert.match(reply.body.text, /chartlens could not analyse that \(unauthorized\): The API key is not valid/);
    assert.equal(postsIn('C_4XX').length, 0);
  });

  test('when the bot may not post in the channel, then the answer arrives through the response_url instead', async () => {
    fake.setFailure('chat.postMessage', 'not_in_channel');
    try {
      await ackJson(await command(mainUrl, 'sp500 1d 60', { user: 'U_NIC', channel: 'C_NIC', responseId: 'nic' }));
      const reply = await waitFor('the response_url answer', () => responsesTo('nic')[0]);
      assert.equal(reply.body.response_type, 'in_channel');
      assert.match(reply.body.text, /^(BUY|SELL|HOLD) SP500 1d/);
      assert.ok(Array.isArray(reply.body.blocks) && reply.body.blocks[0].type === 'header');
    } finally {
      fake.setFailure('chat.postMessage', null);
    }
    assert.ok(fake.calls.some((c) => c.method === 'chat.postMessage' && c.args.channel === 'C_NIC'), 'it tried the channel first');
    assert.equal(fake.uploads.filter((u) => u.channel_id === 'C_NIC').length, 0);
  });

  test('when the chart upload fails after the answer was posted, then the answer is not posted a second time', async () => {
    // E.g. the app lacks files:write: the message is in the channel, only the chart is missing.
    const uploadAttempts = () => fake.calls.filter((c) => c.method === 'files.getUploadURLExternal').length;
    const attemptsBefore = uploadAttempts();
    fake.setFailure('files.getUploadURLExternal', 'missing_scope');
    try {
      await ackJson(await command(mainUrl, 'sp500 1d 60', { user: 'U_NOUP', channel: 'C_NOUP', responseId: 'noup' }));
      await waitFor('the answer in the channel', () => postsIn('C_NOUP')[0]);
      await waitFor('the upload attempt', () => uploadAttempts() > attemptsBefore);
      // The same for a shared image: the answer stands, no error reply follows it.
      const png = pngChart();
      const ts = newTs();
      const url = fake.serveFile('noup.png', png);
      await event(mainUrl, { type: 'app_mention', user: 'U_NOUP', text: '<@UBOT>', ts, channel: 'C_NOUP_IMG', files: [pngFileShare(url, png.length, 'noup.png')] });
      await waitFor('the image answer', () => postsIn('C_NOUP_IMG')[0]);
      await waitFor('the second upload attempt', () => uploadAttempts() > attemptsBefore + 1);
      await sleep(300);
    } finally {
      fake.setFailure('files.getUploadURLExternal', null);
    }
    assert.equal(postsIn('C_NOUP').length, 1);
    assert.deepEqual(
      responsesTo('noup').map((r) => r.body.text),
      [],
      'nothing more through the response_url (no duplicate answer, no error after a delivered answer)',
    );
    const imagePosts = postsIn('C_NOUP_IMG');
    assert.equal(imagePosts.length, 1, JSON.stringify(imagePosts.map((p) => p.text)));
    assert.ok(imagePosts[0].blocks, 'the one post is the answer, not an error');
    assert.ok(logs.some((l) => /chart upload .*failed.*missing_scope/.test(l)), 'the failed upload is logged');
  });

  test('when a user sends a third command within the window of a 2-per-minute limit, then it is told to try again', async () => {
    const who = { user: 'U_LIMIT', channel: 'C_LIMIT', responseId: 'limit' };
    for (let i = 0; i < 2; i++) {
      const body = await ackJson(await command(limitedUrl, 'sp500 1d 40', who));
      assert.match(body.text ?? '', /Analysing SP500 1d, 40 bars/);
    }
    const third = await ackJson(await command(limitedUrl, 'sp500 1d 40', who));
    assert.match(third.text ?? '', /try again in \d+ s/);
    assert.equal(third.response_type, 'ephemeral');
    // Another user is not affected.
    const other = await ackJson(await command(limitedUrl, 'sp500 1d 40', { ...who, user: 'U_LIMIT_OTHER' }));
    assert.match(other.text ?? '', /Analysing/);
    await waitFor('the three allowed answers', () => postsIn('C_LIMIT').length === 3);
    await sleep(200);
    assert.equal(postsIn('C_LIMIT').length, 3);
  });

  // ---- request authenticity and retries ----------------------------------------------------

  test('when the signature is wrong or the timestamp is stale, then the bot answers 401 and posts nothing', async () => {
    const before = { calls: fake.calls.length, analyses: gate.analyses() };
    const who = { user: 'U_SIG', channel: 'C_SIG', responseId: 'sig' };
    const bad = await command(mainUrl, 'sp500 1d 150', who, { badSignature: true });
    assert.equal(bad.status, 401);
    const stale = await command(mainUrl, 'sp500 1d 150', who, { ageSeconds: 5 * 60 + 30 });
    assert.equal(stale.status, 401);
    const staleEvent = await event(mainUrl, { type: 'app_mention', user: 'U_SIG', text: '<@UBOT> hi', ts: newTs(), channel: 'C_SIG' }, { ageSeconds: 10 * 60 });
    assert.equal(staleEvent.status, 401);
    const badEvent = await event(mainUrl, { type: 'app_mention', user: 'U_SIG', text: '<@UBOT> hi', ts: newTs(), channel: 'C_SIG' }, { badSignature: true });
    assert.equal(badEvent.status, 401);
    // A fresh, correctly signed request still works (so the 401s were about the signature).
    const fresh = await command(mainUrl, 'help', who);
    assert.equal(fresh.status, 200);
    await sleep(300);
    assert.equal(fake.calls.length, before.calls, 'no Web API call');
    assert.equal(gate.analyses(), before.analyses, 'no analysis');
    assert.equal(responsesTo('sig').length, 0);
  });

  test('when the same event arrives twice (the second with X-Slack-Retry-Num: 1), then it is handled once', async () => {
    const channel = 'C_DUP';
    const e: SlackMessageEvent = { type: 'app_mention', user: 'U_DUP', text: '<@UBOT> hello', ts: newTs(), channel, channel_type: 'channel' };
    const first = await event(mainUrl, e, { eventId: 'EvDUPLICATE1' });
    assert.equal(first.status, 200);
    await waitFor('the first reply', () => postsIn(channel).length === 1);
    const retry = await event(mainUrl, e, { eventId: 'EvDUPLICATE1', retryNum: 1, retryReason: 'http_timeout' });
    assert.equal(retry.status, 200, 'the retry is acknowledged so Slack stops retrying');
    await sleep(400);
    assert.equal(postsIn(channel).length, 1);
    assert.ok(logs.some((l) => l.includes('EvDUPLICATE1')), 'the skip is logged');
  });

  // ---- shared images -----------------------------------------------------------------------

  test('when someone mentions the bot with a PNG, then it downloads it with the bot token, analyses it and replies in the thread with blocks and the chart', async () => {
    const channel = 'C_MENTION';
    const png = pngChart();
    const url = fake.serveFile('mention-chart.png', png);
    const ts = newTs();
    const before = gate.analyses();
    const res = await event(mainUrl, {
      type: 'app_mention',
      user: 'U_MENTION',
      text: '<@UBOT> what do you see here?',
      ts,
      channel,
      channel_type: 'channel',
      files: [pngFileShare(url, png.length, 'mention-chart.png')],
    });
    assert.equal(res.status, 200);
    const post = await waitFor('the reply in the thread', () => postsIn(channel).find((p) => p.blocks));
    assert.equal(post.thread_ts, ts);
    assert.match(headerOf(post), /^(BUY|SELL|HOLD)\b.*confidence \d+%/);
    assert.match(blockText(post), /Educational analysis, not investment advice/);
    const download = fake.downloads.find((d) => d.name === 'mention-chart.png');
    assert.ok(download, 'the image was downloaded');
    assert.equal(download.authorization, `Bearer ${BOT_TOKEN}`);
    assert.equal(download.status, 200);
    assert.equal(gate.analyses(), before + 1);
    const upload = await waitFor('the chart upload', () => fake.uploads.find((u) => u.channel_id === channel));
    assert.equal(upload.thread_ts, ts);
    assert.ok(upload.bytes.subarray(0, 8).equals(PNG_SIGNATURE));
  });

  test('when a shared image is over the size limit, then the bot says so in the thread and analyses nothing', async () => {
    const channel = 'C_BIG';
    const before = gate.analyses();
    const big = Buffer.concat([pngChart(), Buffer.alloc(MAX_DOWNLOAD)]);
    const url = fake.serveFile('big.png', big);
    const ts = newTs();
    await event(mainUrl, { type: 'app_mention', user: 'U_BIG', text: '<@UBOT>', ts, channel, files: [pngFileShare(url, big.length, 'big.png')] });
    const reply = await waitFor('the size reply', () => postsIn(channel)[0]);
    assert.equal(reply.thread_ts, ts);
    assert.match(reply.text ?? '', new RegExp(`That image is ${big.length} bytes; I take up to ${MAX_DOWNLOAD}`));
    assert.equal(fake.downloads.filter((d) => d.name === 'big.png').length, 0, 'not even downloaded');

    // Slack's size said small, the bytes say otherwise: the download is cut off.
    const ts2 = newTs();
    await event(mainUrl, { type: 'app_mention', user: 'U_BIG', text: '<@UBOT>', ts: ts2, channel, files: [pngFileShare(url, 1000, 'big.png')] });
    const reply2 = await waitFor('the second size reply', () => postsIn(channel).find((p) => p.thread_ts === ts2));
    assert.match(reply2.text ?? '', /limit is 200000/);
    await sleep(200);
    assert.equal(gate.analyses(), before, 'no analysis');
    assert.equal(fake.uploads.filter((u) => u.channel_id === channel).length, 0);
  });

  test('when the shared file is not an image chartlens accepts (a 4xx), then the thread gets a friendly reply', async () => {
    const channel = 'C_NOTIMG';
    const url = fake.serveFile('notes.png', textBytes());
    const ts = newTs();
    await event(mainUrl, { type: 'app_mention', user: 'U_NOTIMG', text: '<@UBOT>', ts, channel, files: [pngFileShare(url, textBytes().length, 'notes.png')] });
    const reply = await waitFor('the reply', () => postsIn(channel)[0]);
    assert.equal(reply.thread_ts, ts);
    assert.match(reply.text ?? '', /^:x: chartlens could not analyse that \(\w+\): /);
  });

  test('when a direct message carries a chart, then the bot answers it there', async () => {
    const channel = 'D_HUMAN';
    const png = pngChart();
    const url = fake.serveFile('dm-chart.png', png);
    const ts = newTs();
    await event(mainUrl, { type: 'message', subtype: 'file_share', user: 'U_DM', text: '', ts, channel, channel_type: 'im', files: [pngFileShare(url, png.length, 'dm-chart.png')] });
    const post = await waitFor('the DM answer', () => postsIn(channel).find((p) => p.blocks));
    assert.equal(post.thread_ts, ts);
    await waitFor('the chart upload', () => fake.uploads.find((u) => u.channel_id === channel));
  });

  test('when messages come from bots or from the bot itself, then they are ignored', async () => {
    const channel = 'D_BOTS';
    const png = pngChart();
    const url = fake.serveFile('bot-chart.png', png);
    const files = [pngFileShare(url, png.length, 'bot-chart.png')];
    const downloadsBefore = fake.downloads.length;
    const ignored: SlackMessageEvent[] = [
      // Another bot mentions us with a chart.
      { type: 'app_mention', user: 'U_OTHER_BOT', bot_id: 'B_OTHER', text: '<@UBOT> look', ts: newTs(), channel, files },
      // Another bot's message in a DM.
      { type: 'message', subtype: 'bot_message', bot_id: 'B_OTHER', text: 'chart', ts: newTs(), channel, channel_type: 'im', files },
      // Our own message, as Slack echoes it back (bot_id and user are ours).
      { type: 'message', user: 'UBOT', bot_id: 'BBOT', text: 'HOLD SP500', ts: newTs(), channel, channel_type: 'im' },
      // Our own user mentioning us.
      { type: 'app_mention', user: 'UBOT', text: '<@UBOT>', ts: newTs(), channel },
    ];
    for (const e of ignored) assert.equal((await event(mainUrl, e)).status, 200);
    // A human's message without an image gets the how-to reply: proof the bot is listening.
    const humanTs = newTs();
    await event(mainUrl, { type: 'message', user: 'U_HUMAN', text: 'hi', ts: humanTs, channel, channel_type: 'im' });
    await waitFor('the reply to the human', () => postsIn(channel).length >= 1);
    await sleep(300);
    const posts = postsIn(channel);
    assert.equal(posts.length, 1, JSON.stringify(posts.map((p) => p.text)));
    assert.equal(posts[0].thread_ts, humanTs);
    assert.match(posts[0].text ?? '', /Share a chart image/);
    assert.equal(fake.downloads.length, downloadsBefore, 'no bot file was downloaded');
  });

  test('when a direct message is edited or deleted (message_changed, message_deleted), then the bot stays quiet', async () => {
    const channel = 'D_EDITS';
    const original = { type: 'message', user: 'U_EDIT', text: 'look at this', ts: newTs() };
    const edits: SlackMessageEvent[] = [
      { type: 'message', subtype: 'message_changed', ts: newTs(), channel, channel_type: 'im', message: { ...original, text: 'look at this!' }, previous_message: original, hidden: true },
      { type: 'message', subtype: 'message_deleted', ts: newTs(), channel, channel_type: 'im', deleted_ts: original.ts, previous_message: original, hidden: true },
    ];
    for (const e of edits) assert.equal((await event(mainUrl, e)).status, 200);
    const humanTs = newTs();
    await event(mainUrl, { type: 'message', user: 'U_EDIT', text: 'hi', ts: humanTs, channel, channel_type: 'im' });
    await waitFor('the reply to the new message', () => postsIn(channel).length >= 1);
    await sleep(300);
    const posts = postsIn(channel);
    assert.equal(posts.length, 1, JSON.stringify(posts.map((p) => [p.thread_ts, p.text?.slice(0, 30)])));
    assert.equal(posts[0].thread_ts, humanTs);
  });

  test('when Slack verifies the request URL, then the challenge is echoed', async () => {
    const body = JSON.stringify({ token: 'deprecated', challenge: 'c-123', type: 'url_verification' });
    const ts = Math.floor(Date.now() / 1000);
    const res = await fetch(mainUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': slackSignature(SIGNING_SECRET, ts, body) },
      body,
    });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { challenge: 'c-123' });
  });

  // ---- the harness and the logs -------------------------------------------------------------

  test('when a Web API call carries another token, then the fake Slack refuses it with invalid_auth (so every recorded bot call was authorised)', async () => {
    const res = await fetch(`${fake.apiUrl}auth.test`, { method: 'POST', headers: { authorization: 'Bearer xoxb-wrong' } });
    assert.deepEqual(await res.json(), { ok: false, error: 'invalid_auth' });
    // JSON bodies are understood as well as the SDK's form encoding.
    const json = await fetch(`${fake.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${BOT_TOKEN}`, 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ channel: 'C_HARNESS', text: 'hi', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'hi' } }] }),
    });
    const answer = (await json.json()) as { ok: boolean; ts: string; channel: string };
    assert.equal(answer.ok, true);
    assert.deepEqual(postsIn('C_HARNESS').map((p) => [p.ts, p.blocks?.[0].type]), [[answer.ts, 'section']]);
    const noAuth = await fetch(fake.serveFile('x.png', pngChart()));
    assert.equal(noAuth.status, 403);
    const fromBot = fake.calls.filter((c) => c.headers.authorization !== 'Bearer xoxb-wrong');
    assert.ok(fromBot.some((c) => c.method === 'auth.test'), 'Bolt called auth.test');
    assert.ok(fromBot.every((c) => c.authorized), 'the bot always sent its bearer token');
  });

  test('when the bot has logged all of the above, then no line contains the bot token or the signing secret', async () => {
    // Request-controlled text reaches the logs (a duplicate event's id is logged): make it carry both secrets.
    const e: SlackMessageEvent = { type: 'app_mention', user: 'U_LOG', text: '<@UBOT> hi', ts: newTs(), channel: 'C_LOG' };
    const eventId = `Ev-${BOT_TOKEN}-${SIGNING_SECRET}`;
    await event(mainUrl, e, { eventId });
    await event(mainUrl, e, { eventId, retryNum: 1 });
    await waitFor('the reply', () => postsIn('C_LOG').length === 1);
    await waitFor('the skip line', () => logs.find((l) => l.includes('skipping event Ev-')));
    assert.ok(logs.some((l) => l.includes('[redacted]')), 'the secrets were struck out');
    assert.ok(logs.length > 0, 'something was logged');
    for (const line of logs) {
      assert.ok(!line.includes(BOT_TOKEN), `token in: ${line}`);
      assert.ok(!line.includes(SIGNING_SECRET), `signing secret in: ${line}`);
      assert.ok(!/xoxb-/.test(line), `token-like text in: ${line}`);
    }
  });
});
