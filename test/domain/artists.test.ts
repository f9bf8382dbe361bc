import { splitArtists, isRejectedArtistName } from '../../src/domain/artists.js';

describe('artist names', () => {
  it('links every named artist, remixers and featured ones included', () => {
    expect(splitArtists('Disclosure, Sam Smith')).toEqual(['Disclosure', 'Sam Smith']);
    expect(splitArtists('Fred again.. & Skrillex x Four Tet')).toEqual(['Fred again..', 'Skrillex', 'Four Tet']);
    expect(splitArtists('Calvin Harris feat. Rihanna')).toEqual(['Calvin Harris', 'Rihanna']);
    expect(splitArtists('Lane 8', 'Brightest Lights (Tinlicker Remix) (feat. POLIÇA)')).toEqual([
      'Lane 8',
      'POLIÇA',
      'Tinlicker',
    ]);
  });

  it('never creates the legacy junk names', () => {
    for (const name of ['Unknown Artist', 'VA', 'various artists', 'tracks', 'user-123456789', '  ', 'N/A'])
      expect(isRejectedArtistName(name)).toBe(true);
    expect(splitArtists('Unknown Artist, user-98765432, Real Name')).toEqual(['Real Name']);
    expect(isRejectedArtistName('user-12')).toBe(false);
  });
});
