import { open, type FileHandle } from 'node:fs/promises';
import { extname } from 'node:path';
import { parseFile } from 'music-metadata';

/**
 * Sample rate, bit rate and duration of an audio file, from its header. AIFF and WAV (what tracksync writes, and what
 * a DJ's playlists mostly point at) are read here: their header is a handful of fixed fields in the first chunks, and
 * one 4 KiB read and a walk over its chunks cost about 0.1 ms a file, where music-metadata's general
 * parser (it also looks for ID3v1 and APE tags at the end) takes about 1 ms on the same files; at 2,000 files that is
 * the difference between a first export well under 2 s and one past it (bench/playlists.ts). Everything else (M4A,
 * FLAC, MP3), and any AIFF or WAV this reader does not understand, goes to music-metadata.
 *
 * Layouts: AIFF/AIFC, "FORM" then chunks, "COMM" = channels (u16), sample frames (u32), sample size in bits (u16),
 * sample rate (80-bit IEEE 754 extended), big-endian (Apple, Audio Interchange File Format 1.3, 1989). WAV, "RIFF"
 * "WAVE" then chunks, "fmt " = format tag (u16), channels (u16), sample rate (u32), bytes per second (u32), block align
 * (u16), bits per sample (u16), little-endian; "data" holds the samples (Microsoft/IBM RIFF specification, 1991).
 */

export interface AudioHeader {
  readonly sampleRateHz: number;
  readonly bitRateKbps: number;
  readonly durationSeconds: number | null;
}

/** Chunks walked at most before giving up on a file (a real one has a few: COMM/fmt, data/SSND, ID3, LIST). */
const MAX_CHUNKS = 64;
/**
 * Bytes read at once from the start of the file: the chunks before the samples (COMM or fmt, and a WAV's LIST) fit in
 * a few hundred bytes in what ffmpeg and the DJ apps write, so one read usually holds every field needed.
 */
const HEAD_BYTES = 4096;

/** `length` bytes at `position`: from `head` when it holds them, else read from the file. */
async function bytesAt(file: FileHandle, head: Buffer, position: number, length: number): Promise<Buffer | undefined> {
  if (position + length <= head.length) return head.subarray(position, position + length);
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await file.read(buffer, 0, length, position);
  return bytesRead === length ? buffer : undefined;
}

/** An 80-bit IEEE 754 extended float (AIFF's sample rate). */
function extended(bytes: Buffer): number {
  const exponent = ((bytes[0]! & 0x7f) << 8) | bytes[1]!;
  const mantissa = bytes.readUInt32BE(2) * 2 ** 32 + bytes.readUInt32BE(6);
  if (exponent === 0 && mantissa === 0) return 0;
  return (bytes[0]! & 0x80 ? -1 : 1) * mantissa * 2 ** (exponent - 16383 - 63);
}

/**
 * One read of the first 4 KiB (a couple more for an odd file): each read is a thread-pool round trip, and the walk that
 * read every chunk header on its own took 0.26 s of CPU in a 2,000-file export. Reading synchronously would save about
 * 0.1 s more, but the files are often on an external or network volume (/Volumes/...), and a disk spinning up or a
 * hung mount would then stop the whole daemon (status page, webhooks, lease heartbeats), not just this export.
 */
async function pcmHeader(path: string): Promise<AudioHeader | undefined> {
  const file = await open(path, 'r');
  try {
    const start = Buffer.alloc(HEAD_BYTES);
    const head = start.subarray(0, (await file.read(start, 0, HEAD_BYTES, 0)).bytesRead);
    if (head.length < 12) return undefined;
    const aiff = head.toString('latin1', 0, 4) === 'FORM' && ['AIFF', 'AIFC'].includes(head.toString('latin1', 8, 12));
    const wav = head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WAVE';
    if (!aiff && !wav) return undefined;
    const size = (b: Buffer): number => (aiff ? b.readUInt32BE(4) : b.readUInt32LE(4));
    let format: { sampleRateHz: number; bitRateKbps: number; frames?: number; bytesPerSecond?: number } | undefined;
    let dataBytes: number | undefined;
    let offset = 12;
    for (let i = 0; i < MAX_CHUNKS && (format === undefined || (wav && dataBytes === undefined)); i += 1) {
      const chunk = await bytesAt(file, head, offset, 8);
      if (!chunk) break;
      const id = chunk.toString('latin1', 0, 4);
      const length = size(chunk);
      if (aiff && id === 'COMM') {
        const body = await bytesAt(file, head, offset + 8, 18);
        if (!body) return undefined;
        const channels = body.readUInt16BE(0);
        const sampleRateHz = extended(body.subarray(8, 18));
        format = {
          sampleRateHz,
          bitRateKbps: (sampleRateHz * body.readUInt16BE(6) * channels) / 1000,
          frames: body.readUInt32BE(2),
        };
      } else if (wav && id === 'fmt ') {
        const body = await bytesAt(file, head, offset + 8, 16);
        if (!body) return undefined;
        const sampleRateHz = body.readUInt32LE(4);
        format = {
          sampleRateHz,
          bitRateKbps: (sampleRateHz * body.readUInt16LE(14) * body.readUInt16LE(2)) / 1000,
          bytesPerSecond: body.readUInt32LE(8),
        };
      } else if (wav && id === 'data') {
        dataBytes = length;
      }
      offset += 8 + length + (length % 2); // chunks are padded to an even length
    }
    if (!format || !(format.sampleRateHz > 0)) return undefined;
    const durationSeconds =
      format.frames !== undefined
        ? format.frames / format.sampleRateHz
        : dataBytes !== undefined && format.bytesPerSecond
          ? dataBytes / format.bytesPerSecond
          : null;
    return {
      sampleRateHz: Math.round(format.sampleRateHz),
      bitRateKbps: Math.round(format.bitRateKbps),
      durationSeconds,
    };
  } finally {
    await file.close();
  }
}

/** The header of any audio file; throws when it cannot be read at all. */
export async function readAudioHeader(path: string): Promise<AudioHeader> {
  const extension = extname(path).toLowerCase();
  if (['.aiff', '.aif', '.aifc', '.wav'].includes(extension)) {
    const header = await pcmHeader(path);
    if (header) return header;
  }
  const { format } = await parseFile(path, { duration: false, skipCovers: true, skipPostHeaders: true });
  return {
    sampleRateHz: Math.round(format.sampleRate ?? 0),
    bitRateKbps: Math.round((format.bitrate ?? 0) / 1000),
    durationSeconds: format.duration !== undefined && Number.isFinite(format.duration) ? format.duration : null,
  };
}
