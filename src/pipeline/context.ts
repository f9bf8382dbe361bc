import type { EventBus } from '../events.js';
import { cleanText } from '../text.js';
import type { ItemInput } from '../engine/contracts.js';
import type { LibraryStore, PendingFileStore } from '../../state/store.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config/load.js';
import type { Logger } from '../log.js';
import type { Ffmpeg } from '../media/ffmpeg.js';
import type { PlacementFiles } from '../media/files.js';
import type { YtDlp } from '../media/ytdlp.js';
import type { SpotifyService } from '../services/spotify.js';

/** What the pipeline stages are given. Boundaries (tools, fetch, clock, file root) come in here; stages import none. */
export interface PipelineDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly signal: AbortSignal;
  readonly store: LibraryStore & PendingFileStore;
  readonly ffmpeg: Ffmpeg;
  readonly ytdlp: YtDlp;
  readonly spotify: SpotifyService | undefined;
  readonly fetch: typeof fetch;
  readonly itemId: number;
  readonly pageId: string;
  readonly workDir: string;
  /** Writes into the output folders (placement). */
  readonly files: PlacementFiles;
  /** The daemon's event bus: placement reports the bytes it wrote (metrics). */
  readonly events?: EventBus;
}

/** A Music Tracks row as the pipeline reads it. */
export interface TrackRow {
  readonly pageId: string;
  readonly title: string;
  readonly artist: string;
  readonly album: string;
  readonly genre: string;
  readonly soundcloudUrl: string;
  readonly youtubeUrl: string;
  readonly spotifyUrl: string;
  readonly spotifyId: string;
  readonly sourceUrl: string;
  readonly isrc: string;
  /** The known duration (Spotify's milliseconds, else our earlier measurement), for matching and preview detection. */
  readonly expectedDurationSeconds: number | null;
  readonly paths: { readonly m4a: string; readonly aiff: string; readonly wav: string };
  /**
   * The first 25 related playlists at most (a page object lists no more, notion/relations.ts): enough to choose the
   * folder. Code that writes a relation reads it in full instead (readRelation).
   */
  readonly playlistIds: readonly string[];
}

export function trackRow(input: ItemInput<'tracks'>): TrackRow {
  const f = input.fields;
  // Control characters go here, where the row's text enters: every later use (tags, arguments, names) gets clean text.
  const text = (v: unknown): string =>
    v === null || v === undefined ? '' : cleanText(Array.isArray(v) ? v.join(', ') : String(v)).trim();
  const list = (v: unknown): string[] => (Array.isArray(v) ? (v as string[]) : []);
  const durationMs = typeof f.durationMs === 'number' ? f.durationMs : null;
  const durationSeconds = typeof f.durationSeconds === 'number' ? f.durationSeconds : null;
  return {
    pageId: input.page.id,
    title: text(f.title),
    artist: text(f.artistName),
    album: text(f.album),
    genre: text(f.genre),
    soundcloudUrl: text(f.soundcloudUrl),
    youtubeUrl: text(f.youtubeUrl),
    spotifyUrl: text(f.spotifyUrl),
    spotifyId: text(f.spotifyId),
    sourceUrl: text(f.sourceUrl),
    isrc: text(f.isrc),
    expectedDurationSeconds: durationMs ? durationMs / 1000 : durationSeconds,
    paths: { m4a: text(f.m4aPath), aiff: text(f.aiffPath), wav: text(f.wavPath) },
    playlistIds: list(f.playlists),
  };
}
