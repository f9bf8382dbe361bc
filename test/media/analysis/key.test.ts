import { camelotOf, detectKey, keyName, preferBassTonic, TONIC_CUE_MARGIN } from '../../../src/media/analysis/key.js';
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

  it('says nothing about silence', () => {
    expect(detectKey(new Float32Array(22_050 * 5), 22_050)).toBeUndefined();
  });
});
