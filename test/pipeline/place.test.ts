import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { destinationFolder, placeFiles } from '../../src/pipeline/place.js';
import { stageDeps } from '../helpers/pipeline.js';
import { tempDir } from '../helpers/tmp.js';

// Placement decides where a DJ finds the files: the playlist folder and the backups, never a file of another track
// replaced, never a half-written file, never a folder on an unplugged drive.
describe('placing the files', () => {
  const dir = tempDir('tracksync-place-');
  const deps = stageDeps(dir);
  const work = (name: string, content: string): string => {
    const path = join(deps.workDir, name);
    writeFileSync(path, content);
    return path;
  };

  it('puts each format in its destinations, named "Artist - Title", and indexes them for the page', async () => {
    const placed = await placeFiles(
      deps,
      { m4a: work('a.m4a', 'alac'), wav: work('a.wav', 'pcm') },
      { artist: 'Solar Echo', title: 'Golden Hour', playlist: 'Road/Trip' },
    );
    const m4a = join(dir, 'Playlists', 'Road-Trip', 'Solar Echo - Golden Hour.m4a');
    expect(placed.primary).toEqual({ m4a, wav: join(dir, 'Apple-Music-Auto-Add', 'Solar Echo - Golden Hour.wav') });
    expect(placed.all).toContain(join(dir, 'Djay-Pro-Auto-Import', 'Solar Echo - Golden Hour.m4a'));
    expect(placed.bytes).toBe(4 + 4 + 3);
    expect(deps.store.getLibraryFile(m4a)).toMatchObject({ page_id: 'page-1', format: 'm4a' });
    // No temp file is left next to the placed ones.
    expect(readdirSync(join(dir, 'Playlists', 'Road-Trip'))).toEqual(['Solar Echo - Golden Hour.m4a']);
  });

  it('replaces its own file, and numbers the name when it belongs to another track', async () => {
    const names = { artist: 'Solar Echo', title: 'Golden Hour', playlist: 'Road/Trip' };
    await placeFiles(deps, { aiff: work('b.aiff', 'one') }, names);
    const again = await placeFiles(deps, { aiff: work('b.aiff', 'two') }, names);
    const plain = join(dir, 'Playlists', 'Road-Trip', 'Solar Echo - Golden Hour.aiff');
    expect(again.primary.aiff).toBe(plain);
    expect(readFileSync(plain, 'utf8')).toBe('two');
    const other = await placeFiles({ ...deps, pageId: 'page-2' }, { aiff: work('c.aiff', 'other') }, names);
    expect(other.primary.aiff).toBe(join(dir, 'Playlists', 'Road-Trip', 'Solar Echo - Golden Hour (2).aiff'));
    expect(readFileSync(plain, 'utf8')).toBe('two');
  });

  it('waits for an unplugged volume instead of creating its folder on the system disk', async () => {
    const unplugged = stageDeps(tempDir(), { env: { OUT_DIR: '/Volumes/TRACKSYNC-NO-SUCH-DRIVE/Playlists' } });
    const error = await placeFiles(
      unplugged,
      { aiff: work('d.aiff', 'x') },
      { artist: 'A', title: 'B', playlist: null },
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'VOLUME_NOT_MOUNTED',
      details: { folder: '/Volumes/TRACKSYNC-NO-SUCH-DRIVE/Playlists/Unassigned' },
    });
    expect(destinationFolder(deps.config, 'out', null)).toBe(join(dir, 'Playlists', 'Unassigned'));
  });
});
