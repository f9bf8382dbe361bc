/**
 * A radix-2 FFT for real frames, enough for chroma and onset analysis (a few hundred frames a second of audio).
 * Written here rather than taken from npm: it is 60 lines, and the analysis needs nothing else.
 *
 * A real frame of N samples is transformed as a complex one of N/2 (even samples as real parts, odd as imaginary)
 * and then split into the real frame's spectrum: half the work of a full complex transform of N points.
 */
export class Fft {
  readonly size: number;
  readonly #half: number;
  /** Twiddles of the N/2-point transform. */
  readonly #cos: Float64Array;
  readonly #sin: Float64Array;
  /** Twiddles e^(-2πik/N) of the split step. */
  readonly #splitCos: Float64Array;
  readonly #splitSin: Float64Array;
  readonly #reverse: Uint32Array;
  readonly #re: Float64Array;
  readonly #im: Float64Array;

  constructor(size: number) {
    if (!Number.isInteger(Math.log2(size)) || size < 4)
      throw new RangeError(`FFT size must be a power of two >= 4, got ${size}`);
    this.size = size;
    const half = size / 2;
    this.#half = half;
    this.#cos = new Float64Array(half / 2);
    this.#sin = new Float64Array(half / 2);
    for (let i = 0; i < half / 2; i += 1) {
      this.#cos[i] = Math.cos((-2 * Math.PI * i) / half);
      this.#sin[i] = Math.sin((-2 * Math.PI * i) / half);
    }
    this.#splitCos = new Float64Array(half + 1);
    this.#splitSin = new Float64Array(half + 1);
    for (let k = 0; k <= half; k += 1) {
      this.#splitCos[k] = Math.cos((-2 * Math.PI * k) / size);
      this.#splitSin[k] = Math.sin((-2 * Math.PI * k) / size);
    }
    const bits = Math.log2(half);
    this.#reverse = new Uint32Array(half);
    for (let i = 0; i < half; i += 1) {
      let r = 0;
      for (let b = 0; b < bits; b += 1) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.#reverse[i] = r;
    }
    this.#re = new Float64Array(half);
    this.#im = new Float64Array(half);
  }

  /** Power spectrum |X[k]|² for k = 0 .. size/2 of `frame` (already windowed) into `out`. */
  power(frame: Float32Array | Float64Array, out: Float64Array): void {
    // Fields into locals: V8 reads private fields in a hot loop noticeably slower than locals.
    const n = this.#half;
    const re = this.#re;
    const im = this.#im;
    const reverse = this.#reverse;
    const cos = this.#cos;
    const sin = this.#sin;
    for (let i = 0; i < n; i += 1) {
      const j = reverse[i]!;
      re[j] = frame[2 * i]!;
      im[j] = frame[2 * i + 1]!;
    }
    for (let len = 2; len <= n; len <<= 1) {
      const half = len >> 1;
      const step = n / len;
      for (let start = 0; start < n; start += len) {
        for (let j = 0; j < half; j += 1) {
          const wr = cos[j * step]!;
          const wi = sin[j * step]!;
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
    // Split: X[k] = E[k] + e^(-2πik/N) O[k], with E and O the spectra of the even and odd samples, recovered from
    // Z[k] and conj(Z[N/2 - k]).
    const splitCos = this.#splitCos;
    const splitSin = this.#splitSin;
    for (let k = 0; k <= n; k += 1) {
      const a = k === n ? 0 : k;
      const b = k === 0 ? 0 : n - k;
      const zr = re[a]!;
      const zi = im[a]!;
      const cr = re[b]!;
      const ci = -im[b]!;
      const er = (zr + cr) / 2;
      const ei = (zi + ci) / 2;
      // O[k] = (Z[k] - conj(Z[N/2-k])) / 2i
      const or = (zi - ci) / 2;
      const oi = -(zr - cr) / 2;
      const wr = splitCos[k]!;
      const wi = splitSin[k]!;
      const xr = er + wr * or - wi * oi;
      const xi = ei + wr * oi + wi * or;
      out[k] = xr * xr + xi * xi;
    }
  }
}

export function hann(size: number): Float64Array {
  const w = new Float64Array(size);
  for (let i = 0; i < size; i += 1) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / size);
  return w;
}
