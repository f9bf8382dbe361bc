import { NOTES_MARKER, joinNotes, splitNotes } from '../../src/domain/notes.js';

describe("a row's Notes: the person's lines and tracksync's paragraph (src/domain/notes.ts)", () => {
  it("keeps the person's lines around tracksync's paragraph, and replaces only the paragraph", () => {
    const text = `Found at the Thursday set.\n${NOTES_MARKER} YouTube: no results\nAsk Sam for the stems.`;
    const { person, ours } = splitNotes(text);
    expect(person).toBe('Found at the Thursday set.\nAsk Sam for the stems.');
    expect(ours).toBe(`${NOTES_MARKER} YouTube: no results`);
    expect(joinNotes(person, `${NOTES_MARKER} Spotify: found`)).toBe(
      `Found at the Thursday set.\nAsk Sam for the stems.\n${NOTES_MARKER} Spotify: found`,
    );
    expect(joinNotes('', `${NOTES_MARKER} Spotify: found`)).toBe(`${NOTES_MARKER} Spotify: found`);
    expect(splitNotes('just mine')).toEqual({ person: 'just mine', ours: undefined });
  });
});
