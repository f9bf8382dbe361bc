import { Fft, hann } from '../../../src/media/analysis/fft.js';
import { mulberry32 } from '../../../src/media/synth.js';

/** |X[k]|² by the definition, O(N²): what the fast transform must equal. */
function naivePower(frame: Float64Array): number[] {
  const n = frame.length;
  const out: number[] = [];
  for (let k = 0; k <= n / 2; k += 1) {
    let re = 0;
    let im = 0;
    for (let t = 0; t < n; t += 1) {
      re += frame[t]! * Math.cos((-2 * Math.PI * k * t) / n);
      im += frame[t]! * Math.sin((-2 * Math.PI * k * t) / n);
    }
    out.push(re * re + im * im);
  }
  return out;
}

// Key and tempo detection read chroma and onsets from this transform: it must be the DFT, bin for bin.
describe('Fft', () => {
  it.each([4, 8, 64, 1024])('equals the DFT power spectrum of a random frame of %i samples', (size) => {
    const random = mulberry32(size);
    const frame = Float64Array.from({ length: size }, () => random() * 2 - 1);
    const out = new Float64Array(size / 2 + 1);
    new Fft(size).power(frame, out);
    const expected = naivePower(frame);
    const scale = Math.max(...expected);
    for (let k = 0; k <= size / 2; k += 1) expect(Math.abs(out[k]! - expected[k]!) / scale).toBeLessThan(1e-9);
  });

  it('puts a pure tone in its bin', () => {
    const size = 256;
    const window = hann(size);
    const frame = Float64Array.from({ length: size }, (_, t) => window[t]! * Math.sin((2 * Math.PI * 20 * t) / size));
    const out = new Float64Array(size / 2 + 1);
    new Fft(size).power(frame, out);
    expect(out.indexOf(Math.max(...out))).toBe(20);
  });

  it('refuses a size that is not a power of two', () => {
    expect(() => new Fft(100)).toThrow(/power of two >= 4, got 100/);
    expect(() => new Fft(2)).toThrow(RangeError);
  });
});
