import { decodeProperty } from '../../src/notion/codecs.js';
import { ensurePlaylistPage } from '../../src/domain/playlists.js';
import { gatewayFor, seededSchema, withSandbox } from '../helpers/notion.js';

// A playlist task or feed links its tracks to one Music Playlists page per name: found, or created once.
describe('ensurePlaylistPage', async () => {
  const sandbox = await withSandbox();
  const notion = gatewayFor(sandbox);
  const playlists = seededSchema('playlists');
  const schemas = { playlists } as never;

  it('creates the page once and finds it by its exact name afterwards', async () => {
    const id = await ensurePlaylistPage(
      notion,
      schemas,
      'Road Trip',
      'https://open.spotify.com/playlist/37i9dQZF1DXcBWIGoYBM5M',
    );
    expect(await ensurePlaylistPage(notion, schemas, 'Road Trip', 'https://other.test')).toBe(id);
    const other = await ensurePlaylistPage(notion, schemas, 'road trip', 'https://x.test');
    expect(other).not.toBe(id);
    const names = sandbox.workspace
      .allPages(playlists.dataSourceId)
      .map((p) => decodeProperty(p.properties[playlists.fields.name!.name]));
    expect(names.sort()).toEqual(['Road Trip', 'road trip']);
  });

  it('links nothing when Music Playlists is not configured', async () => {
    expect(
      await ensurePlaylistPage(notion, { playlists: undefined } as never, 'Road Trip', 'https://x.test'),
    ).toBeUndefined();
  });
});
