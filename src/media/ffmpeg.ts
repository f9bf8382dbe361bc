import ffmpeg from 'fluent-ffmpeg';
import type { Config } from '../config/load.js';
import { CONSTANTS } from '../config/constants.js';
import { TrackSyncError, type ErrorCode } from '../errors.js';
import { runTool } from './process.js';

/**
 * The one door to ffmpeg and ffprobe.
 *
 * The design card names fluent-ffmpeg, so it builds and runs the commands here, and only here: it is deprecated and
 * its repository was archived in May 2025 (docs/decisions.md, "Card packages behind adapters"), and
 * `.outputOptions([...])` splits any option holding
 * one space ("title=Test Song" became two arguments). Every option below is therefore passed as a separate argument
 * (varargs), which turns the splitting off, and no user text (titles, artists) is ever passed to ffmpeg at all: tags
 * are written afterwards by tags.ts. Replacing fluent-ffmpeg means rewriting this file with `runTool` (execa), which
 * `probe` already uses.
 */

export interface ProbeResult {
  /** The demuxer that read it ("mp3", "mov" for MP4/M4A, "matroska"...): pinned for fpcalc, which has no whitelist. */
  readonly formatName?: string | null;
  readonly durationSeconds: number;
  readonly codec: string;
  readonly sampleRate: number;
  readonly channels: number;
  /** Bits per sample of a lossless source; null for lossy codecs. */
  readonly bitDepth: number | null;
  readonly lossless: boolean;
  readonly hasAudio: boolean;
}

export interface Loudness {
  /** EBU R128 integrated loudness. */
  readonly integratedLufs: number;
}

/** What one ffmpeg run does for one track (`processTrack`). */
export interface TrackRunSpec {
  readonly input: string;
  /** Encodes to write, untagged (tags.ts writes the tags); none when the files already exist (adopted files). */
  readonly outputs: Partial<Record<'m4a' | 'aiff' | 'wav', string>>;
  readonly bitDepth: 16 | 24;
  readonly sampleRate: number;
  /** Mono 32-bit float PCM at `analysisRate`, for tempo and key. */
  readonly pcmPath: string;
  readonly analysisRate: number;
  /** Raw Chromaprint items (uint32 little-endian); left out when this ffmpeg has no chromaprint muxer. */
  readonly fingerprintRawPath?: string;
}

export interface TrackRunResult {
  /** Null for silence. */
  readonly loudness: Loudness | null;
}

const LOSSLESS_CODECS = /^(flac|alac|pcm_|wavpack|ape|tta|mlp|truehd|shorten)/;

/**
 * Input options for every file ffmpeg or ffprobe reads: the file protocol only (no http, tcp, concat:, subfile...),
 * and only the listed demuxers. A download is whatever the site sent: an HLS playlist or a concat list "served as
 * audio" would otherwise make ffmpeg open the files it names, on this Mac too, and their audio would be analysed and
 * written to Notion. libavformat checks the whitelist right after probing, before the demuxer reads anything.
 */
export function safeInputOptions(demuxers: readonly string[]): string[] {
  return ['-protocol_whitelist', 'file', '-format_whitelist', demuxers.join(',')];
}

/** ffprobe/ffmpeg's "[hls @ 0x55d…] Format not on whitelist" names the demuxer that was refused. */
function refusedDemuxer(stderr: string): string | undefined {
  return stderr.match(/\[([\w,]+) @ [^\]]+\] Format not on whitelist/)?.[1];
}

export function unsafeMediaError(path: string, demuxer: string, cause?: unknown): TrackSyncError {
  const kind = /hls|dash|concat|playlist|manifest/.test(demuxer)
    ? 'a playlist or list of other files'
    : 'not an audio or video container';
  return new TrackSyncError(
    'UNSAFE_MEDIA',
    `${path} is a "${demuxer}" file, ${kind}, not audio: ffmpeg would open the files and addresses it names (on this Mac too), so tracksync refuses it; check the source URL`,
    { cause, details: { demuxer } },
  );
}

export class Ffmpeg {
  readonly #config: Config;
  #chromaprint: boolean | undefined;

  constructor(config: Config) {
    this.#config = config;
  }

  #command(timeoutMs: number): ffmpeg.FfmpegCommand {
    const command = ffmpeg({ timeout: Math.ceil(timeoutMs / 1000) });
    command.setFfmpegPath(this.#config.media.tools.ffmpeg);
    command.setFfprobePath(this.#config.media.tools.ffprobe);
    return command;
  }

  /** Runs a fluent-ffmpeg command to its end; the signal kills it. Resolves with ffmpeg's stderr. */
  #run(command: ffmpeg.FfmpegCommand, failureCode: ErrorCode, what: string, signal?: AbortSignal): Promise<string> {
    return new Promise((resolve, reject) => {
      signal?.throwIfAborted();
      const onAbort = (): void => {
        command.kill('SIGKILL');
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      command.on('end', (_stdout: string | null, stderr: string | null) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(stderr ?? '');
      });
      command.on('error', (error: Error, _stdout: string | null, stderr: string | null) => {
        signal?.removeEventListener('abort', onAbort);
        const refused = refusedDemuxer(stderr ?? '');
        if (refused) return reject(unsafeMediaError(`the input of the ${what}`, refused, error));
        if (signal?.aborted)
          return reject(new TrackSyncError('ABORTED', `ffmpeg (${what}) was stopped`, { cause: error }));
        if (/ENOENT|Cannot find ffmpeg/i.test(error.message)) {
          return reject(
            new TrackSyncError(
              'TOOL_MISSING',
              `ffmpeg is not installed or not on PATH (looked for "${this.#config.media.tools.ffmpeg}"): install ffmpeg (macOS: brew install ffmpeg)`,
              { cause: error },
            ),
          );
        }
        const tail = (stderr ?? '')
          .split('\n')
          .filter((l) => l.trim() && !l.startsWith('  '))
          .slice(-4)
          .join(' | ');
        const timedOut = /timeout/i.test(error.message);
        reject(
          new TrackSyncError(
            failureCode,
            `ffmpeg ${what} failed${timedOut ? ' (timed out)' : ''}: ${tail || error.message}`,
            { cause: error, details: { stderrTail: tail } },
          ),
        );
      });
      command.run();
    });
  }

  /** Duration, codec and format of a file (ffprobe). A file with no decodable audio is CORRUPT_MEDIA. */
  async probe(path: string, signal?: AbortSignal): Promise<ProbeResult> {
    let result;
    try {
      result = await runTool(
        this.#config.media.tools.ffprobe,
        [
          '-v',
          'error',
          ...safeInputOptions(CONSTANTS.media.audioDemuxers),
          '-print_format',
          'json',
          '-show_streams',
          '-show_format',
          '--',
          path,
        ],
        {
          timeoutMs: this.#config.media.toolTimeoutMs,
          failureCode: 'CORRUPT_MEDIA',
          ...(signal ? { signal } : {}),
        },
      );
    } catch (error) {
      const refused = refusedDemuxer(String((error as TrackSyncError).details?.stderrTail ?? ''));
      throw refused ? unsafeMediaError(path, refused, error) : error;
    }
    const data = JSON.parse(result.stdout) as {
      streams?: Array<Record<string, string | number | undefined>>;
      format?: { duration?: string; format_name?: string };
    };
    const formatName = data.format?.format_name?.split(',')[0] ?? null;
    const audio = (data.streams ?? []).find((s) => s.codec_type === 'audio');
    const duration = Number(audio?.duration ?? data.format?.duration);
    if (!audio || !Number.isFinite(duration) || duration <= 0) {
      return {
        formatName,
        durationSeconds: 0,
        codec: String(audio?.codec_name ?? 'none'),
        sampleRate: 0,
        channels: 0,
        bitDepth: null,
        lossless: false,
        hasAudio: false,
      };
    }
    const codec = String(audio.codec_name);
    const lossless = LOSSLESS_CODECS.test(codec);
    const raw = Number(audio.bits_per_raw_sample || audio.bits_per_sample || 0);
    const fromFormat = /s16/.test(String(audio.sample_fmt))
      ? 16
      : /s32|flt|dbl/.test(String(audio.sample_fmt))
        ? 24
        : 16;
    return {
      formatName,
      durationSeconds: duration,
      codec,
      sampleRate: Number(audio.sample_rate) || 44_100,
      channels: Number(audio.channels) || 2,
      bitDepth: lossless ? raw || fromFormat : null,
      lossless,
      hasAudio: true,
    };
  }

  /**
   * Everything a track needs from its audio, from ONE decode in ONE ffmpeg run (issue 16 measured 3.17 s of media CPU
   * per 3-minute track when the decode, the fingerprint and the probes were repeated; this run is the floor it set):
   * - the encodes (ALAC, AIFF, WAV), each from the decoded stream; source tags dropped (-map_metadata -1);
   * - the analysis PCM (mono float at `analysisRate`, left in `pcmPath` for the analysis) and the EBU R128 integrated
   *   loudness, split from it;
   * - the raw Chromaprint items, when this ffmpeg has the muxer (chromaprint.ts makes the compressed form from them).
   * Loudness is integrated only: the true peak (4x oversampling) cost about 0.8 s a track and nothing used it.
   * The PCM goes to a file, not a pipe: fluent-ffmpeg reports a piped output whose 'close' comes more than 20 ms before
   * the process exits as "Output stream closed", a failure of a run that succeeded (node-fluent-ffmpeg #1171, #1135);
   * under the soak's load (8 items on 2 cores) it failed 2 of 60 real tracks in three runs.
   */
  async processTrack(spec: TrackRunSpec, signal?: AbortSignal): Promise<TrackRunResult> {
    const encodes = Object.keys(spec.outputs).length;
    const timeoutMs = encodes > 0 ? this.#config.media.convertTimeoutMs : this.#config.media.toolTimeoutMs;
    const command = this.#command(timeoutMs)
      .input(spec.input)
      .inputOptions('-nostdin', ...safeInputOptions(CONSTANTS.media.audioDemuxers))
      // framelog=verbose: ebur128 logs every 100 ms at the info level otherwise (1,800 lines for 3 minutes); the
      // summary this reads is still logged.
      .complexFilter(
        `[0:a]asplit=2[l][p];[l]ebur128=framelog=verbose[lo];[p]aresample=${spec.analysisRate},aformat=sample_fmts=flt:channel_layouts=mono[po]`,
      )
      .output('-')
      .outputOptions('-map', '[lo]', '-f', 'null')
      .output(spec.pcmPath)
      .outputOptions('-map', '[po]', '-f', 'f32le');
    // One output per format, each from the one decode: codec by bit depth, container. Without an explicit sample
    // format ffmpeg picks 32-bit ALAC for float-decoded sources: 2.4x the size for nothing.
    const encoders = {
      m4a: { codec: ['alac', '-sample_fmt', spec.bitDepth === 16 ? 's16p' : 's32p'], container: 'ipod' },
      aiff: { codec: [spec.bitDepth === 16 ? 'pcm_s16be' : 'pcm_s24be'], container: 'aiff' },
      wav: { codec: [spec.bitDepth === 16 ? 'pcm_s16le' : 'pcm_s24le'], container: 'wav' },
    };
    for (const format of ['m4a', 'aiff', 'wav'] as const) {
      const path = spec.outputs[format];
      if (!path) continue;
      const { codec, container } = encoders[format];
      command
        .output(path)
        .outputOptions(
          '-map',
          '0:a',
          '-map_metadata',
          '-1',
          '-c:a',
          ...codec,
          '-ar',
          String(spec.sampleRate),
          '-f',
          container,
        );
    }
    if (spec.fingerprintRawPath)
      command.output(spec.fingerprintRawPath).outputOptions('-map', '0:a', '-f', 'chromaprint', '-fp_format', 'raw');
    const stderr = await this.#run(
      command.outputOptions('-y'),
      encodes > 0 ? 'CONVERSION_FAILED' : 'ANALYSIS_FAILED',
      encodes > 0 ? 'conversion' : 'decoding for analysis',
      signal,
    );
    return { loudness: parseLoudness(stderr) };
  }

  /** Whether this ffmpeg has the chromaprint muxer (Homebrew's and Debian's do). */
  async hasChromaprint(signal?: AbortSignal): Promise<boolean> {
    if (this.#chromaprint === undefined) {
      const result = await runTool(this.#config.media.tools.ffmpeg, ['-hide_banner', '-muxers'], {
        timeoutMs: 30_000,
        failureCode: 'CONVERSION_FAILED',
        ...(signal ? { signal } : {}),
      });
      this.#chromaprint = /\bchromaprint\b/.test(result.stdout);
    }
    return this.#chromaprint;
  }

  /** Artwork as a baseline JPEG that fits `maxPixels` (M4A covers must be JPEG or PNG; thumbnails are often WebP). */
  async artwork(input: string, output: string, maxPixels: number, signal?: AbortSignal): Promise<void> {
    const command = this.#command(this.#config.media.toolTimeoutMs)
      .input(input)
      .inputOptions('-nostdin', ...safeInputOptions(CONSTANTS.media.imageDemuxers))
      .output(output)
      .outputOptions(
        '-frames:v',
        '1',
        '-vf',
        `scale='min(${maxPixels},iw)':'min(${maxPixels},ih)':force_original_aspect_ratio=decrease`,
        '-q:v',
        '3',
        '-f',
        'mjpeg',
        '-y',
      );
    await this.#run(command, 'CONVERSION_FAILED', 'artwork conversion', signal);
  }
}

/** The last "Summary:" block of ebur128's log: "I: -14.2 LUFS". */
export function parseLoudness(stderr: string): Loudness | null {
  const summary = stderr.slice(stderr.lastIndexOf('Summary:'));
  const integrated = summary.match(/I:\s+(-?[\d.]+|-inf)\s+LUFS/);
  if (!integrated) return null;
  const integratedLufs = integrated[1] === '-inf' ? -Infinity : Number(integrated[1]);
  // -70 LUFS is ebur128's floor: digital silence has no loudness worth storing.
  if (!Number.isFinite(integratedLufs) || integratedLufs <= -70) return null;
  return { integratedLufs };
}
