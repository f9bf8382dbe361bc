import { createHash } from 'node:crypto';
import type { StatusSnapshot, ItemView } from '../../src/engine/status.js';
import { PAGE_CSP, STYLE, badge, renderPage, type PageModel } from '../../src/server/page.js';

// The status page is what the DJ opens when something seems wrong: its badge must say down, degraded or OK with the
// reason, each row in words, and no text from Notion may become markup (titles are typed by anyone in the workspace).
// The page as served, in Chromium: test/server/http.test.ts.
describe('the status page (src/server/page.ts)', () => {
  const now = Date.parse('2026-03-01T12:00:00Z');
  const item = (extra: Partial<ItemView>): ItemView => ({
    id: 1,
    source: 'tracks',
    pageId: 'p',
    title: 'Band - Song',
    state: 'queued',
    stage: null,
    attempts: 1,
    startedAt: null,
    finishedAt: null,
    nextAttemptAt: null,
    error: null,
    ...extra,
  });
  const snapshot = (extra: Partial<StatusSnapshot> = {}): StatusSnapshot => ({
    queue: { tracks: { done: 3 } },
    inFlight: [],
    retrying: [],
    failed: [],
    runs: [],
    lastSuccessfulCycleAt: now - 60_000,
    ...extra,
  });
  const model = (extra: Partial<PageModel> = {}): PageModel => ({
    now,
    health: { status: 'ok', detail: 'last cycle 1 min ago', lastSuccessfulCycleAgeSeconds: 60 },
    host: 'studio-mac',
    daemonId: 'd1',
    pid: 4242,
    startedAt: now - 3_600_000,
    snapshot: snapshot(),
    mapping: [],
    notionDownSince: undefined,
    refreshSeconds: 5,
    recent: [],
    library: { files: 0, camelot: {}, bpm: [], formats: [] },
    live: new Map(),
    incidents: [],
    missingVolumes: [],
    ...extra,
  });

  it('badge: down when Notion fails or cycles stopped; degraded for incidents, missing volumes and failures; else OK', () => {
    const down = {
      status: 'notion-down',
      detail: 'Notion failing for 12 min',
      lastSuccessfulCycleAgeSeconds: 720,
    } as const;
    expect(badge(model({ health: down }))).toEqual({ level: 'down', reasons: ['Notion failing for 12 min'] });
    expect(badge(model({ incidents: ['the disk is full'] }))).toEqual({
      level: 'degraded',
      reasons: ['CRITICAL: the disk is full'],
    });
    expect(badge(model({ missingVolumes: ['/Volumes/DJ'] })).reasons).toEqual([
      'the volume /Volumes/DJ is not mounted',
    ]);
    expect(badge(model({ snapshot: snapshot({ failed: [item({}), item({ id: 2 })] }) }))).toEqual({
      level: 'degraded',
      reasons: ['2 items failed'],
    });
    // Waiting to retry is normal work (a rate limit), not a degradation.
    expect(badge(model({ snapshot: snapshot({ retrying: [item({})] }) }))).toEqual({
      level: 'ok',
      reasons: ['last cycle 1 min ago', '1 waiting to retry'],
    });
  });

  it('escapes every value from Notion, so a title cannot add markup', () => {
    const title = '<script>alert("x")</script> & <b>';
    const html = renderPage(
      model({ snapshot: snapshot({ failed: [item({ title, error: 'SOURCE_NOT_FOUND: <img src=x>' })] }) }),
    );
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;');
  });

  it('shows rows in words: the step and download of an item in flight, when a retry comes, a failure without its code', () => {
    const html = renderPage(
      model({
        snapshot: snapshot({
          inFlight: [item({ id: 7, state: 'running', startedAt: now - 90_000 })],
          retrying: [
            item({
              id: 8,
              title: 'Later',
              error: 'RATE_LIMITED: the site is limiting requests',
              nextAttemptAt: now + 300_000,
            }),
            item({ id: 9, title: 'Now', nextAttemptAt: now - 1 }),
          ],
          failed: [item({ id: 10, title: 'Gone', error: 'SOURCE_NOT_FOUND: the source was removed' })],
        }),
        live: new Map([
          [
            7,
            {
              label: 'Downloading',
              step: 2,
              steps: 8,
              title: 'Real Title',
              download: {
                percent: 42.7,
                downloadedBytes: null,
                totalBytes: null,
                bytesPerSecond: null,
                etaSeconds: null,
              },
            },
          ],
        ]),
      }),
    );
    expect(html).toContain('<td>Real Title</td><td class="stage">Downloading (step 2 of 8)</td>');
    expect(html).toContain('<progress max="100" value="42" aria-label="download">42 %</progress>');
    expect(html).toMatch(/<td>Later<\/td><td class="reason">the site is limiting requests<\/td><td>in 5 min<\/td>/);
    expect(html).toContain('<td>Now</td><td class="reason"></td><td>due now</td>');
    expect(html).toContain('<td class="reason">the source was removed</td>');
    expect(html).not.toContain('SOURCE_NOT_FOUND');
    expect(html).toContain('<title>tracksync: degraded</title>');
  });

  it('allows its one inline style by hash in the Content-Security-Policy, and nothing else', () => {
    const html = renderPage(model());
    expect(html).toContain(`<style>${STYLE}</style>`);
    const hash = createHash('sha256').update(STYLE).digest('base64');
    expect(PAGE_CSP).toContain(`style-src 'sha256-${hash}'`);
    expect(PAGE_CSP).toContain("default-src 'none'");
  });
});
