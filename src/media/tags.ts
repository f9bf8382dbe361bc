import { parseFile } from 'music-metadata';
import {
  File,
  Id3v2FrameClassType,
  Id3v2Settings,
  Id3v2Tag,
  Id3v2UserTextInformationFrame,
  Mpeg4AppleTag,
  Picture,
  TagTypes,
} from 'node-taglib-sharp';
import { TrackSyncError } from '../errors.js';
import { cleanText } from '../text.js';

/**
 * Tags, written with node-taglib-sharp (LGPL-2.1, pure JS) and read back with music-metadata.
 * ffmpeg cannot write a key into M4A, nor BPM, key or a cover into WAV (docs/decisions.md, "Tags: what each container
 * keeps"), so all tags of all three
 * formats are written here, in one place: M4A gets iTunes atoms (with the key as ----:com.apple.iTunes:initialkey,
 * where
 * Apple Music, djay and Rekordbox read it), AIFF and WAV an ID3v2.4 tag (the WAV's as an "id3 " chunk that DJ apps
 * read).
 */

// ID3v2.4 everywhere: TagLib# would otherwise write ID3v2.2 into AIFF, which has no key or ISRC frame.
Id3v2Settings.defaultVersion = 4;
Id3v2Settings.forceDefaultVersion = true;

export interface TrackTags {
  readonly title: string;
  readonly artist: string;
  readonly album?: string;
  readonly genre?: string;
  readonly year?: number;
  readonly bpm?: number;
  /** Standard notation, e.g. "A Minor". */
  readonly key?: string;
  /** e.g. "8A". */
  readonly camelot?: string;
  /** The source URL. */
  readonly comment?: string;
  readonly isrc?: string;
  /** A JPEG or PNG file. */
  readonly artworkPath?: string;
}

const CAMELOT = 'CAMELOT';

export function writeTags(path: string, raw: TrackTags): void {
  // Tag text comes from Notion, sites and Spotify: no control characters in a tag (text.ts).
  const tags = Object.fromEntries(
    Object.entries(raw).map(([k, v]) => [k, typeof v === 'string' && k !== 'artworkPath' ? cleanText(v) : v]),
  ) as unknown as TrackTags;
  let file: File | undefined;
  try {
    file = File.createFromPath(path);
    if (/\.(wav|aiff?)$/i.test(path)) file.getTag(TagTypes.Id3v2, true);
    const tag = file.tag;
    tag.title = tags.title;
    // An empty artist is no artist: ID3 would keep an empty TPE1 frame that reads back as nothing.
    tag.performers = tags.artist ? [tags.artist] : [];
    tag.album = tags.album ?? '';
    tag.genres = tags.genre ? [tags.genre] : [];
    tag.year = tags.year ?? 0;
    // BPM tags are whole numbers in both ID3 (TBPM) and iTunes (tmpo).
    tag.beatsPerMinute = tags.bpm ? Math.round(tags.bpm) : 0;
    tag.initialKey = tags.key ?? '';
    tag.comment = tags.comment ?? '';
    tag.isrc = tags.isrc ?? '';
    tag.pictures = tags.artworkPath ? [Picture.fromPath(tags.artworkPath)] : [];
    const apple = file.getTag(TagTypes.Apple, false) as Mpeg4AppleTag | undefined;
    if (apple) apple.setItunesStrings('com.apple.iTunes', CAMELOT, ...(tags.camelot ? [tags.camelot] : []));
    const id3 = file.getTag(TagTypes.Id3v2, false) as Id3v2Tag | undefined;
    if (id3) {
      const frames = id3.getFramesByClassType<Id3v2UserTextInformationFrame>(
        Id3v2FrameClassType.UserTextInformationFrame,
      );
      for (const frame of frames.filter((f) => f.description === CAMELOT)) id3.removeFrame(frame);
      if (tags.camelot) {
        const frame = Id3v2UserTextInformationFrame.fromDescription(CAMELOT);
        frame.text = [tags.camelot];
        id3.addFrame(frame);
      }
    }
    file.save();
  } catch (error) {
    throw new TrackSyncError('CONVERSION_FAILED', `could not write tags to ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  } finally {
    file?.dispose();
  }
}

export interface ReadTags {
  readonly title: string | null;
  readonly artist: string | null;
  readonly album: string | null;
  readonly genre: string | null;
  readonly bpm: number | null;
  readonly key: string | null;
  readonly camelot: string | null;
  readonly comment: string | null;
  readonly isrc: string | null;
  readonly hasArtwork: boolean;
  readonly durationSeconds: number | null;
  readonly container: string | null;
}

/** Reads tags back with music-metadata (the M4A key is in native iTunes atoms: music-metadata does not map it). */
export async function readTags(path: string): Promise<ReadTags> {
  const meta = await parseFile(path, { duration: true, skipCovers: false });
  const native = Object.values(meta.native).flat();
  const nativeValue = (...ids: string[]): string | null => {
    const found = native.find((t) => ids.some((id) => t.id.toLowerCase() === id.toLowerCase()));
    if (!found) return null;
    const v = found.value as unknown;
    if (typeof v === 'string') return v;
    if (v && typeof v === 'object' && 'text' in (v as object)) return String((v as { text: unknown }).text);
    return String(v);
  };
  const comment = meta.common.comment?.[0];
  return {
    title: meta.common.title ?? null,
    artist: meta.common.artist ?? null,
    album: meta.common.album ?? null,
    genre: meta.common.genre?.[0] ?? null,
    bpm: meta.common.bpm ?? null,
    key: meta.common.key ?? nativeValue('----:com.apple.iTunes:initialkey'),
    camelot: nativeValue(`----:com.apple.iTunes:${CAMELOT}`, `TXXX:${CAMELOT}`),
    comment: typeof comment === 'string' ? comment : (comment?.text ?? null),
    isrc: meta.common.isrc?.[0] ?? null,
    hasArtwork: (meta.common.picture?.length ?? 0) > 0,
    durationSeconds: meta.format.duration ?? null,
    container: meta.format.container ?? null,
  };
}
