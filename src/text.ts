/**
 * Text from Notion, a site's metadata or Spotify, before it becomes a tag, a subprocess argument, a search query or a
 * file name: control characters (C0 with NUL, DEL, C1) are removed, tabs and line breaks become spaces. A NUL cannot
 * be passed to a process at all (spawn throws), and the others hide in tags and names (terminal escapes, "\r").
 */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;
const BREAKS = /[\t\n\r]+/g;

export function cleanText(text: string): string {
  return text.replace(BREAKS, ' ').replace(CONTROL, '');
}

/** Whether a text still has a control character other than tab and line breaks (for the subprocess guard). */
export function hasControlCharacters(text: string): boolean {
  CONTROL.lastIndex = 0;
  return CONTROL.test(text);
}
