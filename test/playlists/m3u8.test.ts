import { join } from 'node:path';
import { entryPath, renderM3u8 } from '../../src/playlists/m3u8.js';

// test/playlists/writers.test.ts reads whole files as the apps do; this checks the path line and the fallbacks.
describe('m3u8 entries', () => {
  const playlistDir = '/Music/Playlists';

  it('writes absolute paths, or relative ones with "/" that never start like a comment', () => {
    const path = join(playlistDir, 'Deep', 'A - B.m4a');
    expect(entryPath(path, { playlistDir, relativePaths: false })).toBe(path);
    expect(entryPath(path, { playlistDir, relativePaths: true })).toBe('Deep/A - B.m4a');
    expect(entryPath(join(playlistDir, '#1 Hit.m4a'), { playlistDir, relativePaths: true })).toBe('./#1 Hit.m4a');
    expect(entryPath('/Other/x.m4a', { playlistDir, relativePaths: true })).toBe('../../Other/x.m4a');
  });

  it('says -1 for an unknown length and leaves out an empty artist', () => {
    const text = renderM3u8('Set', [{ path: '/a.m4a', durationSeconds: null, artist: ' ', title: 'Untitled\nJam' }], {
      playlistDir,
      relativePaths: false,
    });
    expect(text).toBe('#EXTM3U\n#PLAYLIST:Set\n#EXTINF:-1,Untitled Jam\n/a.m4a\n');
  });
});
