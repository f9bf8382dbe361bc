import { assignPlaylistNames, UNTITLED_PLAYLIST } from '../../src/playlists/names.js';

const list = (...names: string[]) => names.map((name, i) => ({ pageId: `p${i}`, name }));

describe('playlist file names', () => {
  it('gives hostile, empty, long and colliding names safe, distinct files, and says why', () => {
    const playlists = list(
      'Warm-up',
      '../../etc/passwd',
      '',
      'a\u0000b',
      'x'.repeat(500),
      'Warm-up',
      'WARM-UP',
      'Tech/House',
      'Tech-House',
      'Ünïcødé 🎧 Set',
    );
    const names = assignPlaylistNames(playlists, new Map(), 200);
    const files = playlists.map((p) => names.get(p.pageId)!.fileName);
    for (const file of files) {
      expect(file).toMatch(/\.m3u8$/);
      expect(file).not.toMatch(/[/\\:\u0000]/);
      expect(file.startsWith('.')).toBe(false);
      expect(Buffer.byteLength(file)).toBeLessThanOrEqual(200);
    }
    // Distinct, ignoring case as the Mac's file system does.
    expect(new Set(files.map((f) => f.toLowerCase())).size).toBe(files.length);
    expect(files[0]).toBe('Warm-up.m3u8');
    expect(files[5]).toBe('Warm-up (2).m3u8');
    expect(files[6]).toBe('WARM-UP (3).m3u8');
    expect(files[2]).toBe(`${UNTITLED_PLAYLIST}.m3u8`);
    expect(files[9]).toBe('Ünïcødé 🎧 Set.m3u8');
    expect(names.get('p0')!.note).toBeUndefined();
    expect(names.get('p1')!.note).toMatch(/cannot hold/);
    expect(names.get('p2')!.note).toMatch(/no name/);
    expect(names.get('p4')!.note).toMatch(/longer than/);
    expect(names.get('p5')!.note).toMatch(/already has that file name/);
    // Labels (what the DJ apps show) keep what was typed, numbered only where two are the same.
    expect(names.get('p7')!.label).toBe('Tech/House');
    expect(names.get('p5')!.label).toBe('Warm-up (2)');
    expect(names.get('p3')!.label).toBe('a b');
  });

  it('keeps each playlist its file from one export to the next, whoever comes first', () => {
    const playlists = list('Set', 'Set');
    const first = assignPlaylistNames(playlists, new Map(), 200);
    expect(first.get('p1')!.fileName).toBe('Set (2).m3u8');
    // A new playlist named "Set" created before the others in the list does not take their files.
    const again = assignPlaylistNames(
      [{ pageId: 'new', name: 'Set' }, ...playlists],
      new Map([
        ['p0', 'Set.m3u8'],
        ['p1', 'Set (2).m3u8'],
      ]),
      200,
    );
    expect([again.get('p0')!.fileName, again.get('p1')!.fileName, again.get('new')!.fileName]).toEqual([
      'Set.m3u8',
      'Set (2).m3u8',
      'Set (3).m3u8',
    ]);
  });

  it("never takes the name of a file that is not tracksync's", () => {
    const names = assignPlaylistNames(list('Mine'), new Map(), 200, (f) => f === 'Mine.m3u8');
    expect(names.get('p0')!.fileName).toBe('Mine (2).m3u8');
  });
});
