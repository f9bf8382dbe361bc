import { splitArtists, isRejectedArtistName } from '../../src/domain/artists.js';
import { cutToBytes, numberedName, safeSegment, trackFileName } from '../../src/domain/names.js';
import { chooseCandidate, coreTitle, scoreCandidate } from '../../src/domain/scoring.js';

describe('file names', () => {
  it('keeps what the user typed, minus what a path cannot hold', () => {
    expect(trackFileName('Beyoncé & JAY-Z', 'Crazy in Love (Remix): Part 2/3', 'm4a', 200)).toBe(
      'Beyoncé & JAY-Z - Crazy in Love (Remix)- Part 2-3.m4a',
    );
    expect(trackFileName('', '...hidden', 'wav', 200)).toBe('hidden.wav');
    expect(safeSegment('..', 200)).toBe('Untitled');
    expect(safeSegment('\u0000\u0001', 200)).toBe('Untitled');
    expect(trackFileName('A', 'e\u0301', 'aiff', 200)).toBe('A - é.aiff'); // NFC, as APFS stores names
  });

  it('cuts long names by bytes without breaking a character', () => {
    const name = trackFileName('Ω', '🎧'.repeat(200), 'm4a', 200);
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(200);
    expect(name.endsWith('🎧.m4a')).toBe(true);
    expect(cutToBytes('ae\u0301e\u0301', 4)).toBe('ae\u0301'); // the combining accent stays with its letter
    expect(numberedName('A - B.m4a', 2)).toBe('A - B (2).m4a');
  });
});

describe('candidate scoring', () => {
  const target = { title: 'Golden Hour', artist: 'Solar Echo', durationSeconds: 200 };
  const gap = 30;

  it('prefers the right version: official audio over live, remix and a longer cut', () => {
    const candidates = [
      { title: 'Solar Echo - Golden Hour (Live)', url: 'live', durationSeconds: 200 },
      { title: 'Solar Echo - Golden Hour (Club Remix)', url: 'remix', durationSeconds: 203 },
      { title: 'Solar Echo - Golden Hour', url: 'long', durationSeconds: 220 },
      { title: 'Golden Hour', url: 'topic', uploader: 'Solar Echo - Topic', durationSeconds: 201 },
      { title: 'Solar Echo - Golden Hour (Official Audio)', url: 'official', durationSeconds: 200 },
    ];
    const { chosen, scored } = chooseCandidate(target, candidates, { acceptScore: 0.75, maxDurationGapSeconds: gap });
    expect(['official', 'topic']).toContain(chosen?.url);
    expect(scored.find((c) => c.url === 'live')!.score).toBeLessThan(chosen!.score);
    expect(scored.find((c) => c.url === 'long')!.score).toBeLessThan(chosen!.score);
  });

  it('rejects a duration gap over 30 s and lets an exact ISRC win', () => {
    expect(
      scoreCandidate(target, { title: 'Solar Echo - Golden Hour', url: 'x', durationSeconds: 260 }, gap).rejected,
    ).toMatch(/60 s/);
    expect(
      scoreCandidate(
        { ...target, isrc: 'GBAYE2400001' },
        { title: 'something else', url: 'x', isrc: 'gbaye2400001' },
        gap,
      ).score,
    ).toBe(1);
    const { chosen } = chooseCandidate(target, [{ title: 'Another Song', url: 'x', durationSeconds: 200 }], {
      acceptScore: 0.75,
      maxDurationGapSeconds: gap,
    });
    expect(chosen).toBeUndefined();
  });

  it('cleans titles the way the legacy dedup did', () => {
    expect(coreTitle('Strobe (Club Edit) [HD] feat. Someone')).toBe('strobe');
    expect(coreTitle('RÜFÜS DU SOL — Innerbloom')).toBe('rufus du sol innerbloom');
  });
});

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
