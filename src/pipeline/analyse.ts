import { readFile } from 'node:fs/promises';
import { TrackSyncError } from '../errors.js';
import { detectKey } from '../media/analysis/key.js';
import { detectTempo } from '../media/analysis/tempo.js';
import type { PipelineDeps } from './context.js';
import { ANALYSIS_RATE, type Decoded } from './convert.js';

export interface Analysis {
  readonly durationSeconds: number;
  /** One decimal; null when there is no clear pulse. */
  readonly bpm: number | null;
  readonly bpmConfidence: number | null;
  /** "A Minor"; null for silence. */
  readonly key: string | null;
  readonly camelot: string | null;
  readonly keyConfidence: number | null;
  /** EBU R128 integrated, measured (never a constant: legacy bug 13). Null for silence. */
  readonly loudnessLufs: number | null;
}

/** Tempo and key are analysed on the middle of the track: intros and outros are often beatless or in another key. */
export function analysisWindow(pcm: Float32Array, sampleRate: number, windowSeconds: number): Float32Array {
  const length = Math.min(pcm.length, Math.round(windowSeconds * sampleRate));
  const start = Math.floor((pcm.length - length) / 2);
  return pcm.subarray(start, start + length);
}

/** Tempo and key from the PCM the conversion run left (convert.ts `decode`); loudness as that run measured it. */
export async function analyseAudio(deps: PipelineDeps, decoded: Decoded): Promise<Analysis> {
  const bytes = await readFile(decoded.pcmPath);
  const pcm = new Float32Array(bytes.buffer, bytes.byteOffset, Math.floor(bytes.length / 4));
  if (pcm.length < ANALYSIS_RATE)
    throw new TrackSyncError('CORRUPT_MEDIA', `the audio decodes to less than a second (${pcm.length} samples)`);
  const window = analysisWindow(pcm, ANALYSIS_RATE, deps.config.media.analysisWindowSeconds);
  const { minBpm, maxBpm, tempoPriorCentreBpm, tempoPriorWidthOctaves } = deps.config.media;
  const tempo = detectTempo(window, ANALYSIS_RATE, {
    minBpm,
    maxBpm,
    priorCentreBpm: tempoPriorCentreBpm,
    priorWidthOctaves: tempoPriorWidthOctaves,
  });
  const key = detectKey(window, ANALYSIS_RATE);
  return {
    durationSeconds: Math.round(decoded.durationSeconds * 1000) / 1000,
    bpm: tempo?.bpm ?? null,
    bpmConfidence: tempo?.confidence ?? null,
    key: key?.name ?? null,
    camelot: key?.camelot ?? null,
    keyConfidence: key?.confidence ?? null,
    loudnessLufs: decoded.loudnessLufs,
  };
}
