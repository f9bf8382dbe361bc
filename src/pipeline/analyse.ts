import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { TrackSyncError } from '../errors.js';
import { detectKey } from '../media/analysis/key.js';
import { detectTempo } from '../media/analysis/tempo.js';
import type { PipelineDeps } from './context.js';

export interface Analysis {
  readonly durationSeconds: number;
  /** One decimal; null when there is no clear pulse. */
  readonly bpm: number | null;
  readonly bpmConfidence: number | null;
  /** "A Minor"; null for silence. */
  readonly key: string | null;
  readonly camelot: string | null;
  readonly keyConfidence: number | null;
  /** EBU R128, measured (never a constant: legacy bug 13). Null for silence. */
  readonly loudnessLufs: number | null;
  readonly truePeakDb: number | null;
}

/** Analysis runs at 22.05 kHz mono: enough for onsets (up to 8 kHz) and pitch (up to 2.1 kHz), a quarter of the data. */
const ANALYSIS_RATE = 22_050;

/** Tempo and key are analysed on the middle of the track: intros and outros are often beatless or in another key. */
export function analysisWindow(pcm: Float32Array, sampleRate: number, windowSeconds: number): Float32Array {
  const length = Math.min(pcm.length, Math.round(windowSeconds * sampleRate));
  const start = Math.floor((pcm.length - length) / 2);
  return pcm.subarray(start, start + length);
}

export async function analyseAudio(deps: PipelineDeps, path: string, durationSeconds: number): Promise<Analysis> {
  const dir = join(deps.workDir, 'analyse');
  await mkdir(dir, { recursive: true });
  const { pcm, loudness } = await deps.ffmpeg.decodeForAnalysis(path, ANALYSIS_RATE, join(dir, 'mono.f32'), deps.signal);
  if (pcm.length < ANALYSIS_RATE) throw new TrackSyncError('CORRUPT_MEDIA', `the audio decodes to less than a second (${pcm.length} samples)`);
  const window = analysisWindow(pcm, ANALYSIS_RATE, deps.config.media.analysisWindowSeconds);
  const { minBpm, maxBpm, tempoPriorCentreBpm, tempoPriorWidthOctaves } = deps.config.media;
  const tempo = detectTempo(window, ANALYSIS_RATE, { minBpm, maxBpm, priorCentreBpm: tempoPriorCentreBpm, priorWidthOctaves: tempoPriorWidthOctaves });
  const key = detectKey(window, ANALYSIS_RATE);
  return {
    durationSeconds: Math.round(durationSeconds * 1000) / 1000,
    bpm: tempo?.bpm ?? null,
    bpmConfidence: tempo?.confidence ?? null,
    key: key?.name ?? null,
    camelot: key?.camelot ?? null,
    keyConfidence: key?.confidence ?? null,
    loudnessLufs: loudness ? Math.round(loudness.integratedLufs * 10) / 10 : null,
    truePeakDb: loudness && Number.isFinite(loudness.truePeakDb) ? Math.round(loudness.truePeakDb * 10) / 10 : null,
  };
}
