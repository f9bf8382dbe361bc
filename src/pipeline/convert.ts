import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AudioFormat } from '../config/load.js';
import { TrackSyncError, coerceError } from '../errors.js';
import { fingerprintFile, fingerprintFromRaw, rawFromBytes, rawToBase64 } from '../media/chromaprint.js';
import type { ProbeResult } from '../media/ffmpeg.js';
import { readTags, writeTags, type TrackTags } from '../media/tags.js';
import type { Analysis } from './analyse.js';
import type { PipelineDeps } from './context.js';
import type { DownloadResult } from './download.js';

export interface TrackMetadata {
  readonly title: string;
  readonly artist: string;
  readonly album: string;
  readonly genre: string;
  readonly year: number | null;
  readonly isrc: string | null;
  /** The page the audio came from, written as the comment. */
  readonly sourceUrl: string;
  /** Spotify's cover, used when the download brought no thumbnail. */
  readonly artworkUrl: string | null;
}

/** Compressed (fpcalc/AcoustID form) for Notion and Eagle; raw (base64 of uint32 LE) for similarity. */
export interface TrackFingerprint {
  readonly compressed: string;
  readonly rawBase64: string;
}

/** What the one ffmpeg run of a track leaves (`decode`): the encodes, untagged, and what the analysis reads. */
export interface Decoded {
  /** Untagged encodes by format (none when the files already exist). */
  readonly files: Partial<Record<AudioFormat, string>>;
  readonly bitDepth: 16 | 24;
  readonly sampleRate: number;
  /** Mono float PCM at ANALYSIS_RATE, in the item's work folder, for analyse.ts. */
  readonly pcmPath: string;
  readonly durationSeconds: number;
  readonly loudnessLufs: number | null;
  readonly fingerprint: TrackFingerprint | null;
}

export interface Converted {
  readonly files: Partial<Record<AudioFormat, string>>;
  readonly bitDepth: 16 | 24;
  readonly sampleRate: number;
  readonly artworkPath: string | null;
  readonly fingerprint: TrackFingerprint | null;
  readonly tags: TrackTags;
}

/**
 * Analysis runs at 22.05 kHz mono: enough for onsets (up to 8 kHz) and pitch (up to 2.1 kHz), a quarter of the data.
 */
export const ANALYSIS_RATE = 22_050;

/**
 * Lossy sources: 16-bit at 44.1 kHz; lossless ones keep their rate and depth (up to maxBitDepth). docs/decisions.md,
 * "Conversion: one ffmpeg run, three outputs".
 */
export function outputFormat(
  download: { readonly probe: ProbeResult },
  media: PipelineDeps['config']['media'],
): { bitDepth: 16 | 24; sampleRate: number } {
  if (!download.probe.lossless) return { bitDepth: media.lossyBitDepth as 16 | 24, sampleRate: media.lossySampleRate };
  const depth = (download.probe.bitDepth ?? 16) > 16 && media.maxBitDepth === 24 ? 24 : 16;
  return { bitDepth: depth, sampleRate: download.probe.sampleRate };
}

async function prepareArtwork(
  deps: PipelineDeps,
  download: DownloadResult,
  metadata: TrackMetadata,
  dir: string,
): Promise<string | null> {
  const output = join(dir, 'cover.jpg');
  try {
    let input = download.thumbnailPath;
    if (!input && metadata.artworkUrl) {
      const response = await deps.fetch(metadata.artworkUrl, { signal: deps.signal });
      if (!response.ok) throw new Error(`HTTP ${response.status} for ${metadata.artworkUrl}`);
      input = join(dir, 'cover.source');
      await writeFile(input, Buffer.from(await response.arrayBuffer()));
    }
    if (!input) return null;
    await deps.ffmpeg.artwork(input, output, deps.config.media.artworkMaxPixels, deps.signal);
    return output;
  } catch (raw) {
    // Artwork is a nicety: a track without a cover is still a track.
    deps.logger.warn({ err: coerceError(raw) }, 'no artwork for this track');
    return null;
  }
}

/**
 * The one ffmpeg run of a track (ffmpeg.ts `processTrack`): every enabled format (`encode`), the analysis PCM, the
 * integrated loudness and the fingerprint, from one decode. Without `encode` (files already on disk) only the analysis
 * part runs. An ffmpeg without the chromaprint muxer leaves the fingerprint to one fpcalc run.
 */
export async function decode(
  deps: PipelineDeps,
  source: { readonly path: string; readonly probe: ProbeResult },
  encode: boolean,
): Promise<Decoded> {
  const dir = join(deps.workDir, 'convert');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const { bitDepth, sampleRate } = outputFormat(source, deps.config.media);
  const files: Partial<Record<AudioFormat, string>> = {};
  if (encode)
    for (const format of ['m4a', 'aiff', 'wav'] as const)
      if (deps.config.media.formats[format]) files[format] = join(dir, `track.${format}`);
  const inline = encode && (await deps.ffmpeg.hasChromaprint(deps.signal));
  const rawPath = join(dir, 'fingerprint.raw');
  const pcmPath = join(dir, 'analysis.f32');
  const { loudness } = await deps.ffmpeg.processTrack(
    {
      input: source.path,
      outputs: files,
      bitDepth,
      sampleRate,
      pcmPath,
      analysisRate: ANALYSIS_RATE,
      ...(inline ? { fingerprintRawPath: rawPath } : {}),
    },
    deps.signal,
  );
  let fingerprint: TrackFingerprint | null = null;
  if (encode) {
    try {
      const fp =
        inline && existsSync(rawPath)
          ? fingerprintFromRaw(rawFromBytes(await readFile(rawPath)))
          : await fingerprintFile(deps.config, Object.values(files)[0]!, deps.signal);
      fingerprint = { compressed: fp.compressed, rawBase64: rawToBase64(fp.raw) };
    } catch (raw) {
      deps.logger.warn({ err: coerceError(raw) }, 'no fingerprint for this track');
    }
  }
  const loudnessLufs = loudness ? Math.round(loudness.integratedLufs * 10) / 10 : null;
  return {
    files,
    bitDepth,
    sampleRate,
    pcmPath,
    durationSeconds: source.probe.durationSeconds,
    loudnessLufs,
    fingerprint,
  };
}

/** The encodes of `decode` get their tags and artwork (tags.ts); nothing is decoded or encoded again. */
export async function tagFiles(
  deps: PipelineDeps,
  download: DownloadResult,
  decoded: Decoded,
  analysis: Analysis,
  metadata: TrackMetadata,
): Promise<Converted> {
  const artworkPath = await prepareArtwork(deps, download, metadata, join(deps.workDir, 'convert'));
  const { files, bitDepth, sampleRate, fingerprint } = decoded;
  const tags: TrackTags = {
    title: metadata.title,
    artist: metadata.artist,
    ...(metadata.album ? { album: metadata.album } : {}),
    ...(metadata.genre ? { genre: metadata.genre } : {}),
    ...(metadata.year ? { year: metadata.year } : {}),
    ...(analysis.bpm ? { bpm: analysis.bpm } : {}),
    ...(analysis.key ? { key: analysis.key } : {}),
    ...(analysis.camelot ? { camelot: analysis.camelot } : {}),
    comment: metadata.sourceUrl,
    ...(metadata.isrc ? { isrc: metadata.isrc } : {}),
    ...(artworkPath ? { artworkPath } : {}),
  };
  for (const path of Object.values(files)) writeTags(path, tags);
  return { files, bitDepth, sampleRate, artworkPath, fingerprint, tags };
}

/**
 * Every file is complete (ffmpeg finished it: its container says it lasts as long as the source, ±0.5 s) and carries
 * its tags, read back with music-metadata: one in-process parse per file gives both, where an ffprobe per file cost
 * about 0.06 s of CPU each (issue 16). Downloaded is set only after this (docs/notion-contract.md). A failure removes
 * the
 * conversion so a retry converts again rather than re-checking the same files.
 */
export async function verifyFiles(
  deps: PipelineDeps,
  converted: Converted,
  analysis: Analysis,
): Promise<Record<string, number>> {
  const problems: string[] = [];
  const durations: Record<string, number> = {};
  for (const [format, path] of Object.entries(converted.files)) {
    const tags = await readTags(path).catch(() => undefined);
    const bytes = await stat(path).then(
      (s) => s.size,
      () => 0,
    );
    if (!tags || tags.durationSeconds === null || !(tags.durationSeconds > 0) || bytes === 0) {
      problems.push(`${format}: not a complete ${format.toUpperCase()} file`);
      continue;
    }
    durations[format] = tags.durationSeconds;
    const gap = Math.abs(tags.durationSeconds - analysis.durationSeconds);
    if (gap > deps.config.media.verifyToleranceSeconds)
      problems.push(
        `${format}: lasts ${tags.durationSeconds.toFixed(2)} s, the source ${analysis.durationSeconds.toFixed(2)} s`,
      );
    // Empty and absent are the same for a tag (a container may drop an empty frame).
    if ((tags.title ?? '') !== converted.tags.title)
      problems.push(`${format}: title tag is ${JSON.stringify(tags.title)}`);
    if ((tags.artist ?? '') !== converted.tags.artist)
      problems.push(`${format}: artist tag is ${JSON.stringify(tags.artist)}`);
    if (converted.tags.bpm && tags.bpm !== Math.round(converted.tags.bpm))
      problems.push(`${format}: BPM tag is ${tags.bpm}`);
    if (converted.tags.key && tags.key !== converted.tags.key)
      problems.push(`${format}: key tag is ${JSON.stringify(tags.key)}`);
    if (converted.artworkPath && !tags.hasArtwork) problems.push(`${format}: artwork missing`);
  }
  if (problems.length > 0) {
    await rm(join(deps.workDir, 'convert'), { recursive: true, force: true });
    throw new TrackSyncError('VERIFY_FAILED', `the converted files did not verify: ${problems.join('; ')}`);
  }
  return durations;
}
