import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Store } from '../../state/store.js';
import { decodeProperty } from '../../src/notion/codecs.js';
import { readTags } from '../../src/media/tags.js';
import { makeClip } from '../helpers/audio.js';
import { cli } from '../helpers/cli.js';
import { text, title } from '../helpers/notion.js';
import { pipelineWorld } from '../helpers/pipeline.js';
import { filesUnder } from '../helpers/tmp.js';

/**
 * Where a URL typed into Notion may lead tracksync, through the real CLI, yt-dlp, ffmpeg and the local Notion (issue
 * 17): every address on this machine in every spelling, a redirect from an allowed site to one, a redirect to file:,
 * "audio" that is an HLS playlist or a concat list naming a file on this machine, an endless stream, a mix the page
 * announces, a feed given as a track, and control characters bound for the tags. The test world allows the local media
 * server's port only (TRACKSYNC_ALLOW_PRIVATE_HOSTS); another local server stands for what must never be reached.
 */
describe('hostile sources, through the CLI', async () => {
  const world = await pipelineWorld();
  const { sandbox, media } = world;
  const clip = await makeClip({ seconds: 12, tonic: 2, mode: 'major', bpm: 96 });

  // The "internal service": it answers with audio, so that reaching it would make a row succeed. It must never be hit.
  const hits: string[] = [];
  const internal = async (host: string): Promise<Server> => {
    const server = createServer((req, res) => {
      hits.push(`${host} ${req.method} ${req.url}`);
      res.writeHead(200, { 'content-type': 'audio/mpeg', 'content-length': String(clip.length) });
      res.end(clip);
    });
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    return server;
  };
  const v4 = await internal('127.0.0.1');
  const v6 = await internal('::1');
  afterAll(() => {
    v4.close();
    v6.close();
  });
  const p4 = (v4.address() as AddressInfo).port;
  const p6 = (v6.address() as AddressInfo).port;

  // A private file on this machine with audio in it: what an HLS playlist or a concat list "served as audio" names.
  const privateDir = join(world.dir, 'private');
  mkdirSync(privateDir, { recursive: true });
  const privateFile = join(privateDir, 'local-secret.mp3');
  writeFileSync(privateFile, await makeClip({ seconds: 20, tonic: 7, mode: 'minor', bpm: 140, timbre: 'square' }));

  // A short download time limit: without the size cap, the endless stream would run into it and be retried.
  const env = world.cliEnv('sources', { media: { downloadTimeoutMs: 30_000 } })('sources-state', {
    TRACKSYNC_MAX_DOWNLOAD_MB: '1',
  });
  const row = (name: string, properties: Record<string, unknown>) =>
    sandbox.workspace.createPage({
      parent: { data_source_id: sandbox.ids.tracks.dataSourceId },
      properties: { Title: title(name), 'Artist Name': text('Hostile'), ...properties },
    }).id;
  const url = (value: string) => ({ 'Source URL': { url: value } });
  const said = (id: string): string =>
    [
      ...sandbox.workspace
        .comments()
        .filter((c) => (c.parent as { page_id: string }).page_id === id)
        .map((c) => c.rich_text.map((t) => t.plain_text).join('')),
      String(decodeProperty(sandbox.workspace.retrievePage(id).properties['Processing Error']) ?? ''),
    ].join('\n');

  it('refuses local and private addresses in every spelling and behind a redirect, follows no playlist in a download, stops an endless stream at the cap, and cleans control characters', async () => {
    const secret = `/secret.mp3`;
    media.redirect('/audio/to-internal.mp3', `http://127.0.0.1:${p4}${secret}`);
    media.redirect('/audio/to-file.mp3', 'file:///etc/passwd');
    const feedUrls = await Promise.all(
      ['one', 'two', 'three'].map(async (n, i) =>
        media.addFile(`feed-${n}.mp3`, await makeClip({ seconds: 10, tonic: i })),
      ),
    );
    media.addSearchResults(
      'threefeed',
      feedUrls.map((u, i) => ({ title: `Feed entry ${i + 1}`, url: u, durationSeconds: 10 })),
    );
    media.addSearchResults('longmix', [
      { title: 'Two-hour set', url: await media.addFile('set.mp3', clip), durationSeconds: 7200 },
    ]);
    const rows = {
      loopback: row('Loopback', url(`http://127.0.0.1:${p4}${secret}`)),
      hex: row('Hex', url(`http://0x7f000001:${p4}${secret}`)),
      decimal: row('Decimal', url(`http://2130706433:${p4}${secret}`)),
      localhost: row('Localhost', url(`http://localhost:${p4}${secret}`)),
      v6: row('IPv6 loopback', url(`http://[::1]:${p6}${secret}`)),
      mapped: row('IPv4-mapped', url(`http://[::ffff:127.0.0.1]:${p4}${secret}`)),
      redirect: row('Redirect inside', url(`${media.url}/audio/to-internal.mp3`)),
      fileScheme: row('Redirect to file', url(`${media.url}/audio/to-file.mp3`)),
      hls: row(
        'HLS in disguise',
        url(
          await media.addFile(
            'playlist.mp3',
            Buffer.from(`#EXTM3U\n#EXT-X-TARGETDURATION:20\n#EXTINF:20,\n${privateFile}\n#EXT-X-ENDLIST\n`),
          ),
        ),
      ),
      concat: row(
        'Concat in disguise',
        url(await media.addFile('list.mp3', Buffer.from(`ffconcat version 1.0\nfile '${privateFile}'\n`))),
      ),
      endless: row('Endless', url(media.addEndlessStream('live.mp3', clip))),
      longMix: row('Announced mix', url(`${media.url}/youtube/search.rss?q=longmix`)),
      feed: row('A feed as a track', url(`${media.url}/youtube/search.rss?q=threefeed`)),
      control: sandbox.workspace.createPage({
        parent: { data_source_id: sandbox.ids.tracks.dataSourceId },
        properties: {
          Title: title('Bell\u0007 Nul\u0000 Esc\u001b[31m Red\r\nLine'),
          'Artist Name': text('Ctrl\u0001 Artist\u007f'),
          ...url(await media.addFile('control.mp3', clip)),
        },
      }).id,
    };
    const result = await cli(['once'], env);
    expect(result.exitCode, result.stderr.slice(-3000)).toBe(0);

    const store = Store.open(join(world.dir, 'sources-state', 'tracksync.sqlite'));
    try {
      const item = (id: string) => store.items.getItemByPage('tracks', id)!;
      // Nothing on this machine was reached, in any spelling, directly or through a redirect.
      expect(hits).toEqual([]);
      for (const [name, host] of [
        ['loopback', '127.0.0.1'],
        ['hex', '127.0.0.1'],
        ['decimal', '127.0.0.1'],
        ['localhost', 'localhost'],
        ['v6', '::1'],
        ['mapped', '::ffff:7f00:1'],
        ['redirect', '127.0.0.1'],
      ] as const) {
        const it = item(rows[name]);
        expect(it, name).toMatchObject({
          state: 'failed',
          last_error_code: 'SOURCE_FORBIDDEN',
          last_error_kind: 'permanent',
          attempts: 1,
        });
        // The reason names the host and the setting that would allow it, on the row too.
        expect(it.last_error_message, name).toContain(`"${host}"`);
        expect(it.last_error_message, name).toContain('TRACKSYNC_ALLOW_PRIVATE_HOSTS');
        expect(said(rows[name]), name).toContain('TRACKSYNC_ALLOW_PRIVATE_HOSTS');
      }
      // A redirect to file: is refused once, for good; not retried eight times.
      expect(item(rows.fileScheme)).toMatchObject({
        state: 'failed',
        last_error_code: 'SOURCE_FORBIDDEN',
        last_error_kind: 'permanent',
        attempts: 1,
      });
      expect(item(rows.fileScheme).last_error_message).toMatch(/redirect.*file/i);
      // "Audio" that names a local file: refused before anything reads it; the local file's tempo never reaches Notion.
      for (const name of ['hls', 'concat'] as const) {
        expect(item(rows[name]), name).toMatchObject({
          state: 'failed',
          last_error_code: 'UNSAFE_MEDIA',
          last_error_kind: 'permanent',
        });
        expect(item(rows[name]).last_error_message, name).toContain(name === 'hls' ? '"hls"' : '"concat"');
        expect(decodeProperty(sandbox.workspace.retrievePage(rows[name]).properties.Tempo), name).toBeNull();
        expect(decodeProperty(sandbox.workspace.retrievePage(rows[name]).properties.Downloaded), name).toBe(false);
      }
      // The endless stream stops at the 1 MB cap: a permanent, clear reason, and no partial file left anywhere.
      expect(item(rows.endless)).toMatchObject({
        state: 'failed',
        last_error_code: 'DOWNLOAD_TOO_LARGE',
        last_error_kind: 'permanent',
      });
      expect(item(rows.endless).last_error_message).toContain('1 MB');
      expect(said(rows.endless)).toContain('TRACKSYNC_MAX_DOWNLOAD_MB');
      expect(
        filesUnder(join(world.dir, 'sources-state')).filter(
          (p) => statSync(p).size > 512 * 1024 && !p.includes('tracksync.sqlite'),
        ),
      ).toEqual([]);
      expect(existsSync(join(world.dir, 'sources-state', 'work', String(item(rows.endless).id)))).toBe(false);
      // A mix the page announces is refused from the metadata, before the download.
      expect(item(rows.longMix)).toMatchObject({ state: 'failed', last_error_code: 'MIX_DETECTED' });
      expect(item(rows.longMix).last_error_message).toContain('nothing was downloaded');
      // A feed given as a track: its first entry only, and the row says so.
      expect(item(rows.feed)).toMatchObject({ state: 'done', outcome: 'synced' });
      const fetched = media.requests().filter((r) => r.startsWith('GET /audio/feed-'));
      expect(fetched.some((r) => r.includes('feed-one'))).toBe(true);
      expect(fetched.filter((r) => !r.includes('feed-one'))).toEqual([]);
      expect(said(rows.feed)).toContain('only its first entry was downloaded');
      // Control characters: gone from the tags and the file names, the row otherwise synced as usual.
      expect(item(rows.control)).toMatchObject({ state: 'done', outcome: 'synced' });
      const m4a = String(decodeProperty(sandbox.workspace.retrievePage(rows.control).properties['M4A File Path']));
      const tags = await readTags(m4a);
      expect(tags.title).toBe('Bell Nul Esc[31m Red Line');
      expect(tags.artist).toBe('Ctrl Artist');
      expect(m4a).not.toMatch(/[\u0000-\u001f\u007f]/);
    } finally {
      store.close();
    }
    expect(readdirSync(privateDir)).toEqual(['local-secret.mp3']);
  }, 240_000);
});
