import { cutToBytes, numberedName, safeSegment, trackFileName } from '../../src/domain/names.js';

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
