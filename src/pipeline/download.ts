import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { TrackSyncError } from '../errors.js';
import type { ProbeResult } from '../media/ffmpeg.js';
import { tooLarge, type DownloadProgress, type MediaInfo } from '../media/ytdlp.js';
import { reportStep } from './steps.js';
import type { PipelineDeps, TrackRow } from './context.js';
import { searchYouTube, type Resolution, type ResolvedSource, type SearchRecord } from './resolve.js';

export interface DownloadResult {
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly info: MediaInfo;
  readonly thumbnailPath: string | null;
  readonly probe: ProbeResult;
  /** The source actually downloaded (a YouTube search result when the first choice was geo-blocked). */
  readonly source: ResolvedSource;
  /** Set when `source` is a fallback: the source that failed, and why. */
  readonly fallbackFrom: { readonly source: ResolvedSource; readonly reason: string } | null;
  readonly search: SearchRecord | null;
  /** For the user, on the row: the URL was a playlist or a feed and only its first entry was taken. */
  readonly notes?: readonly string[];
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Downloads the resolved source; a geo-blocked source is replaced by a YouTube search result when one is good enough.
 */
export async function downloadAudio(
  deps: PipelineDeps,
  row: TrackRow,
  resolution: Resolution & { source: ResolvedSource },
): Promise<DownloadResult> {
  const expected = resolution.spotify ? resolution.spotify.durationMs / 1000 : row.expectedDurationSeconds;
  try {
    return await downloadOne(deps, resolution.source, expected, null, resolution.search);
  } catch (error) {
    if (
      !(error instanceof TrackSyncError) ||
      error.code !== 'SOURCE_GEO_BLOCKED' ||
      resolution.source.from === 'search'
    )
      throw error;
    const title = resolution.spotify?.name ?? row.title;
    if (!title) throw error;
    deps.logger.info({ url: resolution.source.url }, 'source geo-blocked; trying a YouTube search instead');
    const search = await searchYouTube(
      deps,
      {
        title,
        artist: resolution.spotify ? resolution.spotify.artists.map((a) => a.name).join(', ') : row.artist,
        durationSeconds: expected,
        isrc: resolution.spotify?.isrc ?? (row.isrc || null),
      },
      [resolution.source.url],
    );
    if (!search.chosen) throw error;
    const fallback: ResolvedSource = {
      url: search.chosen.url,
      kind: 'youtube',
      label: 'YouTube (Search)',
      from: 'search',
    };
    // The fallback goes through every later stage like any download; only a fully processed one counts (legacy bug 10).
    return downloadOne(deps, fallback, expected, { source: resolution.source, reason: error.message }, search);
  }
}

/** A recording much longer than a track when a track was expected: a mix or a live set. */
function mixCheck(
  durationSeconds: number,
  expectedSeconds: number | null,
  mixLimitSeconds: number,
  measured: string,
): void {
  if (durationSeconds > mixLimitSeconds && (expectedSeconds === null || expectedSeconds <= mixLimitSeconds)) {
    throw new TrackSyncError(
      'MIX_DETECTED',
      `the source is ${Math.round(durationSeconds / 60)} min long (${measured}; over the ${mixLimitSeconds} s track limit): a mix or a live set, not the track; check the URL`,
      {
        details: { processingTag: 'Mix/Set Detected - Manual Review Required' },
      },
    );
  }
}

async function downloadOne(
  deps: PipelineDeps,
  source: ResolvedSource,
  expectedSeconds: number | null,
  fallbackFrom: DownloadResult['fallbackFrom'],
  search: SearchRecord | null,
): Promise<DownloadResult> {
  const dir = join(deps.workDir, 'download');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const { previewSeconds, previewToleranceSeconds, mixLimitSeconds, maxDownloadMb } = deps.config.media;
  let downloaded;
  try {
    // A track is expected (or nothing is known): a page that says it is longer than the mix limit is not downloaded.
    const maxDurationSeconds = expectedSeconds === null || expectedSeconds <= mixLimitSeconds ? mixLimitSeconds : null;
    // The download's numbers for the views (pipeline/steps.ts); yt-dlp reports several times a second.
    const onProgress = (download: DownloadProgress): void =>
      reportStep(deps.events, deps.itemId, 'Downloading', { download });
    downloaded = await deps.ytdlp.download(source.url, dir, source.kind, {
      signal: deps.signal,
      maxDurationSeconds,
      onProgress,
    });
  } catch (error) {
    await rm(dir, { recursive: true, force: true }); // no partial file is kept (a cut stream, a failed download)
    throw error;
  }
  if (downloaded.path === null) {
    // yt-dlp skipped the media: the metadata said why, before a byte of it was fetched.
    if (downloaded.info.durationSeconds !== null)
      mixCheck(
        downloaded.info.durationSeconds,
        expectedSeconds,
        mixLimitSeconds,
        'as the page says, nothing was downloaded',
      );
    if (downloaded.announcedBytes !== null && downloaded.announcedBytes > maxDownloadMb * 1024 * 1024)
      throw tooLarge(maxDownloadMb);
    throw new TrackSyncError('DOWNLOAD_FAILED', `yt-dlp finished without downloading ${source.url} (no file named)`);
  }
  const path = downloaded.path;
  const probe = await deps.ffmpeg.probe(path, deps.signal);
  if (!probe.hasAudio)
    throw new TrackSyncError(
      'CORRUPT_MEDIA',
      `the downloaded file from ${source.url} is not playable audio (codec ${probe.codec})`,
    );
  const duration = probe.durationSeconds;
  const known = expectedSeconds ?? downloaded.info.durationSeconds;
  if (Math.abs(duration - previewSeconds) <= previewToleranceSeconds && known !== null && known > previewSeconds + 15) {
    throw new TrackSyncError(
      'SOURCE_PREVIEW_ONLY',
      `only a ${Math.round(duration)}-second preview was available (the track is ${Math.round(known)} s): a SoundCloud Go+ track needs an account that can play it (a cookies file)`,
    );
  }
  mixCheck(duration, expectedSeconds, mixLimitSeconds, 'measured');
  const entries = downloaded.playlistEntries;
  const notes =
    entries === null
      ? []
      : [
          `${source.url} is a playlist or feed${entries > 1 ? ` of ${entries} entries` : ''}, not a track: only its first entry was downloaded (use a playlist sync task for the rest)`,
        ];
  const bytes = (await stat(path)).size;
  return {
    path,
    bytes,
    sha256: await sha256File(path),
    info: downloaded.info,
    thumbnailPath: downloaded.thumbnailPath,
    probe,
    source,
    fallbackFrom,
    search,
    notes,
  };
}
