import type { Config } from '../config/load.js';
import { runTool } from './process.js';

/**
 * Chromaprint fingerprints: one 32-bit item per ~0.124 s of audio (docs/decisions.md, "Chromaprint fingerprints").
 * ffmpeg computes the raw items once per track, in the run that converts it (ffmpeg.ts `process`); fpcalc does it for
 * files already on disk (the library scan), once per file. The compressed form that AcoustID, Notion and Eagle use is
 * computed from the raw items here, so no track is fingerprinted twice (it was three times: issue 16 measured it).
 */

export interface Fingerprint {
  /** The compressed, base64 form (what fpcalc prints and AcoustID uses): stored in Notion and Eagle. */
  readonly compressed: string;
  /** The raw items, for similarity. */
  readonly raw: Uint32Array;
}

/** Raw fingerprint bytes (little-endian uint32) as written by `ffmpeg -f chromaprint -fp_format raw`. */
export function rawFromBytes(bytes: Buffer): Uint32Array {
  const items = new Uint32Array(Math.floor(bytes.length / 4));
  for (let i = 0; i < items.length; i += 1) items[i] = bytes.readUInt32LE(i * 4);
  return items;
}

function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/**
 * Share of matching bits at the best alignment: 1 - popcount(a XOR b) / (32 x overlap), maximised over offsets of
 * ±maxOffset items (80 ~ ±9.9 s) with at least minOverlap items in common. Identical audio scores 1.0, re-encodes
 * 0.97-1.0 and unrelated audio about 0.5 (docs/decisions.md, "Chromaprint fingerprints"); 2 s of leading silence needs
 * the offset search
 * (0.54 at offset 0, 0.97 at the right one).
 */
export function similarity(a: Uint32Array, b: Uint32Array, maxOffset = 80, minOverlap = 50): number {
  let best = 0;
  for (let offset = -maxOffset; offset <= maxOffset; offset += 1) {
    const start = Math.max(0, -offset);
    const end = Math.min(a.length, b.length - offset);
    const overlap = end - start;
    if (overlap < minOverlap) continue;
    let differing = 0;
    for (let i = start; i < end; i += 1) differing += popcount((a[i]! ^ b[i + offset]!) >>> 0);
    best = Math.max(best, 1 - differing / (32 * overlap));
  }
  return best;
}

/** Chromaprint's default algorithm (TEST2), the one fpcalc and ffmpeg's chromaprint muxer use unless told otherwise. */
export const DEFAULT_ALGORITHM = 1;

/** Writes values of `width` bits, least significant bit first, into bytes: the packing of the compressed form. */
function packBits(values: readonly number[], width: number): Buffer {
  const bytes = Buffer.alloc(Math.ceil((values.length * width) / 8));
  let bit = 0;
  for (const value of values) {
    for (let i = 0; i < width; i += 1, bit += 1) if ((value >>> i) & 1) bytes[bit >>> 3]! |= 1 << (bit & 7);
  }
  return bytes;
}

/**
 * The compressed form of raw items, as fpcalc prints it ("AQAA..."): a 4-byte header (the algorithm, then the item
 * count as 24 bits big-endian); then, for each item XORed with the one before, the gaps between its set bits, each
 * item's list ending in 0. Gaps are written in 3 bits (7 meaning "7 or more"), and the excess of those of 7 or more
 * after them in 5 bits. The result is base64 with the URL alphabet and no padding. This follows the format Chromaprint
 * defines (its fingerprint compressor); test/media/chromaprint.test.ts checks it against fpcalc's own output.
 */
export function compressFingerprint(raw: Uint32Array, algorithm = DEFAULT_ALGORITHM): string {
  const gaps: number[] = [];
  let previous = 0;
  for (const item of raw) {
    let x = (item ^ previous) >>> 0;
    previous = item;
    for (let bit = 1, lastBit = 0; x !== 0; x >>>= 1, bit += 1) {
      if (x & 1) {
        gaps.push(bit - lastBit);
        lastBit = bit;
      }
    }
    gaps.push(0);
  }
  const header = Buffer.from([
    algorithm & 0xff,
    (raw.length >>> 16) & 0xff,
    (raw.length >>> 8) & 0xff,
    raw.length & 0xff,
  ]);
  const normal = packBits(
    gaps.map((g) => Math.min(g, 7)),
    3,
  );
  const exceptional = packBits(
    gaps.filter((g) => g >= 7).map((g) => g - 7),
    5,
  );
  return Buffer.concat([header, normal, exceptional]).toString('base64url');
}

/** Both forms from one computation of the raw items. */
export function fingerprintFromRaw(raw: Uint32Array): Fingerprint {
  return { compressed: compressFingerprint(raw), raw };
}

/**
 * fpcalc on a file, whole length (`formatName`: the demuxer to use, for files tracksync did not write). Debian's fpcalc
 * 1.5.1 exits 3 ("Error decoding audio frame (End of file)") whenever it
 * reaches the end before -length, with a valid result on stdout (docs/decisions.md, "Chromaprint fingerprints"): exit 3
 * is accepted.
 */
export async function fingerprintFile(
  config: Config,
  path: string,
  signal?: AbortSignal,
  formatName?: string | null,
): Promise<Fingerprint> {
  // fpcalc has no demuxer whitelist: for a download, the format ffprobe accepted (ffmpeg.ts) is pinned, so a file
  // that is really a playlist is read as that format (and fails) rather than followed.
  const format = formatName ? ['-format', formatName] : [];
  // One run, raw items only: the compressed form is computed from them (it took a second fpcalc run).
  const result = await runTool(config.media.tools.fpcalc, ['-json', '-length', '0', ...format, '-raw', path], {
    timeoutMs: config.media.toolTimeoutMs,
    failureCode: 'ANALYSIS_FAILED',
    okExitCodes: [3],
    ...(signal ? { signal } : {}),
  });
  const parsed = JSON.parse(result.stdout) as { fingerprint: number[] };
  return fingerprintFromRaw(Uint32Array.from(parsed.fingerprint, (v) => v >>> 0));
}

export function rawToBase64(raw: Uint32Array): string {
  return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64');
}

export function rawFromBase64(text: string): Uint32Array {
  return rawFromBytes(Buffer.from(text, 'base64'));
}
