import { cleanText, hasControlCharacters } from '../src/text.js';

// Titles and artists from Notion or a site become tags, file names and subprocess arguments: a NUL makes spawn throw,
// and terminal escapes or carriage returns hide in names. Tabs and line breaks become one space so words stay apart.
describe('cleanText and hasControlCharacters (src/text.ts)', () => {
  it('turns tabs and line breaks into single spaces and drops C0, DEL and C1 control characters', () => {
    expect(cleanText('Artist\t-\r\nTitle')).toBe('Artist - Title');
    expect(cleanText('a\u0000b\u0007c\u001b[31md\u007fe\u0085f\u009fg')).toBe('abc[31mdefg');
    expect(cleanText('Björk – Jóga (Remix) 🎧')).toBe('Björk – Jóga (Remix) 🎧');
  });

  it('finds a control character every time it is asked, not only every other time (a global regex keeps state)', () => {
    expect(hasControlCharacters('bad\u0000name')).toBe(true);
    expect(hasControlCharacters('bad\u0000name')).toBe(true);
    expect(hasControlCharacters('line\nbreak\tand tab')).toBe(false);
    expect(hasControlCharacters(cleanText('bad\u0000name\u001b'))).toBe(false);
  });
});
