import { camelotCode, parseKey, rekordboxTonality } from '../../src/playlists/keys.js';

describe('keys in the spelling rekordbox shows', () => {
  it('reads what tracksync writes and what people type, and spells it as rekordbox does', () => {
    const cases: Array<[string, string, string]> = [
      ['A Minor', 'Am', '8A'],
      ['F# Minor', 'F#m', '11A'],
      ['C# Minor', 'Dbm', '12A'],
      ['G# minor', 'Abm', '1A'],
      ['Eb Major', 'Eb', '5B'],
      ['F# Major', 'F#', '2B'],
      ['Gb major', 'F#', '2B'],
      ['C Major', 'C', '8B'],
      ['c#m', 'Dbm', '12A'],
      ['Bbm', 'Bbm', '3A'],
      ['D♭', 'Db', '3B'],
      ['8A', 'Am', '8A'],
      ['12b', 'E', '12B'],
      ['B', 'B', '1B'],
      ['bm', 'Bm', '10A'],
    ];
    for (const [typed, tonality, camelot] of cases) {
      const key = parseKey(typed);
      expect({ typed, tonality: rekordboxTonality(key), camelot: camelotCode(key) }).toEqual({
        typed,
        tonality,
        camelot,
      });
    }
  });

  it('gives nothing for text that is not a key', () => {
    for (const text of ['', 'unknown', 'H minor', '13A', 'A lydian']) expect(parseKey(text)).toBeUndefined();
    expect(rekordboxTonality(undefined)).toBe('');
  });
});
