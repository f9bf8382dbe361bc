import { REKORDBOX_KINDS, fileUrl, renderRekordboxXml } from '../../src/playlists/rekordbox.js';

// test/playlists/writers.test.ts reads a whole file back as rekordbox would; this checks what it leaves out: the
// counts rekordbox reads before the lists, the folder the playlists go in, and names macOS stores decomposed.
describe('rekordbox xml', () => {
  it('writes the same URL for a name in either Unicode form (macOS may hand us "o" + combining diaeresis)', () => {
    const composed = '/Users/dj/Bj\u00f6rk.aiff';
    const decomposed = '/Users/dj/Bjo\u0308rk.aiff';
    expect(fileUrl(decomposed)).toBe(fileUrl(composed));
    expect(fileUrl('relative/a b.wav')).toBe('file://localhost/relative/a%20b.wav');
  });

  it('counts the collection, the folder and each playlist, inside the named folder', () => {
    const track = {
      trackId: 7,
      name: 'Golden Hour',
      artist: 'Solar Echo',
      album: '',
      genre: '',
      kind: REKORDBOX_KINDS.m4a!,
      sizeBytes: 10.4,
      totalTimeSeconds: 200.6,
      dateAdded: '2026-11-20',
      bitRateKbps: 1411.2,
      sampleRateHz: 44_100,
      averageBpm: 122,
      tonality: 'Am',
      comments: '',
      path: '/a.m4a',
    };
    const xml = renderRekordboxXml([track], [{ name: 'Road Trip', trackIds: [7, 7] }], {
      folderName: 'tracksync',
      productVersion: '1.2.3',
    });
    expect(xml).toContain('<COLLECTION Entries="1">');
    expect(xml).toContain('Kind="M4A File"');
    expect(xml).toContain('Size="10" TotalTime="201" AverageBpm="122.00"');
    expect(xml).toMatch(/<NODE Type="0" Name="ROOT" Count="1">\s*<NODE Type="0" Name="tracksync" Count="1">/);
    expect(xml).toContain('<NODE Type="1" Name="Road Trip" KeyType="0" Entries="2">');
    expect(xml).toContain('<PRODUCT Name="tracksync" Version="1.2.3" Company="tracksync"/>');
  });
});
