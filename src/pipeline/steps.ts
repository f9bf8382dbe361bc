import type { EventBus } from '../events.js';
import type { DownloadProgress } from '../media/ytdlp.js';

/**
 * The track pipeline's steps as a person names them. The checkpointed stages (handlers/music-track.ts) are finer and
 * named for the code; these are what the CLI's progress, `tracksync status` and the status page show ("Downloading,
 * step 2 of 6"), so no internal stage name reaches a person.
 */
export const TRACK_STEPS = [
  'Looking up the source',
  'Downloading',
  'Converting',
  'Analysing',
  'Placing the files',
  'Writing to Notion',
] as const;

export type TrackStep = (typeof TRACK_STEPS)[number];

/** Which step each checkpointed stage belongs to. `place` wraps download to verify, so it starts as a download. */
const STEP_OF_STAGE: Readonly<Record<string, TrackStep>> = {
  'ignored-paths': 'Looking up the source',
  adopt: 'Analysing',
  resolve: 'Looking up the source',
  dedup: 'Looking up the source',
  place: 'Downloading',
  download: 'Downloading',
  // One ffmpeg run converts and measures (the encodes, the analysis audio, loudness, fingerprint); then tempo and key,
  // the same-recording check and the tags that carry them; then the files are checked and placed.
  convert: 'Converting',
  analyse: 'Analysing',
  'same-recording': 'Analysing',
  tag: 'Analysing',
  verify: 'Placing the files',
  eagle: 'Placing the files',
  'write-back': 'Writing to Notion',
};

/** A stage's step in words, for views that only know the stage name stored in SQLite ("working" for others). */
export function stepOfStage(stage: string | null): { label: string; step: number; steps: number } | undefined {
  const label = stage ? STEP_OF_STAGE[stage] : undefined;
  if (!label) return undefined;
  return { label, step: TRACK_STEPS.indexOf(label) + 1, steps: TRACK_STEPS.length };
}

/** Tells the views that a track reached `label` (with the download's numbers while downloading). */
export function reportStep(
  events: EventBus | undefined,
  itemId: number,
  label: TrackStep,
  extra: { title?: string; download?: DownloadProgress } = {},
): void {
  events?.emit('item:progress', {
    itemId,
    step: TRACK_STEPS.indexOf(label) + 1,
    steps: TRACK_STEPS.length,
    label,
    ...extra,
  });
}
