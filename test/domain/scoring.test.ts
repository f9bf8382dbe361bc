import { chooseCandidate, coreTitle, scoreCandidate } from '../../src/domain/scoring.js';

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
