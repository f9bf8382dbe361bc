import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Store } from '../../state/store.js';
import { decodeFields } from '../../src/app/sources/common.js';
import { loadConfig } from '../../src/config/load.js';
import { checkBeforeDownload, identities, type DedupDeps } from '../../src/dedup/checks.js';
import type { FieldValue } from '../../src/notion/codecs.js';
import type { FieldKey } from '../../src/notion/databases.js';
import type { PageResponse } from '../../src/notion/gateway.js';
import { createRow } from '../../src/notion/rows.js';
import { trackRow } from '../../src/pipeline/context.js';
import { gatewayFor, seededSchema, withSandbox } from '../helpers/notion.js';
import { tempDir } from '../helpers/tmp.js';

// Never twice: before a download, a track already synced under another row, or already on disk, is used instead.
describe('dedup checks before a download', async () => {
  const sandbox = await withSandbox();
  const notion = gatewayFor(sandbox);
  const tracks = seededSchema('tracks');
  const config = loadConfig({ env: sandbox.env(), cwd: '/' });
  const dir = tempDir('tracksync-checks-');
  const store = Store.open(join(dir, 'state.sqlite'));
  // Only files that exist are adopted: these stand for placed files.
  const out = join(dir, 'out');
  mkdirSync(out);
  const file = (name: string): string => {
    writeFileSync(join(out, name), 'audio');
    return join(out, name);
  };
  afterAll(() => store.close());
  const deps: DedupDeps = {
    config: { ...config, library: { ...config.library, mergeExactDuplicates: false } },
    notion,
    schema: tracks,
    store: store.library,
    eagle: undefined,
  };
  let n = 0;
  const row = async (values: Partial<Record<FieldKey<'tracks'>, FieldValue>>): Promise<PageResponse> =>
    (await createRow(notion, tracks, { key: `row-${(n += 1)}`, values, find: async () => undefined })).page;
  const check = (page: PageResponse) =>
    checkBeforeDownload(deps, page, trackRow({ page, fields: decodeFields(tracks, page) } as never));
  const index = (path: string, pageId: string | null, durationSeconds: number, title: string, artist: string) =>
    store.library.upsertIndexedFile(
      {
        path,
        root: null,
        pageId,
        format: path.slice(path.lastIndexOf('.') + 1),
        size: 1,
        mtimeMs: 0,
        durationSeconds,
        title,
        artist,
        album: null,
        bpm: null,
        musicalKey: null,
        normTitle: title.toLowerCase(),
        normArtist: artist.toLowerCase(),
        fingerprint: null,
        fingerprintRaw: null,
        scanId: null,
        now: 0,
      },
      [],
    );

  it('knows a track by its Spotify id, SoundCloud URL, YouTube video id or ISRC, in whichever column', () => {
    const page = {
      properties: {
        [tracks.fields.spotifyUrl!.name]: { type: 'url', url: 'https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC' },
        [tracks.fields.sourceUrl!.name]: { type: 'url', url: 'https://youtu.be/dQw4w9WgXcQ' },
        [tracks.fields.isrc!.name]: { type: 'rich_text', rich_text: [{ plain_text: 'usrc17607839' }] },
      },
    } as unknown as PageResponse;
    expect([...identities(tracks, page)].sort()).toEqual([
      'isrc:USRC17607839',
      'spotify:4uLU6hMCjMI75M1A2tKUQC',
      'youtube:dQw4w9WgXcQ',
    ]);
  });

  it('uses the files of a synced row with the same id (merging off), then files of the same name and duration', async () => {
    await row({
      title: 'Golden Hour',
      artistName: 'Solar Echo',
      youtubeUrl: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ',
      downloaded: true,
      m4aPath: file('Solar Echo - Golden Hour.m4a'),
    });
    const sameVideo = await row({ title: 'golden hour', sourceUrl: 'https://youtu.be/dQw4w9WgXcQ' });
    expect(await check(sameVideo)).toMatchObject({
      kind: 'adopt',
      files: { m4a: join(out, 'Solar Echo - Golden Hour.m4a') },
    });

    index(file('Moon Drift - Midnight Drive.aiff'), 'someone-else', 201, 'midnight drive', 'moon drift');
    const near = await row({ title: 'Midnight Drive', artistName: 'Moon Drift', durationSeconds: 200 });
    expect(await check(near)).toMatchObject({
      kind: 'adopt',
      files: { aiff: join(out, 'Moon Drift - Midnight Drive.aiff') },
    });
    const longer = await row({ title: 'Midnight Drive', artistName: 'Moon Drift', durationSeconds: 320 });
    expect(await check(longer)).toEqual({ kind: 'new' });
  });

  it("adopts the row's own files already on disk, and says new for a track it has never seen", async () => {
    const page = await row({ title: 'Sea Glass', artistName: 'Tide Pool' });
    expect(await check(page)).toEqual({ kind: 'new' });
    index(file('Tide Pool - Sea Glass.wav'), page.id, 180, 'sea glass', 'tide pool');
    expect(await check(page)).toMatchObject({ kind: 'adopt', files: { wav: join(out, 'Tide Pool - Sea Glass.wav') } });
  });
});
