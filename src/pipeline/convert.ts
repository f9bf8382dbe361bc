import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AudioFormat } from '../config/load.js';
import { TrackSyncError, coerceError } from '../errors.js';
import { fingerprintFile, rawFromBytes, rawToBase64 } from '../media/chromaprint.js';
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

export interface Converted {
  readonly files: Partial<Record<AudioFormat, string>>;
  readonly bitDepth: 16 | 24;
  readonly sampleRate: number;
  readonly artworkPath: string | null;
  /** Compressed (fpcalc/AcoustID form) for Notion and Eagle; raw (base64 of uint32 LE) for similarity. */
  readonly fingerprint: { readonly compressed: string; readonly rawBase64: string } | null;
  readonly tags: TrackTags;
}

/** Lossy sources: 16-bit at 44.1 kHz; lossless ones keep their rate and depth (up to maxBitDepth). docs/decisions.md, "Conversion: one ffmpeg run, three outputs". */
export function outputFormat(download: Pick<DownloadResult, 'probe'>, media: PipelineDeps['config']['media']): { bitDepth: 16 | 24; sampleRate: number } {
  if (!download.probe.lossless) return { bitDepth: media.lossyBitDepth as 16 | 24, sampleRate: media.lossySampleRate };
  const depth = (download.probe.bitDepth ?? 16) > 16 && media.maxBitDepth === 24 ? 24 : 16;
  return { bitDepth: depth, sampleRate: download.probe.sampleRate };
}

async function prepareArtwork(deps: PipelineDeps, download: DownloadResult, metadata: TrackMetadata, dir: string): Promise<string | null> {
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

/** One ffmpeg run writes every enabled format (and the fingerprints); then every file is tagged. */
export async function convertAndTag(deps: PipelineDeps, download: DownloadResult, analysis: Analysis, metadata: TrackMetadata): Promise<Converted> {
  const dir = join(deps.workDir, 'convert');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const artworkPath = await prepareArtwork(deps, download, metadata, dir);
  const { bitDepth, sampleRate } = outputFormat(download, deps.config.media);
  const files: Partial<Record<AudioFormat, string>> = {};
  for (const format of ['m4a', 'aiff', 'wav'] as const) if (deps.config.media.formats[format]) files[format] = join(dir, `track.${format}`);
  const inline = await deps.ffmpeg.hasChromaprint(deps.signal);
  const rawPath = join(dir, 'fingerprint.raw');
  const compressedPath = join(dir, 'fingerprint.b64');
  await deps.ffmpeg.convert({ input: download.path, outputs: files, bitDepth, sampleRate, ...(inline ? { fingerprintRawPath: rawPath, fingerprintBase64Path: compressedPath } : {}) }, deps.signal);

  let fingerprint: Converted['fingerprint'] = null;
  try {
    if (inline && existsSync(rawPath)) {
      fingerprint = { compressed: (await readFile(compressedPath, 'utf8')).trim(), rawBase64: rawToBase64(rawFromBytes(await readFile(rawPath))) };
    } else {
      const fp = await fingerprintFile(deps.config, Object.values(files)[0]!, deps.signal);
      fingerprint = { compressed: fp.compressed, rawBase64: rawToBase64(fp.raw) };
    }
  } catch (raw) {
    deps.logger.warn({ err: coerceError(raw) }, 'no fingerprint for this track');
  }

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
 * Every file decodes, lasts as long as the analysed source (±0.5 s) and carries its tags, read back with
 * music-metadata. Downloaded is set only after this (docs/notion-contract.md). A failure removes the conversion so a retry
 * converts again rather than re-checking the same files.
 */
export async function verifyFiles(deps: PipelineDeps, converted: Converted, analysis: Analysis): Promise<Record<string, number>> {
  const problems: string[] = [];
  const durations: Record<string, number> = {};
  for (const [format, path] of Object.entries(converted.files)) {
    const probe = await deps.ffmpeg.probe(path, deps.signal).catch((e: unknown) => ({ hasAudio: false, durationSeconds: 0, error: e }));
    if (!probe.hasAudio) {
      problems.push(`${format}: does not decode`);
      continue;
    }
    durations[format] = probe.durationSeconds;
    const gap = Math.abs(probe.durationSeconds - analysis.durationSeconds);
    if (gap > deps.config.media.verifyToleranceSeconds) problems.push(`${format}: lasts ${probe.durationSeconds.toFixed(2)} s, the source ${analysis.durationSeconds.toFixed(2)} s`);
    const tags = await readTags(path);
    // Empty and absent are the same for a tag (a container may drop an empty frame).
    if ((tags.title ?? '') !== converted.tags.title) problems.push(`${format}: title tag is ${JSON.stringify(tags.title)}`);
    if ((tags.artist ?? '') !== converted.tags.artist) problems.push(`${format}: artist tag is ${JSON.stringify(tags.artist)}`);
    if (converted.tags.bpm && tags.bpm !== Math.round(converted.tags.bpm)) problems.push(`${format}: BPM tag is ${tags.bpm}`);
    if (converted.tags.key && tags.key !== converted.tags.key) problems.push(`${format}: key tag is ${JSON.stringify(tags.key)}`);
    if (converted.artworkPath && !tags.hasArtwork) problems.push(`${format}: artwork missing`);
  }
  if (problems.length > 0) {
    await rm(join(deps.workDir, 'convert'), { recursive: true, force: true });
    throw new TrackSyncError('VERIFY_FAILED', `the converted files did not verify: ${problems.join('; ')}`);
  }
  return durations;
}
