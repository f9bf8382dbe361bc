import { detectTempo, foldTempo } from '../../../src/media/analysis/tempo.js';
import { synthesize } from '../../../src/media/synth.js';

/** 22.05 kHz, as the pipeline analyses. */
const clip = (spec: Parameters<typeof synthesize>[0]) => synthesize({ ...spec, sampleRate: 22_050 });

describe('tempo detection', () => {
  for (const bpm of [70, 85, 90.5, 100, 122, 128, 140, 150, 174, 180]) {
    it(`measures ${bpm} BPM within ±1 and in the 70-180 range`, () => {
      const result = detectTempo(clip({ tonic: 4, mode: 'minor', bpm, timbre: 'square', seconds: 25 }), 22_050, {
        minBpm: 70,
        maxBpm: 180,
      });
      expect(result?.bpm).toBeGreaterThanOrEqual(bpm - 1);
      expect(result?.bpm).toBeLessThanOrEqual(bpm + 1);
    });
  }

  it('folds half and double time into the range', () => {
    expect(foldTempo(64, { minBpm: 70, maxBpm: 180 })).toBe(128);
    expect(foldTempo(348, { minBpm: 70, maxBpm: 180 })).toBe(174);
    expect(foldTempo(128, { minBpm: 70, maxBpm: 180 })).toBe(128);
  });

  it('reports no tempo for a clip too short to hold several beats', () => {
    expect(
      detectTempo(clip({ tonic: 0, mode: 'major', bpm: 120, timbre: 'sine', seconds: 1 }), 22_050, {
        minBpm: 70,
        maxBpm: 180,
      }),
    ).toBeUndefined();
  });
});
