/**
 * An in-place radix-2 FFT for real frames, enough for chroma and onset analysis (a few hundred frames a second of
 * audio). Written here rather than taken from npm: it is 40 lines, and the analysis needs nothing else.
 */
/** The FFT before issue 16 (a full complex transform of the real frame), so the baseline runs as it did. */
export class Fft {
  readonly size: number;
  readonly #cos: Float64Array;
  readonly #sin: Float64Array;
  readonly #reverse: Uint32Array;
  readonly #re: Float64Array;
  readonly #im: Float64Array;

  constructor(size: number) {
    if (!Number.isInteger(Math.log2(size))) throw new RangeError(`FFT size must be a power of two, got ${size}`);
    this.size = size;
    this.#cos = new Float64Array(size / 2);
    this.#sin = new Float64Array(size / 2);
    for (let i = 0; i < size / 2; i += 1) {
      this.#cos[i] = Math.cos((-2 * Math.PI * i) / size);
      this.#sin[i] = Math.sin((-2 * Math.PI * i) / size);
    }
    const bits = Math.log2(size);
    this.#reverse = new Uint32Array(size);
    for (let i = 0; i < size; i += 1) {
      let r = 0;
      for (let b = 0; b < bits; b += 1) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.#reverse[i] = r;
    }
    this.#re = new Float64Array(size);
    this.#im = new Float64Array(size);
  }

  /** Power spectrum |X[k]|² for k = 0 .. size/2 of `frame` (already windowed) into `out`. */
  power(frame: Float32Array | Float64Array, out: Float64Array): void {
    const n = this.size;
    const re = this.#re;
    const im = this.#im;
    for (let i = 0; i < n; i += 1) {
      re[this.#reverse[i]!] = frame[i] ?? 0;
      im[i] = 0;
    }
    for (let len = 2; len <= n; len <<= 1) {
      const half = len >> 1;
      const step = n / len;
      for (let start = 0; start < n; start += len) {
        for (let j = 0; j < half; j += 1) {
          const wr = this.#cos[j * step]!;
          const wi = this.#sin[j * step]!;
          const a = start + j;
          const b = a + half;
          const tr = re[b]! * wr - im[b]! * wi;
          const ti = re[b]! * wi + im[b]! * wr;
          re[b] = re[a]! - tr;
          im[b] = im[a]! - ti;
          re[a]! += tr;
          im[a]! += ti;
        }
      }
    }
    for (let k = 0; k <= n / 2; k += 1) out[k] = re[k]! * re[k]! + im[k]! * im[k]!;
  }
}

export function hann(size: number): Float64Array {
  const w = new Float64Array(size);
  for (let i = 0; i < size; i += 1) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / size);
  return w;
}
