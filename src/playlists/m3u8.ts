import { relative, sep } from 'node:path';
import { INVISIBLE } from '../domain/names.js';

/**
 * Extended M3U in UTF-8 (".m3u8"): "#EXTM3U", then per track "#EXTINF:<seconds>,<artist> - <title>" and the file's
 * path on the next line, as Winamp defined it and every player since reads it (Apple Music, djay, VLC, Traktor, Serato,
 * rekordbox's import). "#PLAYLIST:" names the playlist for players that show it (VLC, Foobar) and is a comment for the
 * others. One line per field: a title with a line break would otherwise start a line of its own, so line breaks and
 * other control characters become spaces.
 */

export interface M3uEntry {
  /** Absolute path of the audio file (checked to exist by the caller). */
  readonly path: string;
  readonly durationSeconds: number | null;
  readonly artist: string;
  readonly title: string;
}

export interface M3uOptions {
  /** The folder the .m3u8 file is in: relative entries are relative to it. */
  readonly playlistDir: string;
  /** Paths relative to the playlist file instead of absolute. */
  readonly relativePaths: boolean;
}

function oneLine(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(INVISIBLE, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The path line of an entry: absolute, or relative with "/" separators; never one a player reads as a comment. */
export function entryPath(path: string, options: M3uOptions): string {
  if (!options.relativePaths) return path;
  const rel = relative(options.playlistDir, path).split(sep).join('/');
  return rel.startsWith('#') ? `./${rel}` : rel;
}

export function renderM3u8(name: string, entries: readonly M3uEntry[], options: M3uOptions): string {
  const lines = ['#EXTM3U', `#PLAYLIST:${oneLine(name)}`];
  for (const entry of entries) {
    // -1 is "length unknown" in the format.
    const seconds =
      entry.durationSeconds !== null && Number.isFinite(entry.durationSeconds) ? Math.round(entry.durationSeconds) : -1;
    const artist = oneLine(entry.artist);
    const title = oneLine(entry.title);
    lines.push(`#EXTINF:${seconds},${artist ? `${artist} - ${title}` : title}`, entryPath(entry.path, options));
  }
  return `${lines.join('\n')}\n`;
}
