import { idKey, membersOf, readNotionPlaylists } from '../../src/playlists/model.js';
import { withSandbox } from '../helpers/notion.js';
import { tempDir } from '../helpers/tmp.js';
import { playlistWorld } from './world.js';

// The export reads playlists and their tracks from Notion over real HTTP: a playlist's order is its relation's, and a
// relation longer than a page object shows (25) is read in full, or reused only while it cannot have changed.
describe('reading the Notion playlists', async () => {
  const sandbox = await withSandbox();
  const world = await playlistWorld(sandbox, tempDir('tracksync-playlist-model-'));
  const deps = await world.deps();
  const [a, b, c] = ['Golden Hour', 'Midnight Drive', 'Sea Glass'].map((title) => world.track({ title, bpm: 120 }));
  const small = world.playlist('Road Trip', [c!, a!, b!]);
  const many = Array.from({ length: 30 }, (_, i) => world.track({ title: `Track ${i}` }));
  const big = world.playlist('Long Set', many);

  it("reads every playlist, every track's fields, and a playlist's tracks in the relation's order", async () => {
    const notion = await readNotionPlaylists(deps);
    expect(notion.membership).toBe('playlist-relation');
    expect(notion.playlists.map((p) => p.name)).toEqual(['Road Trip', 'Long Set']);
    expect(notion.tracks.get(idKey(a!))).toMatchObject({ title: 'Golden Hour', downloaded: true, bpm: 120 });
    const road = notion.playlists.find((p) => p.pageId === small)!;
    expect(await membersOf(deps, notion, road, undefined)).toEqual({ ids: [c, a, b], source: 'page' });
  });

  it('reads a long relation in full, and reuses the last read only while the page has not been edited since', async () => {
    const notion = await readNotionPlaylists(deps);
    const long = notion.playlists.find((p) => p.pageId === big)!;
    const read = await membersOf(deps, notion, long, undefined);
    expect(read).toMatchObject({ source: 'read', ids: many });
    const cached = {
      page_edited_at: long.lastEditedTime,
      members_read_at: Date.parse(long.lastEditedTime) + deps.config.playlists.relationSettleMs,
      member_ids_json: JSON.stringify(many.slice(0, 3)),
    } as never;
    expect(await membersOf(deps, notion, long, cached)).toEqual({ ids: many.slice(0, 3), source: 'cache' });
    // A read made in the same minute as the edit may have missed it: read again.
    const tooSoon = { ...(cached as object), members_read_at: Date.parse(long.lastEditedTime) } as never;
    expect(await membersOf(deps, notion, long, tooSoon)).toMatchObject({ source: 'read', ids: many });
  });
});
