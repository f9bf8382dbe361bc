import { execa } from 'execa';
import { createHash, createHmac } from 'node:crypto';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Handler } from '../../src/engine/contracts.js';
import { secretsFile } from '../../src/config/secrets.js';
import type { Daemon } from '../../src/engine/daemon.js';
import { TrackSyncError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { packageRoot } from '../../src/paths.js';
import { WEBHOOK_WINDOW_KEY, startStatusServer, type StatusServer } from '../../src/server/http.js';
import { Metrics } from '../../src/server/metrics.js';
import { STYLE } from '../../src/server/page.js';
import { systemClock } from '../../src/clock.js';
import type { Sandbox } from '../../src/sandbox/server.js';
import { waitFor } from '../helpers/cli.js';
import { FAST, startTestDaemon } from '../helpers/daemon.js';
import { text, title, withSandbox } from '../helpers/notion.js';
import { tempDir } from '../helpers/tmp.js';

/** Items titled "S: hold" stop in their download stage until `release()`; "S: broken" fails for good. */
let release: () => void = () => undefined;
let gate = new Promise<void>((resolve) => (release = resolve));

const handler: Handler<'tracks'> = {
  name: 'status-test',
  source: 'tracks',
  accepts: (input) => String(input.fields.title ?? '').startsWith('S:'),
  run: async (ctx) => {
    const name = String(ctx.input.fields.title);
    await ctx.stage('resolve', 'v1', async () => ({ url: 'http://127.0.0.1/a.wav' }));
    if (name.includes('broken')) throw new TrackSyncError('SOURCE_NOT_FOUND', 'the SoundCloud track was removed (404)');
    if (name.includes('hold')) await ctx.stage('download', 'v1', () => gate);
    return { outcome: 'synced', properties: { downloaded: true } };
  },
};

/** Music Tracks rows as a person adds them in the Notion app. */
function addTrack(sandbox: Sandbox, name: string): string {
  return sandbox.workspace.createPage({
    parent: { data_source_id: sandbox.ids.tracks.dataSourceId },
    properties: { Title: title(name), 'Artist Name': text('Artist'), 'Source URL': { url: 'http://127.0.0.1/a.wav' } },
  }).id;
}

async function get(url: string): Promise<{ status: number; body: string; type: string }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.text(), type: response.headers.get('content-type') ?? '' };
}

function post(url: string, body: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
}

const sign = (body: string, token: string): string =>
  `sha256=${createHmac('sha256', token).update(body).digest('hex')}`;

describe('the status server', async () => {
  const sandbox = await withSandbox();
  const dir = tempDir();
  let n = 0;
  const running: Array<{ daemon: Daemon; server: StatusServer | undefined }> = [];
  afterEach(async () => {
    sandbox.setFaults([]);
    for (const { daemon, server } of running.splice(0)) {
      release();
      await server?.close();
      await daemon.stop('test over');
    }
    gate = new Promise<void>((resolve) => (release = resolve));
  });

  async function start(
    file = {},
    env: Record<string, string> = {},
  ): Promise<{ daemon: Daemon; server: StatusServer; metrics: Metrics; stateDir: string }> {
    const stateDir = join(dir, `state-${++n}`);
    // A schedule that never fires during a test: cycles come from runOnce, the first cycle of startSchedule, or wakes.
    const daemon = await startTestDaemon(sandbox, {
      stateDir,
      handlers: [handler as Handler],
      file: { ...FAST, schedule: { cycleCron: '0 0 1 1 *' }, ...file },
      env: { TRACKSYNC_HTTP_PORT: '0', ...env },
    });
    const metrics = new Metrics();
    metrics.attach(daemon.events);
    const server = await startStatusServer({ daemon, metrics, logger: silentLogger(), clock: systemClock, stateDir });
    running.push({ daemon, server });
    return { daemon, server: server!, metrics, stateDir };
  }

  it('/healthz answers starting, then ok after a cycle, and 503 once Notion has failed every cycle for the configured time', async () => {
    const { daemon, server } = await start({
      notion: { ...FAST.notion, maxRetries: 0 },
      notifications: { notionDownAfterMs: 1 },
    });
    const starting = await get(`${server.url}/healthz`);
    expect(starting.status).toBe(200);
    expect(JSON.parse(starting.body)).toMatchObject({ status: 'starting', lastSuccessfulCycleAgeSeconds: null });

    await daemon.runCycle('test');
    const ok = JSON.parse((await get(`${server.url}/healthz`)).body) as {
      status: string;
      lastSuccessfulCycleAgeSeconds: number;
    };
    expect(ok.status).toBe('ok');
    expect(ok.lastSuccessfulCycleAgeSeconds).toBeLessThan(5);

    sandbox.setFaults([{ path: '^/data_sources/', status: 503 }]);
    await daemon.runCycle('test');
    await new Promise((r) => setTimeout(r, 5));
    await daemon.runCycle('test');
    const down = await get(`${server.url}/healthz`);
    expect(down.status).toBe(503);
    expect(JSON.parse(down.body)).toMatchObject({ status: 'notion-down' });

    sandbox.setFaults([]);
    await daemon.runCycle('test');
    expect((await get(`${server.url}/healthz`)).status).toBe(200);
  });

  it('/metrics exposes cycles, items by state, stage duration histograms and Notion requests and 429s in Prometheus text', async () => {
    const { daemon, server } = await start();
    addTrack(sandbox, 'S: metrics one');
    addTrack(sandbox, 'S: metrics broken');
    sandbox.setFaults([{ method: 'PATCH', status: 429, retryAfterSeconds: 0, times: 1 }]);
    await daemon.runOnce();
    const metrics = await get(`${server.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.type).toContain('text/plain; version=0.0.4');
    const value = (pattern: string): number =>
      Number(metrics.body.match(new RegExp(`^${pattern} (\\S+)$`, 'm'))?.[1] ?? NaN);
    expect(value('tracksync_cycles_total')).toBeGreaterThanOrEqual(1);
    expect(value('tracksync_items\\{source="tracks",state="done"\\}')).toBeGreaterThanOrEqual(1);
    expect(value('tracksync_items\\{source="tracks",state="failed"\\}')).toBeGreaterThanOrEqual(1);
    expect(value('tracksync_items_failed_total\\{code="SOURCE_NOT_FOUND"\\}')).toBe(1);
    expect(value('tracksync_stage_duration_seconds_count\\{stage="resolve"\\}')).toBe(2);
    expect(value('tracksync_stage_duration_seconds_bucket\\{stage="resolve",le="\\+Inf"\\}')).toBe(2);
    expect(value('tracksync_notion_requests_total\\{method="PATCH",status="200"\\}')).toBeGreaterThanOrEqual(2);
    expect(value('tracksync_notion_requests_total\\{method="PATCH",status="429"\\}')).toBe(1);
    expect(value('tracksync_notion_rate_limited_total')).toBe(1);
    // Every sample line belongs to a family declared by a # TYPE line above it.
    const declared = new Set([...metrics.body.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
    for (const line of metrics.body.split('\n').filter((l) => l && !l.startsWith('#'))) {
      const name = line.split(/[{ ]/)[0]!.replace(/_(bucket|sum|count)$/, '');
      expect(declared.has(name) || declared.has(line.split(/[{ ]/)[0]!)).toBe(true);
    }
  });

  it('/metrics lists every documented series from the start, at zero until it counts', async () => {
    const { server } = await start();
    const body = (await get(`${server.url}/metrics`)).body;
    const readme = readFileSync(join(packageRoot(), 'README.md'), 'utf8');
    const documented = [...new Set([...readme.matchAll(/`(tracksync_[a-z_]+)/g)].map((m) => m[1]!))];
    expect(documented.length).toBeGreaterThan(8);
    for (const name of documented) expect(body, name).toMatch(new RegExp(`^# TYPE ${name} `, 'm'));
    expect(body).toMatch(/^tracksync_cycles_total 0$/m);
    expect(body).toMatch(/^tracksync_bytes_written_total 0$/m);
    expect(body).toMatch(/^tracksync_items\{source="tracks",state="failed"\} 0$/m);
  });

  it('the status page: badge with its reason, in flight with step k of n, recently synced, library views, failures in words, the mapping folded; strict CSP; Chromium light and dark', async () => {
    const { daemon, server } = await start();
    addTrack(sandbox, 'S: hold <b>me</b> & co');
    addTrack(sandbox, 'S: broken "quoted"');
    addTrack(sandbox, 'S: done quickly');
    daemon.startSchedule();
    await waitFor(
      () =>
        daemon.store.items.listInFlight().some((i) => i.stage === 'download') &&
        daemon.store.items.listItemsInState('failed', 10).length > 0 &&
        daemon.store.items.listItemsInState('done', 10).length > 0,
      'one item in download, one failed and one done',
    );
    const page = await fetch(`${server.url}/`);
    const body = await page.text();
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    // Nothing may load; the one inline style is allowed by its hash, which must be the hash of the style served.
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+';/);
    const style = body.match(/<style>([\s\S]*?)<\/style>/)![1]!;
    expect(csp).toContain(`'sha256-${createHash('sha256').update(style).digest('base64')}'`);
    expect(body).not.toMatch(/<script|<img|<link|style="|https?:\/\/(?!www\.notion\.so)[^"<]*"/);

    expect(body).toContain('S: hold &lt;b&gt;me&lt;/b&gt; &amp; co');
    expect(body).not.toContain('<b>me</b>');
    const section = (id: string): string =>
      body.slice(
        body.indexOf(`id="${id}"`),
        body.indexOf(id === 'mapping' ? '</details>' : '</section>', body.indexOf(`id="${id}"`)),
      );
    expect(body).toMatch(/<span class="badge degraded" id="health" role="status">degraded<\/span>/);
    expect(section('reasons')).toMatch(/<li>\d+ items? failed<\/li>/);
    expect(section('in-flight')).toContain('<td class="stage">Downloading (step 2 of 6)</td>');
    expect(section('failed')).toContain('the SoundCloud track was removed (404)');
    expect(section('failed')).not.toContain('SOURCE_NOT_FOUND');
    expect(section('recent')).toMatch(/<a href="https:\/\/www\.notion\.so\/[0-9a-f]{32}">S: done quickly<\/a>/);
    expect(section('library')).toMatch(/<svg role="img" aria-labelledby="wheel-title wheel-desc"/);
    expect(section('library')).toContain('Tracks per tempo');
    expect(body).toMatch(/<details id="mapping"><summary>Schema mapping<\/summary>/);
    expect(section('mapping')).toContain('Processing Lock');
    expect(section('queue')).toMatch(/<td>tracks<\/td>(<td class="num">\d+<\/td>){6}/);
    // Accessibility basics: the language, one h1, a heading per section, header cells with a scope, captions.
    expect(body).toContain('<html lang="en">');
    expect(body.match(/<h1>/g)).toHaveLength(1);
    for (const id of ['in-flight', 'recent', 'retrying', 'failed', 'library', 'queue', 'runs'])
      expect(section(id)).toMatch(/<h2>/);
    expect(body).not.toMatch(/<th>/);
    expect(body.match(/<table>/g)!.length).toBe(body.match(/<caption class="sr">/g)!.length);

    // Headless Chromium (Debian's chromium): the DOM it builds has every section; screenshots in light and dark mode.
    const artefacts = join(packageRoot(), 'test-artifacts');
    mkdirSync(artefacts, { recursive: true });
    const chromium = [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--hide-scrollbars',
      `--user-data-dir=${join(dir, 'chromium')}`,
    ];
    const dom = await execa('chromium', [...chromium, '--dump-dom', `${server.url}/`], { timeout: 60_000 });
    for (const id of ['in-flight', 'recent', 'retrying', 'failed', 'library', 'queue', 'runs'])
      expect(dom.stdout).toContain(`<section id="${id}">`);
    expect(dom.stdout).toContain('S: hold &lt;b&gt;me&lt;/b&gt; &amp; co');
    const shots: Buffer[] = [];
    for (const [scheme, flags] of [
      ['light', []],
      ['dark', ['--force-dark-mode', '--blink-settings=preferredColorScheme=0']],
    ] as const) {
      const screenshot = join(artefacts, `status-page-${scheme}.png`);
      await execa(
        'chromium',
        [...chromium, ...flags, '--window-size=1200,1600', `--screenshot=${screenshot}`, `${server.url}/`],
        { timeout: 60_000 },
      );
      const png = readFileSync(screenshot);
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1200, 1600]);
      expect(statSync(screenshot).size).toBeGreaterThan(20_000); // a rendered page, not a blank image
      shots.push(png);
    }
    expect(shots[0]!.equals(shots[1]!)).toBe(false);
  });

  it("the page's colours meet WCAG AA contrast (4.5:1) for text in light and dark mode", () => {
    const luminance = (hex: string): number => {
      const [r, g, b] = [1, 3, 5]
        .map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
        .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
    };
    const ratio = (a: string, b: string): number => {
      const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
      return (hi! + 0.05) / (lo! + 0.05);
    };
    const [light, dark] = STYLE.split('@media (prefers-color-scheme: dark)');
    for (const scheme of [light!, dark!]) {
      const vars = Object.fromEntries([...scheme.matchAll(/--([a-z-]+): (#[0-9a-f]{6})/g)].map((m) => [m[1]!, m[2]!]));
      const palette = {
        ...Object.fromEntries([...light!.matchAll(/--([a-z-]+): (#[0-9a-f]{6})/g)].map((m) => [m[1]!, m[2]!])),
        ...vars,
      };
      for (const text of ['fg', 'muted', 'bad'])
        expect(ratio(palette[text]!, palette.bg!), text).toBeGreaterThanOrEqual(4.5);
      for (const badge of ['ok', 'warn', 'bad'])
        expect(ratio(palette['on-badge']!, palette[badge]!), `badge ${badge}`).toBeGreaterThanOrEqual(4.5);
    }
  });

  it('a signed webhook for a new row wakes the poller: the row is claimed with no scheduled cycle', async () => {
    const { daemon, server, stateDir } = await start();
    daemon.startSchedule(); // one first cycle, then nothing until 1 January
    await waitFor(() => daemon.store.runs.listRecentRuns(1).some((r) => r.finished_at !== null), 'the first cycle');
    // Rows of earlier cases the first cycle claimed must be written back before the subscription starts, or their
    // events would wake a cycle that picks the new row up before its own event arrives.
    await waitFor(() => daemon.runningCount === 0, "the first cycle's items");
    // The user opens the verification window, as `tracksync webhooks listen` does (test/faults/hostile-server.test.ts).
    daemon.store.setMeta(WEBHOOK_WINDOW_KEY, String(Date.now() + 60_000));
    const subscription = await sandbox.subscribeWebhook({
      url: `${server.url}/webhooks/notion`,
      aggregationDelayMs: 100,
    });
    expect(subscription.handshakeStatus).toBe(200);
    // The handshake's token is kept, owner-only, for the next start.
    expect(readFileSync(secretsFile(stateDir), 'utf8')).toContain(subscription.verificationToken);
    expect(statSync(secretsFile(stateDir)).mode & 0o777).toBe(0o600);

    const id = addTrack(sandbox, 'S: woken by a webhook');
    await waitFor(
      () => daemon.store.items.getItemByPage('tracks', id)?.state === 'done',
      'the row to be processed after the webhook',
      15_000,
    );
    // Woken by a webhook: page.created, or a page.properties_updated of a row left by an earlier test that this
    // daemon's
    // first cycle took (the first delivery of a debounce window names the cycle). No scheduled cycle ran.
    const woken = daemon.store.runs
      .listRecentRuns(10)
      .map((r) => r.trigger)
      .filter((t) => t !== 'start');
    expect(woken.length).toBeGreaterThan(0);
    for (const trigger of woken) expect(trigger).toMatch(/^wake: webhook page\./);
    const delivered = sandbox.webhookDeliveries().filter((d) => d.pageId === id && d.type === 'page.created');
    expect(delivered.map((d) => d.status)).toEqual([200]);
  });

  it('refuses unsigned, wrongly signed and oversized deliveries, drops duplicates, ignores other databases', async () => {
    const { daemon, server } = await start({}, { NOTION_WEBHOOK_TOKEN: 'secret_known_token_1234567890' });
    const url = `${server.url}/webhooks/notion`;
    const token = 'secret_known_token_1234567890';
    const event = (id: string, dataSourceId: string) =>
      JSON.stringify({
        id,
        type: 'page.created',
        attempt_number: 1,
        api_version: '2025-09-03',
        entity: { id: '11111111-1111-4111-8111-111111111111', type: 'page' },
        data: { parent: { id: 'x', type: 'database', data_source_id: dataSourceId } },
      });
    const body = event('evt-1', sandbox.ids.tracks.dataSourceId);

    expect((await post(url, body)).status).toBe(401);
    expect((await post(url, body, { 'x-notion-signature': sign(body, 'secret_wrong_token_00000000') })).status).toBe(
      401,
    );
    expect((await post(url, body, { 'x-notion-signature': sign(`${body} `, token) })).status).toBe(401);
    // A second handshake must not replace a known token.
    const handshake = JSON.stringify({ verification_token: 'secret_attacker_token' });
    expect((await post(url, handshake)).status).toBe(401);
    const huge = JSON.stringify({ padding: 'x'.repeat(1024 * 1024 + 10) });
    expect((await post(url, huge, { 'x-notion-signature': sign(huge, token) })).status).toBe(413);

    const runsBefore = daemon.store.runs.listRecentRuns(50).length;
    const first = await post(url, body, { 'x-notion-signature': sign(body, token) });
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ ok: true, source: 'tracks' });
    const again = await post(url, body, { 'x-notion-signature': sign(body, token) });
    expect(await again.json()).toEqual({ ok: true, duplicate: true });
    const artists = event('evt-2', sandbox.ids.artists.dataSourceId);
    expect(await (await post(url, artists, { 'x-notion-signature': sign(artists, token) })).json()).toMatchObject({
      ok: true,
      ignored: expect.stringContaining('page.created'),
    });
    await waitFor(
      () =>
        daemon.store.runs.listRecentRuns(50).length > runsBefore &&
        daemon.store.runs.listRecentRuns(1)[0]!.finished_at !== null,
      'the woken cycle',
    );
    await new Promise((r) => setTimeout(r, 600)); // past the debounce window: the duplicate made no second cycle
    expect(daemon.store.runs.listRecentRuns(50).length).toBe(runsBefore + 1);

    const metrics = (await get(`${server.url}/metrics`)).body;
    expect(metrics).toMatch(/tracksync_webhook_deliveries_total\{result="bad_signature"\} 3/);
    expect(metrics).toMatch(/tracksync_webhook_deliveries_total\{result="unsigned"\} 1/);
    expect(metrics).toMatch(/tracksync_webhook_deliveries_total\{result="too_large"\} 1/);
    expect(metrics).toMatch(/tracksync_webhook_deliveries_total\{result="duplicate"\} 1/);
    expect((await fetch(url)).status).toBe(405);
    expect((await get(`${server.url}/nope`)).status).toBe(404);
  });

  it('binds to 127.0.0.1 by default, and refuses a taken port with a message naming the setting and the fix', async () => {
    const { server } = await start();
    expect(new URL(server.url).hostname).toBe('127.0.0.1');
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const stateDir = join(dir, `state-${++n}`);
      const daemon = await startTestDaemon(sandbox, {
        stateDir,
        handlers: [handler as Handler],
        env: { TRACKSYNC_HTTP_PORT: String(port) },
      });
      running.push({ daemon, server: undefined });
      const second = startStatusServer({
        daemon,
        metrics: new Metrics(),
        logger: silentLogger(),
        clock: systemClock,
        stateDir,
      });
      await expect(second).rejects.toMatchObject({
        code: 'CONFIG_INVALID',
        problems: [
          expect.stringMatching(
            new RegExp(
              `^TRACKSYNC_HTTP_PORT / http\\.port ${port} is in use by another program on 127\\.0\\.0\\.1.*set TRACKSYNC_HTTP_PORT .* to a free port`,
            ),
          ),
        ],
      });
    } finally {
      blocker.close();
    }
  });
});
