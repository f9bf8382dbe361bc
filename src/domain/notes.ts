/**
 * A Music Tracks row's Notes belong to the person, except one paragraph tracksync writes there (the summary of a link
 * lookup, src/app/links.ts). That paragraph starts with a marker, so it can be replaced without touching the person's
 * lines, and a merge of duplicate rows (src/dedup/merge.ts) weighs only the person's lines.
 */
export const NOTES_MARKER = '[tracksync links]';

/** The person's lines (trimmed) and tracksync's own paragraph, if the text has one. */
export function splitNotes(text: string): { readonly person: string; readonly ours: string | undefined } {
  const lines = text.split('\n');
  return {
    person: lines
      .filter((line) => !line.startsWith(NOTES_MARKER))
      .join('\n')
      .trim(),
    ours: lines.find((line) => line.startsWith(NOTES_MARKER)),
  };
}

/** The person's lines, then tracksync's paragraph. */
export function joinNotes(person: string, ours: string | undefined): string {
  return [person, ours ?? ''].filter(Boolean).join('\n');
}
