/**
 * Names from Notion become file and folder names only through here. The result is one path segment that macOS (and
 * every other system tracksync might copy to) accepts, that cannot escape its folder, and that keeps what the user
 * typed as far as possible: "Artist - Title.ext", Unicode letters, emoji and right-to-left text kept, NFC (as APFS
 * stores names), at most `maxBytes` UTF-8 bytes.
 */

/** Path separators, the classic Mac separator ":", and characters Windows and SMB shares refuse. */
const UNSAFE = /[/\\:*?"<>|]/g;
/**
 * Control characters, including NUL, and the bidirectional overrides that can disguise an extension ("song‮gpj.exe").
 */
export const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200b\u202a-\u202e\u2066-\u2069\ufeff]/g;

const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** Cuts text to at most `maxBytes` UTF-8 bytes without splitting a character or a combining sequence. */
export function cutToBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let out = '';
  let bytes = 0;
  for (const { segment } of segmenter.segment(text)) {
    const size = Buffer.byteLength(segment);
    if (bytes + size > maxBytes) break;
    out += segment;
    bytes += size;
  }
  return out;
}

/** A single safe path segment (no extension handling). Never empty, never "." or "..". */
export function safeSegment(raw: string, maxBytes: number, fallback = 'Untitled'): string {
  let name = raw.normalize('NFC').replace(INVISIBLE, '').replace(UNSAFE, '-').replace(/\s+/g, ' ');
  name = name.replace(/^[\s.]+|[\s.]+$/g, ''); // no hidden files, no trailing dots or spaces (Finder and SMB trip on them)
  name = cutToBytes(name, maxBytes).replace(/[\s.]+$/g, '');
  return name === '' || /^-+$/.test(name) ? fallback : name;
}

/** "Artist - Title.ext", safe and at most `maxBytes` bytes including the extension. */
export function trackFileName(artist: string, title: string, extension: string, maxBytes: number): string {
  const ext = `.${extension.replace(/^\./, '')}`;
  const base = artist.trim() ? `${artist.trim()} - ${title.trim()}` : title.trim();
  return `${safeSegment(base, maxBytes - Buffer.byteLength(ext))}${ext}`;
}

/** "Name (2).ext" for the n-th name when the plain one belongs to another track. */
export function numberedName(fileName: string, n: number): string {
  const dot = fileName.lastIndexOf('.');
  return dot > 0 ? `${fileName.slice(0, dot)} (${n})${fileName.slice(dot)}` : `${fileName} (${n})`;
}
