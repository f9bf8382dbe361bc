import {
  camelotOf,
  detectKey,
  keyName,
  preferBassThird,
  preferFinalChord,
  FINAL_CUE_MARGIN,
  preferBassTonic,
  THIRD_CUE_MARGIN,
  TONIC_CUE_MARGIN,
} from '../../../src/media/analysis/key.js';
import { synthesize } from '../../../src/media/synth.js';

/** 22.05 kHz, as the pipeline analyses. */
const clip = (spec: Parameters<typeof synthesize>[0]) => synthesize({ ...spec, sampleRate: 22_050 });

describe('key detection', () => {
  // The legacy detector rotated its profiles the wrong way and was right only for C and F#: every key is checked.
  for (const mode of ['major', 'minor'] as const) {
    for (let tonic = 0; tonic < 12; tonic += 1) {
      it(`finds ${keyName(tonic, mode)} (${camelotOf(tonic, mode)})`, () => {
        const result = detectKey(clip({ tonic, mode, bpm: 120, timbre: 'saw', seconds: 12 }), 22_050);
        expect(result).toMatchObject({ tonic, mode, name: keyName(tonic, mode), camelot: camelotOf(tonic, mode) });
      });
    }
  }

  it('spells keys as DJs do and follows the standard Camelot wheel', () => {
    expect([keyName(9, 'minor'), camelotOf(9, 'minor')]).toEqual(['A Minor', '8A']);
    expect([keyName(0, 'major'), camelotOf(0, 'major')]).toEqual(['C Major', '8B']);
    expect([keyName(3, 'major'), camelotOf(3, 'major')]).toEqual(['Eb Major', '5B']);
    expect([keyName(8, 'minor'), camelotOf(8, 'minor')]).toEqual(['G# Minor', '1A']);
    expect([keyName(6, 'major'), camelotOf(6, 'major')]).toEqual(['F# Major', '2B']);
    expect([keyName(10, 'minor'), camelotOf(10, 'minor')]).toEqual(['Bb Minor', '3A']);
  });

  // The tonic cue moves only the best key's close rivals (relative, fifths) within the margin, by their tonic's bass.
  it('lets the bass tonic decide between close rivals only', () => {
    const bass = [0, 0, 0, 0, 0, 0, 5, 0, 0, 1, 0, 0]; // F# five times as often as A
    const close = [
      { tonic: 9, mode: 'major' as const, score: 0.82 },
      { tonic: 6, mode: 'minor' as const, score: 0.8 },
    ];
    expect(preferBassTonic(close, bass)[0]).toMatchObject({ tonic: 6, mode: 'minor' });
    const far = [close[0]!, { ...close[1]!, score: 0.82 - TONIC_CUE_MARGIN - 0.01 }];
    expect(preferBassTonic(far, bass)[0]).toMatchObject({ tonic: 9, mode: 'major' });
    // A tritone away shares little: the cue leaves it where the profiles put it.
    const unrelated = [close[0]!, { tonic: 3, mode: 'major' as const, score: 0.81 }];
    expect(preferBassTonic(unrelated, [0, 0, 0, 5, 0, 0, 0, 0, 0, 1, 0, 0])[0]).toMatchObject({ tonic: 9 });
    const parallel = [close[0]!, { tonic: 9, mode: 'minor' as const, score: 0.819 }];
    expect(preferBassTonic(parallel, [0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0])[0]).toMatchObject({ mode: 'major' });
  });

  // The final-chord cue moves only the best key's close rivals, toward the one the song ends on (its root only).
  it('lets the final chord decide between close rivals, never a far or a parallel key', () => {
    const close = [
      { tonic: 0, mode: 'major' as const, score: 0.8 }, // C major
      { tonic: 5, mode: 'major' as const, score: 0.78 }, // F major, a fifth below
    ];
    expect(preferFinalChord(close, 5)[0]).toMatchObject({ tonic: 5, mode: 'major' });
    expect(preferFinalChord(close, 0)[0]).toMatchObject({ tonic: 0 });
    expect(preferFinalChord(close, undefined)[0]).toMatchObject({ tonic: 0 }); // no final chord heard
    const far = [close[0]!, { ...close[1]!, score: 0.8 - FINAL_CUE_MARGIN - 0.01 }];
    expect(preferFinalChord(far, 5)[0]).toMatchObject({ tonic: 0 });
    const parallel = [
      { tonic: 9, mode: 'major' as const, score: 0.8 },
      { tonic: 9, mode: 'minor' as const, score: 0.79 },
    ];
    expect(preferFinalChord(parallel, 9)[0]).toMatchObject({ mode: 'major' });
  });

  // The third cue decides only a near tie between the best key and its parallel, by the third the bass plays.
  it('lets the bass third decide a near tie with the parallel key only', () => {
    const bass = [0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0]; // A, and C (A minor's third) twice as often as C# (A major's)
    bass[0] = 2;
    bass[1] = 1;
    const tie = [
      { tonic: 9, mode: 'major' as const, score: 0.799 },
      { tonic: 9, mode: 'minor' as const, score: 0.797 },
    ];
    expect(preferBassThird(tie, bass)[0]).toMatchObject({ tonic: 9, mode: 'minor' });
    const far = [tie[0]!, { ...tie[1]!, score: 0.799 - THIRD_CUE_MARGIN - 0.001 }];
    expect(preferBassThird(far, bass)[0]).toMatchObject({ tonic: 9, mode: 'major' });
    // Not for other rivals: the relative minor (F# minor, whose third A fills the bass) stays below.
    const relative = [tie[0]!, { tonic: 6, mode: 'minor' as const, score: 0.798 }];
    expect(preferBassThird(relative, bass)[0]).toMatchObject({ tonic: 9, mode: 'major' });
    // A bass on the major third keeps the major key.
    expect(preferBassThird(tie, [0, 3, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0])[0]).toMatchObject({ mode: 'major' });
  });

  it('says nothing about silence', () => {
    expect(detectKey(new Float32Array(22_050 * 5), 22_050)).toBeUndefined();
  });
});
