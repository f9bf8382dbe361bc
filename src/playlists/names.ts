import { INVISIBLE, numberedName, safeSegment } from '../domain/names.js';

/**
 * Playlist names from Notion become file names (`<playlist>.m3u8`) and the names shown in rekordbox and Apple Music.
 * A name is untrusted text: it may be empty, hold "../", a NUL or 500 characters, or equal another playlist's name once
 * cleaned. Every playlist still gets a file of its own in the export folder, named as closely as possible after it, and
 * the same one from one export to the next (the first playlist to get a name keeps it); every change is reported.
 */

export const PLAYLIST_EXTENSION = '.m3u8';
export const UNTITLED_PLAYLIST = 'Untitled playlist';
/** Room kept for " (999)" so a numbered name still fits the byte limit. */
const NUMBER_SUFFIX_BYTES = Buffer.byteLength(' (999)');
const MAX_NUMBER = 999;

export interface PlaylistNaming {
  /** The name shown in the DJ apps: the Notion name without control characters, numbered when another has it. */
  readonly label: string;
  /** The file name in the export folder, ".m3u8" included. */
  readonly fileName: string;
  /** Why the file or the label differs from the Notion name; undefined when they are the name as typed. */
  readonly note?: string;
}

/** The name as shown in the apps: control and direction-override characters dropped, spaces collapsed. */
export function playlistLabel(name: string): string {
  const label = name.normalize('NFC').replace(INVISIBLE, ' ').replace(/\s+/g, ' ').trim();
  return label === '' ? UNTITLED_PLAYLIST : label;
}

/** APFS and HFS+ compare names ignoring case (by default) and Unicode normalisation: so do we. */
function sameKey(name: string): string {
  return name.normalize('NFC').toLocaleLowerCase('en-US');
}

function baseFileName(name: string, maxFileNameBytes: number): string {
  const limit = maxFileNameBytes - Buffer.byteLength(PLAYLIST_EXTENSION) - NUMBER_SUFFIX_BYTES;
  return `${safeSegment(name, limit, UNTITLED_PLAYLIST)}${PLAYLIST_EXTENSION}`;
}

/** "Name.m3u8", "Name (2).m3u8" ... "Name (999).m3u8", made as they are asked for. */
function* candidates(base: string): Generator<string> {
  yield base;
  for (let n = 2; n <= MAX_NUMBER; n += 1) yield numberedName(base, n);
}

/** Whether `fileName` is one of the names `base` may take ("Name.m3u8" or "Name (n).m3u8"). */
function isCandidate(base: string, fileName: string): boolean {
  if (fileName === base) return true;
  const stem = base.slice(0, -PLAYLIST_EXTENSION.length);
  const n =
    fileName.startsWith(`${stem} (`) && fileName.endsWith(`)${PLAYLIST_EXTENSION}`)
      ? fileName.slice(stem.length + 2, -PLAYLIST_EXTENSION.length - 1)
      : '';
  return /^[1-9]\d*$/.test(n) && Number(n) >= 2 && Number(n) <= MAX_NUMBER;
}

/**
 * A label and a file name for each playlist. `playlists` in a stable order (oldest first); `previous` maps a page to
 * the
 * file name it had: it keeps it while that is still a name for the playlist's current name and nobody took it first.
 * `foreign` says a file name is taken by a file that is not tracksync's (never chosen, never overwritten).
 */
export function assignPlaylistNames(
  playlists: ReadonlyArray<{ readonly pageId: string; readonly name: string }>,
  previous: ReadonlyMap<string, string>,
  maxFileNameBytes: number,
  foreign: (fileName: string) => boolean = () => false,
): Map<string, PlaylistNaming> {
  const files = new Set<string>();
  const free = (fileName: string): boolean => !files.has(sameKey(fileName)) && !foreign(fileName);
  const labels = new Set<string>();
  const chosen = new Map<string, { fileName: string; label: string }>();
  const bases = new Map(playlists.map((p) => [p.pageId, baseFileName(p.name, maxFileNameBytes)]));
  // Those that keep their earlier file name go first, so a new playlist never takes an existing one's file.
  const keepers = new Set(
    playlists.filter((p) => {
      const earlier = previous.get(p.pageId);
      return earlier !== undefined && isCandidate(bases.get(p.pageId)!, earlier);
    }),
  );
  const ordered = [...keepers, ...playlists.filter((p) => !keepers.has(p))];
  for (const playlist of ordered) {
    const earlier = previous.get(playlist.pageId);
    let fileName = earlier !== undefined && keepers.has(playlist) && free(earlier) ? earlier : undefined;
    if (fileName === undefined) {
      for (const candidate of candidates(bases.get(playlist.pageId)!)) {
        if (!free(candidate)) continue;
        fileName = candidate;
        break;
      }
    }
    if (fileName === undefined) throw new RangeError(`more than ${MAX_NUMBER} playlists named like "${playlist.name}"`);
    files.add(sameKey(fileName));
    const plain = playlistLabel(playlist.name);
    let label = plain;
    for (let n = 2; labels.has(sameKey(label)); n += 1) label = `${plain} (${n})`;
    labels.add(sameKey(label));
    chosen.set(playlist.pageId, { fileName, label });
  }
  const result = new Map<string, PlaylistNaming>();
  for (const playlist of playlists) {
    const { fileName, label } = chosen.get(playlist.pageId)!;
    const note = namingNote(playlist.name, fileName, label, bases.get(playlist.pageId)!, maxFileNameBytes);
    result.set(playlist.pageId, { label, fileName, ...(note ? { note } : {}) });
  }
  return result;
}

function namingNote(
  name: string,
  fileName: string,
  label: string,
  base: string,
  maxFileNameBytes: number,
): string | undefined {
  const reasons: string[] = [];
  const typed = name.normalize('NFC').trim();
  if (playlistLabel(name) === UNTITLED_PLAYLIST && typed !== UNTITLED_PLAYLIST)
    reasons.push('the playlist has no name');
  else if (Buffer.byteLength(typed) > maxFileNameBytes - Buffer.byteLength(PLAYLIST_EXTENSION) - NUMBER_SUFFIX_BYTES) {
    reasons.push(`the name is longer than a file name may be (${maxFileNameBytes} bytes), so it was cut`);
  } else if (base !== `${typed}${PLAYLIST_EXTENSION}`)
    reasons.push(
      'characters a file name cannot hold (/ \\ : * ? " < > |, control characters, leading dots) were replaced',
    );
  if (fileName !== base)
    reasons.push("another playlist (or a file that is not tracksync's) already has that file name");
  if (label !== playlistLabel(name)) reasons.push(`another playlist has the same name, so it shows as "${label}"`);
  return reasons.length === 0 ? undefined : `exported as "${fileName}": ${reasons.join('; ')}`;
}
