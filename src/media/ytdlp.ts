import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config, SourceKind } from '../config/load.js';
import { TrackSyncError, messageOf, type ErrorCode } from '../errors.js';
import type { Logger } from '../log.js';
import { runTool } from './process.js';

/** What tracksync uses of yt-dlp's info JSON. */
export interface MediaInfo {
  readonly id: string | null;
  readonly title: string | null;
  readonly uploader: string | null;
  readonly artist: string | null;
  readonly track: string | null;
  readonly album: string | null;
  readonly genre: string | null;
  readonly durationSeconds: number | null;
  readonly webpageUrl: string | null;
  readonly extractor: string | null;
  readonly thumbnailUrl: string | null;
  readonly isrc: string | null;
}

export interface SearchCandidate {
  readonly title: string;
  readonly url: string;
  readonly durationSeconds: number | null;
  readonly uploader: string | null;
}

export interface Downloaded {
  /** The final file, as yt-dlp reports it after post-processing (never guessed from the template). */
  readonly path: string;
  readonly info: MediaInfo;
  /** The thumbnail yt-dlp wrote next to it, if any. */
  readonly thumbnailPath: string | null;
}

/**
 * A host that cannot be reached at all, in the words of Python's socket layer as yt-dlp passes them on: 2023 releases
 * through urllib ("<urlopen error [Errno -2] Name or service not known>"), current ones through urllib3
 * ("NameResolutionError ... Failed to resolve 'host'", "NewConnectionError ... [Errno 111] Connection refused"); the
 * texts are the C library's strerror/gai_strerror on Linux and on macOS (where the numbers differ: 8, 61, 51, 65).
 */
const NETWORK: ReadonlyArray<[RegExp, string]> = [
  [
    /name or service not known|nodename nor servname provided|temporary failure in name resolution|no address associated with hostname|failed to resolve|nameresolutionerror|getaddrinfo failed/,
    'cannot be found (DNS): the name does not resolve',
  ],
  [/connection refused|connectionrefusederror/, 'refused the connection: nothing answers at that address'],
  [/network is unreachable|no route to host|network is down|host is down/, 'cannot be reached (no route): the network is down or unreachable'],
  [/connection timed out|operation timed out|connecttimeouterror|urlopen error timed out/, 'did not answer in time'],
];

/** yt-dlp's words when one of its extractors no longer understands the site: newer yt-dlp releases fix those. */
const EXTRACTOR =
  /unable to extract|nsig extraction failed|signature extraction failed|please report this issue|confirm you are on the latest version|yt-dlp -u\b|no video formats found|requested format is not available/i;

/** The host a network failure is about: named by yt-dlp's message when it does, else the target's. */
function hostOf(stderr: string, target: string | undefined, source: SourceKind): string {
  const named = stderr.match(/failed to resolve '([^']+)'/i)?.[1];
  if (named) return named;
  const pool = stderr.match(/host='([^']+)', port=(\d+)/);
  if (pool) return ['80', '443'].includes(pool[2]!) ? pool[1]! : `${pool[1]}:${pool[2]}`;
  if (target && /^https?:\/\//i.test(target)) {
    try {
      return new URL(target).host;
    } catch {
      // not a URL after all: fall through
    }
  }
  if (target?.startsWith('scsearch') || (!target?.startsWith('ytsearch') && source === 'soundcloud')) return 'soundcloud.com';
  if (target?.startsWith('ytsearch') || source === 'youtube') return 'www.youtube.com';
  return 'the site';
}

/**
 * Reads yt-dlp's error output and classifies it once (anchors.md C.5 #3). The texts are yt-dlp's own messages
 * (raise_geo_restricted, the DRM and bot-check errors, HTTP errors): a new wording falls through to DOWNLOAD_FAILED,
 * which is retried, and shows in the logs. `target` (the URL or search) names the host of a network failure;
 * `version` (yt-dlp --version) goes into the message of an extractor failure, where the version is what matters.
 */
export function classifyYtDlpError(
  stderr: string,
  source: SourceKind,
  context: { target?: string; version?: string } = {},
): TrackSyncError {
  const text = stderr.toLowerCase();
  const line = stderr.split('\n').filter((l) => l.startsWith('ERROR:')).pop() ?? stderr.split('\n').filter(Boolean).pop() ?? '';
  const make = (code: ErrorCode, message: string, tag?: string, extra: Record<string, unknown> = {}): TrackSyncError =>
    new TrackSyncError(code, `${message} (yt-dlp: ${line.replace(/^ERROR:\s*/, '').slice(0, 300)})`, {
      details: { ...(tag ? { processingTag: tag } : {}), source, ...extra },
    });
  // First: when no host answers, nothing else in the message is about the track or the tool.
  const network = NETWORK.find(([pattern]) => pattern.test(text));
  if (network) {
    const host = hostOf(stderr, context.target, source);
    const why = `network unreachable: ${host} ${network[1]}; check this Mac's internet connection (and the address, if only this host fails); tracksync tries again later`;
    return make('NETWORK_UNREACHABLE', why, 'Download_Failed', { host });
  }
  if (/drm protected|drm-protected/.test(text)) return make('SOURCE_DRM', 'the source is DRM protected and cannot be downloaded');
  if (/sign in to confirm you.re not a bot|confirm that you.re not a bot|http error 429|too many requests/.test(text)) {
    return make('SOURCE_RATE_LIMITED', 'the site is limiting requests (rate limit or bot check); tracksync waits and tries again');
  }
  if (/geo restriction|not available from your location|not made this video available in your country|not available in your country|blocked in your country/.test(text)) {
    return make('SOURCE_GEO_BLOCKED', 'the source is not available in this country', source === 'soundcloud' ? 'SC_Geo_Blocked' : undefined);
  }
  if (/private video|this video is private|is private|login required|sign in to confirm your age/.test(text)) {
    return make('SOURCE_PRIVATE', 'the source is private or needs a login (a cookies file can be set per source in the config)');
  }
  if (/http error 404|http error 410|video unavailable|has been removed|does not exist|no longer available|track not found|unable to download json metadata: http error 404/.test(text)) {
    return make('SOURCE_NOT_FOUND', 'the source no longer exists (removed, or a wrong URL)', source === 'soundcloud' ? 'SC_404' : undefined);
  }
  if (/unsupported url/.test(text)) return make('SOURCE_UNSUPPORTED', 'yt-dlp does not support this URL');
  if (EXTRACTOR.test(stderr)) {
    const which = context.version ? `yt-dlp ${context.version}` : 'yt-dlp (version unknown)';
    const why = `the download failed: the site's extractor in ${which} no longer reads the page; sites change and yt-dlp releases fix their extractors often, so update yt-dlp ("brew upgrade yt-dlp")`;
    return make('DOWNLOAD_FAILED', why, undefined, context.version ? { ytDlpVersion: context.version } : {});
  }
  return make('DOWNLOAD_FAILED', 'the download failed');
}

function toInfo(raw: Record<string, unknown>): MediaInfo {
  const str = (k: string): string | null => (typeof raw[k] === 'string' && raw[k] !== '' ? (raw[k] as string) : null);
  const num = (k: string): number | null => (typeof raw[k] === 'number' && Number.isFinite(raw[k]) ? (raw[k] as number) : null);
  return {
    id: str('id'),
    title: str('track') ?? str('title'),
    uploader: str('uploader') ?? str('channel'),
    artist: str('artist') ?? str('creator'),
    track: str('track'),
    album: str('album'),
    genre: str('genre'),
    durationSeconds: num('duration'),
    webpageUrl: str('webpage_url') ?? str('original_url'),
    extractor: str('extractor_key') ?? str('extractor'),
    thumbnailUrl: str('thumbnail'),
    isrc: str('isrc'),
  };
}

/** yt-dlp adds "#__youtubedl_smuggle=..." to some URLs it hands out; the stored URL is the plain one. */
export function plainUrl(url: string): string {
  return url.replace(/#__youtubedl_smuggle=.*$/, '');
}

/**
 * The yt-dlp adapter. Each source kind has its own settings (cookies, request pacing, extra arguments), because one
 * setup for YouTube and SoundCloud fails both (anchors.md A.4). `--no-config` keeps a user's yt-dlp.conf out of it.
 */
export class YtDlp {
  readonly #config: Config;
  readonly #logger: Logger;

  constructor(config: Config, logger: Logger) {
    this.#config = config;
    this.#logger = logger;
  }

  #common(source: SourceKind): string[] {
    const settings = this.#config.sources[source] ?? {};
    const args = ['--no-config', '--no-playlist', '--retries', String(this.#config.media.downloadRetries), '--socket-timeout', String(this.#config.media.socketTimeoutSeconds)];
    if (settings.cookiesFile) args.push('--cookies', settings.cookiesFile);
    if (settings.sleepRequestsSeconds) args.push('--sleep-requests', String(settings.sleepRequestsSeconds));
    args.push(...(settings.extraArgs ?? []));
    return args;
  }

  async version(signal?: AbortSignal): Promise<string> {
    const result = await runTool(this.#config.media.tools.ytDlp, ['--version'], { timeoutMs: 30_000, failureCode: 'DOWNLOAD_FAILED', ...(signal ? { signal } : {}) });
    return result.stdout.trim();
  }

  /** Downloads the best audio of `url` into `dir`, with its info JSON and thumbnail. */
  async download(url: string, dir: string, source: SourceKind, options: { signal?: AbortSignal; onProgress?: (percent: number) => void } = {}): Promise<Downloaded> {
    const args = [
      ...this.#common(source),
      '--format', 'bestaudio/best',
      '--output', join(dir, 'source.%(ext)s'),
      '--write-info-json',
      '--write-thumbnail',
      '--no-part',
      '--progress', '--newline',
      '--progress-template', 'download:tracksync-progress %(progress._percent_str)s',
      '--print', 'after_move:filepath',
      '--', url,
    ];
    let lastLogged = -10;
    let result;
    try {
      result = await runTool(this.#config.media.tools.ytDlp, args, {
        timeoutMs: this.#config.media.downloadTimeoutMs,
        failureCode: 'DOWNLOAD_FAILED',
        ...(options.signal ? { signal: options.signal } : {}),
        onStderrLine: (line) => this.#progress(line, (p) => {
          options.onProgress?.(p);
          if (p - lastLogged >= 25 || p === 100) {
            lastLogged = p;
            this.#logger.debug({ percent: p }, 'download progress');
          }
        }),
      });
    } catch (error) {
      throw await this.#classified(error, source, url, options.signal);
    }
    // With --print, progress goes to stdout too (yt-dlp's quiet mode): the path is the last line that is not progress.
    const lines = result.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
    for (const line of lines) this.#progress(line, (p) => options.onProgress?.(p));
    const path = lines.filter((l) => !l.startsWith('tracksync-progress')).pop();
    if (!path) throw new TrackSyncError('DOWNLOAD_FAILED', `yt-dlp finished without naming the downloaded file (${url})`);
    const files = await readdir(dir);
    const infoFile = files.find((f) => f.endsWith('.info.json'));
    const thumbnail = files.find((f) => /\.(jpe?g|png|webp)$/i.test(f));
    let info: MediaInfo = toInfo({});
    if (infoFile) {
      try {
        info = toInfo(JSON.parse(await readFile(join(dir, infoFile), 'utf8')) as Record<string, unknown>);
      } catch (error) {
        this.#logger.warn({ err: error }, 'yt-dlp info JSON unreadable; continuing without it');
      }
    }
    return { path, info, thumbnailPath: thumbnail ? join(dir, thumbnail) : null };
  }

  /** Metadata only (no download): used to check that a URL answers before it is written to Notion. */
  async metadata(url: string, source: SourceKind, signal?: AbortSignal): Promise<MediaInfo> {
    try {
      const result = await runTool(this.#config.media.tools.ytDlp, [...this.#common(source), '--dump-single-json', '--skip-download', '--', url], {
        timeoutMs: this.#config.media.toolTimeoutMs,
        failureCode: 'DOWNLOAD_FAILED',
        ...(signal ? { signal } : {}),
      });
      return toInfo(JSON.parse(result.stdout) as Record<string, unknown>);
    } catch (error) {
      throw await this.#classified(error, source, url, signal);
    }
  }

  /** A flat listing: search results (`ytsearch5:...`), a playlist or a likes page, without extracting each entry. */
  async list(target: string, source: SourceKind, options: { signal?: AbortSignal; limit?: number } = {}): Promise<{ title: string | null; entries: SearchCandidate[] }> {
    const args = [...this.#common(source).filter((a) => a !== '--no-playlist'), '--flat-playlist', '--dump-single-json'];
    if (options.limit) args.push('--playlist-end', String(options.limit));
    args.push('--', target);
    try {
      const result = await runTool(this.#config.media.tools.ytDlp, args, { timeoutMs: this.#config.media.toolTimeoutMs, failureCode: 'DOWNLOAD_FAILED', ...(options.signal ? { signal: options.signal } : {}) });
      const raw = JSON.parse(result.stdout) as { title?: string; entries?: Array<Record<string, unknown>> };
      const entries = (raw.entries ?? [])
        .map((e) => ({
          title: typeof e.title === 'string' ? e.title : '',
          url: plainUrl(typeof e.url === 'string' ? e.url : typeof e.webpage_url === 'string' ? e.webpage_url : ''),
          durationSeconds: typeof e.duration === 'number' ? e.duration : null,
          uploader: typeof e.uploader === 'string' ? e.uploader : typeof e.channel === 'string' ? e.channel : null,
        }))
        .filter((e) => e.url !== '');
      return { title: raw.title ?? null, entries };
    } catch (error) {
      throw await this.#classified(error, source, target, options.signal);
    }
  }

  #progress(line: string, report: (percent: number) => void): void {
    const match = line.match(/tracksync-progress\s+([\d.]+)%/);
    if (match) report(Math.min(100, Number(match[1])));
  }

  /** A failed run, classified; for an extractor failure the version of the yt-dlp that failed is asked for too. */
  async #classified(error: unknown, source: SourceKind, target: string, signal: AbortSignal | undefined): Promise<unknown> {
    if (!(error instanceof TrackSyncError) || error.code !== 'DOWNLOAD_FAILED') return error;
    if (error.details?.timedOut) return new TrackSyncError('DOWNLOAD_TIMEOUT', error.message, { cause: error });
    const stderr = String(error.details?.stderrTail ?? messageOf(error));
    const version = EXTRACTOR.test(stderr) ? await this.version(signal).catch(() => undefined) : undefined;
    const classified = classifyYtDlpError(stderr, source, { target, ...(version ? { version } : {}) });
    return new TrackSyncError(classified.code, classified.message, { cause: error, ...(classified.details ? { details: classified.details } : {}) });
  }
}
