import { camelotOf, detectKey, keyName } from '../../../src/media/analysis/key.js';
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

  it('says nothing about silence', () => {
    expect(detectKey(new Float32Array(22_050 * 5), 22_050)).toBeUndefined();
  });
});
