import type { Config } from '../config/load.js';
import { runTool } from './process.js';

/**
 * Chromaprint fingerprints: one 32-bit item per ~0.124 s of audio (docs/decisions.md, "Chromaprint fingerprints").
 * ffmpeg writes them during conversion; fpcalc is the fallback and the tool for files already on disk.
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
 * 0.97-1.0 and unrelated audio about 0.5 (docs/decisions.md, "Chromaprint fingerprints"); 2 s of leading silence needs the offset search
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

/**
 * fpcalc on a file, whole length (`formatName`: the demuxer to use, for files tracksync did not write). Debian's fpcalc 1.5.1 exits 3 ("Error decoding audio frame (End of file)") whenever it
 * reaches the end before -length, with a valid result on stdout (docs/decisions.md, "Chromaprint fingerprints"): exit 3 is accepted.
 */
export async function fingerprintFile(config: Config, path: string, signal?: AbortSignal, formatName?: string | null): Promise<Fingerprint> {
  // fpcalc has no demuxer whitelist: for a download, the format ffprobe accepted (ffmpeg.ts) is pinned, so a file
  // that is really a playlist is read as that format (and fails) rather than followed.
  const format = formatName ? ['-format', formatName] : [];
  const run = (raw: boolean) =>
    runTool(config.media.tools.fpcalc, ['-json', '-length', '0', ...format, ...(raw ? ['-raw'] : []), path], {
      timeoutMs: config.media.toolTimeoutMs,
      failureCode: 'ANALYSIS_FAILED',
      okExitCodes: [3],
      ...(signal ? { signal } : {}),
    });
  const [compressed, raw] = await Promise.all([run(false), run(true)]);
  const parsedRaw = JSON.parse(raw.stdout) as { fingerprint: number[] };
  return { compressed: (JSON.parse(compressed.stdout) as { fingerprint: string }).fingerprint, raw: Uint32Array.from(parsedRaw.fingerprint, (v) => v >>> 0) };
}

export function rawToBase64(raw: Uint32Array): string {
  return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64');
}

export function rawFromBase64(text: string): Uint32Array {
  return rawFromBytes(Buffer.from(text, 'base64'));
}
