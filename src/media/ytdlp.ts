import type { DownloadProgress } from '../events.js';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config, SourceKind } from '../config/load.js';
import { TrackSyncError, messageOf, toolSummary, type ErrorCode } from '../errors.js';
import type { Logger } from '../log.js';
import { EgressProxy } from '../net/egress-proxy.js';
import { AllowList, HostGuard, networkUnreachable, type UnreachableReason } from '../net/hosts.js';
import { cleanText } from '../text.js';
import { runTool, type ToolResult } from './process.js';

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

/** The host check and the proxy every yt-dlp run goes through (one pair per process). */
export interface Egress {
  readonly guard: HostGuard;
  readonly proxy: EgressProxy;
}

export function egressFor(config: Config, logger: Logger): Egress {
  const guard = new HostGuard(AllowList.parse(config.security.allowPrivateHosts));
  return { guard, proxy: new EgressProxy(guard, logger) };
}

/**
 * Best audio, else the best with audio, among formats fetched over http(s), HLS or DASH: rtmp, rtsp, mms and the like
 * are fetched by other programs (rtmpdump, mpv) that open their own sockets, around the egress proxy.
 */
const NOT_PROXIED = ['rtmp', 'rtmpe', 'rtmp_ffmpeg', 'rtsp', 'mms', 'f4m', 'ism', 'websocket_frag']
  .map((p) => `[protocol!=${p}]`)
  .join('');
const AUDIO_FORMAT = `bestaudio${NOT_PROXIED}/best${NOT_PROXIED}`;
/** The line `--print pre_process:` writes: the page's info JSON, before the filter and before any media is fetched. */
const INFO_PREFIX = 'tracksync-info ';

export type { DownloadProgress } from '../events.js';

/**
 * The progress line tracksync asks yt-dlp for (--progress-template): the percent yt-dlp prints, then its raw numbers
 * (yt-dlp's progress dict: downloaded_bytes, total_bytes, total_bytes_estimate, speed in bytes per second, eta in
 * seconds; "NA" when unknown). Chosen over yt-dlp's human line ("45.0% of 3.2MiB at 1.1MiB/s ETA 00:02"), whose
 * wording and units change between releases.
 */
export const PROGRESS_TEMPLATE =
  'download:tracksync-progress %(progress._percent_str)s %(progress.downloaded_bytes)s %(progress.total_bytes)s %(progress.total_bytes_estimate)s %(progress.speed)s %(progress.eta)s';

/** A progress line, read; undefined for any other line. The percent alone (older templates) is read too. */
export function parseProgressLine(line: string): DownloadProgress | undefined {
  const match = line.match(/tracksync-progress\s+([\d.]+)%(?:\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+))?/);
  if (!match) return undefined;
  const num = (text: string | undefined): number | null => {
    const n = text === undefined ? NaN : Number(text);
    return Number.isFinite(n) && n >= 0 ? n : null;
  };
  const downloadedBytes = num(match[2]);
  const totalBytes = num(match[3]) ?? num(match[4]);
  return {
    percent: Math.min(100, Number(match[1])),
    downloadedBytes,
    totalBytes,
    bytesPerSecond: num(match[5]),
    etaSeconds: num(match[6]),
  };
}

export function tooLarge(maxDownloadMb: number, cause?: unknown): TrackSyncError {
  return new TrackSyncError(
    'DOWNLOAD_TOO_LARGE',
    `the download passed ${maxDownloadMb} MB and was stopped (media.maxDownloadMb / TRACKSYNC_MAX_DOWNLOAD_MB): an endless stream or a whole video, not a track; check the URL, or raise the cap for a very long lossless track`,
    { cause },
  );
}

export interface Downloaded {
  /**
   * The final file, as yt-dlp reports it after post-processing (never guessed from the template); null when the page's
   * metadata did not pass the limits given (`maxDurationSeconds`, the size cap) and nothing was downloaded.
   */
  readonly path: string | null;
  readonly info: MediaInfo;
  /** The thumbnail yt-dlp wrote next to it, if any. */
  readonly thumbnailPath: string | null;
  /** The size the page announces for the chosen format, if it does. */
  readonly announcedBytes: number | null;
  /** Set when the URL was a playlist or a feed: how many entries it lists (only the first is downloaded). */
  readonly playlistEntries: number | null;
}

/**
 * A host that cannot be reached at all, in the words of Python's socket layer as yt-dlp passes them on: 2023 releases
 * through urllib ("<urlopen error [Errno -2] Name or service not known>"), current ones through urllib3
 * ("NameResolutionError ... Failed to resolve 'host'", "NewConnectionError ... [Errno 111] Connection refused"); the
 * texts are the C library's strerror/gai_strerror on Linux and on macOS (where the numbers differ: 8, 61, 51, 65).
 */
const NETWORK: ReadonlyArray<[RegExp, UnreachableReason]> = [
  [
    /name or service not known|nodename nor servname provided|temporary failure in name resolution|no address associated with hostname|failed to resolve|nameresolutionerror|getaddrinfo failed/,
    'dns',
  ],
  [/connection refused|connectionrefusederror/, 'refused'],
  [/network is unreachable|no route to host|network is down|host is down/, 'noRoute'],
  [/connection timed out|operation timed out|connecttimeouterror|urlopen error timed out/, 'timeout'],
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
  if (target?.startsWith('scsearch') || (!target?.startsWith('ytsearch') && source === 'soundcloud'))
    return 'soundcloud.com';
  if (target?.startsWith('ytsearch') || source === 'youtube') return 'www.youtube.com';
  return 'the site';
}

/**
 * Reads yt-dlp's error output and classifies it once (docs/decisions.md, "Errors are classified once"). The texts are
 * yt-dlp's own messages
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
  // The message is the cause and the fix in tracksync's words; yt-dlp's own output (its ERROR line, or a Python
  // traceback when it crashed) stays in details.toolOutput: the log and `tracksync status --verbose` show it, Notion
  // and the status page never do.
  const make = (code: ErrorCode, message: string, tag?: string, extra: Record<string, unknown> = {}): TrackSyncError =>
    new TrackSyncError(code, message, {
      details: { ...(tag ? { processingTag: tag } : {}), source, toolOutput: stderr.slice(-4000), ...extra },
    });
  // First: when no host answers, nothing else in the message is about the track or the tool.
  const network = NETWORK.find(([pattern]) => pattern.test(text));
  if (network) {
    const host = hostOf(stderr, context.target, source);
    return make('NETWORK_UNREACHABLE', networkUnreachable(host, network[1]).message, 'Download_Failed', { host });
  }
  const noun = source === 'soundcloud' ? 'SoundCloud track' : source === 'youtube' ? 'YouTube video' : 'source';
  if (/drm protected|drm-protected/.test(text))
    return make('SOURCE_DRM', `the ${noun} is DRM protected and cannot be downloaded: use another source for it`);
  if (/sign in to confirm you.re not a bot|confirm that you.re not a bot|http error 429|too many requests/.test(text)) {
    return make(
      'SOURCE_RATE_LIMITED',
      'the site is limiting requests (rate limit or bot check); tracksync waits and tries again',
    );
  }
  if (
    /geo restriction|not available from your location|not made this video available in your country|not available in your country|blocked in your country/.test(
      text,
    )
  ) {
    return make(
      'SOURCE_GEO_BLOCKED',
      'the source is not available in this country',
      source === 'soundcloud' ? 'SC_Geo_Blocked' : undefined,
    );
  }
  if (/private video|this video is private|is private|login required|sign in to confirm your age/.test(text)) {
    return make(
      'SOURCE_PRIVATE',
      `the ${noun} is private or needs a login: give tracksync a cookies file of a browser that can play it (sources.${source}.cookiesFile in the config file)`,
    );
  }
  if (
    /http error 404|http error 410|video unavailable|has been removed|does not exist|no longer available|track not found|unable to download json metadata: http error 404/.test(
      text,
    )
  ) {
    return make(
      'SOURCE_NOT_FOUND',
      `the ${noun} was removed, or the URL is wrong (the site says it does not exist): check the link in the row`,
      source === 'soundcloud' ? 'SC_404' : undefined,
    );
  }
  if (/unsupported url/.test(text)) return make('SOURCE_UNSUPPORTED', 'yt-dlp does not support this URL');
  if (EXTRACTOR.test(stderr)) {
    const which = context.version ? `yt-dlp ${context.version}` : 'yt-dlp (version unknown)';
    const why = `the download failed: the site's extractor in ${which} no longer reads the page; sites change and yt-dlp releases fix their extractors often, so update yt-dlp ("brew upgrade yt-dlp")`;
    return make('DOWNLOAD_FAILED', why, undefined, context.version ? { ytDlpVersion: context.version } : {});
  }
  const said = toolSummary(stderr, 'yt-dlp');
  return make(
    'DOWNLOAD_FAILED',
    `the download failed${said ? ` (${said})` : ''}; it is tried again later, and if it keeps failing an update of yt-dlp usually fixes it`,
  );
}

function toInfo(raw: Record<string, unknown>): MediaInfo {
  // The site's text: control characters removed before any of it becomes a tag or a name (text.ts).
  const str = (k: string): string | null =>
    typeof raw[k] === 'string' && cleanText(raw[k] as string).trim() !== '' ? cleanText(raw[k] as string).trim() : null;
  const num = (k: string): number | null =>
    typeof raw[k] === 'number' && Number.isFinite(raw[k]) ? (raw[k] as number) : null;
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
 * setup for YouTube and SoundCloud fails both (docs/decisions.md, "One yt-dlp setup per site"). `--no-config` keeps a
 * user's yt-dlp.conf out of it.
 */
export class YtDlp {
  readonly #config: Config;
  readonly #logger: Logger;
  readonly #egress: Egress;

  constructor(config: Config, logger: Logger, egress: Egress = egressFor(config, logger)) {
    this.#config = config;
    this.#logger = logger;
    this.#egress = egress;
  }

  #common(source: SourceKind): string[] {
    const settings = this.#config.sources[source] ?? {};
    const args = [
      '--no-config',
      '--no-playlist',
      '--retries',
      String(this.#config.media.downloadRetries),
      '--socket-timeout',
      String(this.#config.media.socketTimeoutSeconds),
    ];
    if (settings.cookiesFile) args.push('--cookies', settings.cookiesFile);
    if (settings.sleepRequestsSeconds) args.push('--sleep-requests', String(settings.sleepRequestsSeconds));
    args.push(...(settings.extraArgs ?? []));
    return args;
  }

  async version(signal?: AbortSignal): Promise<string> {
    const result = await runTool(this.#config.media.tools.ytDlp, ['--version'], {
      timeoutMs: 30_000,
      failureCode: 'DOWNLOAD_FAILED',
      ...(signal ? { signal } : {}),
    });
    return result.stdout.trim();
  }

  /**
   * One yt-dlp run through the egress proxy (net/egress-proxy.ts): every connection it makes is checked, a redirect to
   * another scheme is stopped, and past `maxBytes` received the run is cut and killed. What the proxy refused is the
   * run's error (permanent), whatever yt-dlp made of it.
   */
  async #run(
    args: readonly string[],
    source: SourceKind,
    target: string,
    options: {
      timeoutMs: number;
      signal?: AbortSignal;
      maxBytes?: number;
      onStderrLine?: (line: string) => void;
      onStdoutLine?: (line: string) => void;
    },
  ): Promise<ToolResult> {
    const cut = new AbortController();
    const session = await this.#egress.proxy.session({
      ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}),
      onOverCap: () => cut.abort(),
    });
    const signal = options.signal ? AbortSignal.any([options.signal, cut.signal]) : cut.signal;
    // Old yt-dlp (urllib) asks macOS's proxy exceptions (*.local, 169.254/16) unless proxy variables are set: set them,
    // with nothing exempt, so every request goes through the proxy.
    const env = {
      http_proxy: session.proxyUrl,
      https_proxy: session.proxyUrl,
      HTTP_PROXY: session.proxyUrl,
      HTTPS_PROXY: session.proxyUrl,
      no_proxy: '',
      NO_PROXY: '',
    };
    try {
      const result = await runTool(this.#config.media.tools.ytDlp, ['--proxy', session.proxyUrl, ...args], {
        timeoutMs: options.timeoutMs,
        failureCode: 'DOWNLOAD_FAILED',
        signal,
        env,
        ...(options.onStderrLine ? { onStderrLine: options.onStderrLine } : {}),
        ...(options.onStdoutLine ? { onStdoutLine: options.onStdoutLine } : {}),
      });
      if (session.refusal) throw session.refusal;
      return result;
    } catch (error) {
      if (session.overCap) throw tooLarge(this.#config.media.maxDownloadMb, error);
      if (session.refusal) throw session.refusal;
      if (session.unreachable) throw session.unreachable;
      const stderr = String((error as TrackSyncError).details?.stderrTail ?? '');
      // An https redirect is opaque to the proxy; yt-dlp itself refuses one to file: and says so.
      const scheme = stderr.match(/Redirection to url '([a-z][a-z0-9+.-]*):/i)?.[1];
      if (scheme && !/^https?$/i.test(scheme)) {
        throw new TrackSyncError(
          'SOURCE_FORBIDDEN',
          `the source redirects to a ${scheme}: URL; tracksync follows redirects only to http and https URLs`,
          { cause: error },
        );
      }
      throw await this.#classified(error, source, target, options.signal);
    } finally {
      session.close();
    }
  }

  /** The URL itself, before yt-dlp runs: a private or local host is refused with a message naming it (hosts.ts). */
  async #checkUrl(url: string, what = 'the source'): Promise<void> {
    if (/^https?:/i.test(url)) await this.#egress.guard.checkUrl(url, what);
  }

  /**
   * Downloads the best audio of `url` into `dir`, with its thumbnail, in one yt-dlp run through the proxy. Before any
   * media is fetched, yt-dlp prints the page's info (`--print pre_process:`) and applies a filter (`--match-filter`):
   * a duration over `maxDurationSeconds` or an announced size over the cap skips the download (path null), a "track"
   * URL that is a playlist or a feed yields its first entry only (`--playlist-items 1`). During the download the proxy
   * counts the bytes and cuts the run at the size cap (media.maxDownloadMb): an endless stream fails with
   * DOWNLOAD_TOO_LARGE. `--fixup never`: yt-dlp's fix-ups run ffmpeg on the download without tracksync's demuxer
   * whitelist (ffmpeg.ts); the conversion re-encodes everything anyway.
   */
  async download(
    url: string,
    dir: string,
    source: SourceKind,
    options: {
      signal?: AbortSignal;
      onProgress?: (progress: DownloadProgress) => void;
      maxDurationSeconds?: number | null;
    } = {},
  ): Promise<Downloaded> {
    await this.#checkUrl(url);
    const maxBytes = this.#config.media.maxDownloadMb * 1024 * 1024;
    const filter = [`filesize <=? ${maxBytes}`, `filesize_approx <=? ${maxBytes}`];
    if (options.maxDurationSeconds) filter.push(`duration <=? ${options.maxDurationSeconds}`);
    const args = [
      ...this.#common(source),
      '--playlist-items',
      '1',
      '--match-filter',
      filter.join(' & '),
      '--format',
      AUDIO_FORMAT,
      '--output',
      join(dir, 'source.%(ext)s'),
      '--write-thumbnail',
      '--no-part',
      '--fixup',
      'never',
      '--progress',
      '--newline',
      '--progress-template',
      PROGRESS_TEMPLATE,
      '--print',
      `pre_process:${INFO_PREFIX}%()j`,
      '--print',
      'after_move:filepath',
      '--',
      url,
    ];
    let lastLogged = -10;
    const onLine = (line: string): void => {
      const progress = parseProgressLine(line);
      if (!progress) return;
      options.onProgress?.(progress);
      if (progress.percent - lastLogged >= 25 || progress.percent === 100) {
        lastLogged = progress.percent;
        this.#logger.debug({ percent: progress.percent, bytesPerSecond: progress.bytesPerSecond }, 'download progress');
      }
    };
    // With --print, yt-dlp is quiet and prints its progress on stdout (older releases on stderr): both are followed
    // live. The path is the last stdout line that is not progress and not the info line.
    const result = await this.#run(args, source, url, {
      timeoutMs: this.#config.media.downloadTimeoutMs,
      maxBytes,
      ...(options.signal ? { signal: options.signal } : {}),
      onStderrLine: onLine,
      onStdoutLine: onLine,
    });
    const lines = result.stdout
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    const infoLine = lines.find((l) => l.startsWith(INFO_PREFIX));
    let raw: Record<string, unknown> = {};
    try {
      if (infoLine) raw = JSON.parse(infoLine.slice(INFO_PREFIX.length)) as Record<string, unknown>;
    } catch (error) {
      this.#logger.warn({ err: error }, 'yt-dlp info JSON unreadable; continuing without it');
    }
    const path = lines.filter((l) => !l.startsWith('tracksync-progress') && !l.startsWith(INFO_PREFIX)).pop() ?? null;
    const files = await readdir(dir);
    const thumbnail = files.find((f) => /\.(jpe?g|png|webp)$/i.test(f));
    const count = [raw.playlist_count, raw.n_entries].find((v): v is number => typeof v === 'number');
    const inPlaylist = count !== undefined || typeof raw.playlist_index === 'number';
    return {
      path,
      info: toInfo(raw),
      thumbnailPath: thumbnail ? join(dir, thumbnail) : null,
      announcedBytes:
        [raw.filesize, raw.filesize_approx].find((v): v is number => typeof v === 'number' && v > 0) ?? null,
      playlistEntries: inPlaylist ? (count ?? 1) : null,
    };
  }

  /** Metadata only (no download): used to check that a URL answers before it is written to Notion. */
  async metadata(url: string, source: SourceKind, signal?: AbortSignal): Promise<MediaInfo> {
    await this.#checkUrl(url);
    const result = await this.#run(
      [...this.#common(source), '--dump-single-json', '--skip-download', '--', url],
      source,
      url,
      {
        timeoutMs: this.#config.media.toolTimeoutMs,
        ...(signal ? { signal } : {}),
      },
    );
    return toInfo(JSON.parse(result.stdout) as Record<string, unknown>);
  }

  /** A flat listing: search results (`ytsearch5:...`), a playlist or a likes page, without extracting each entry. */
  async list(
    target: string,
    source: SourceKind,
    options: { signal?: AbortSignal; limit?: number } = {},
  ): Promise<{ title: string | null; entries: SearchCandidate[] }> {
    await this.#checkUrl(target, 'the list');
    const args = [
      ...this.#common(source).filter((a) => a !== '--no-playlist'),
      '--flat-playlist',
      '--dump-single-json',
    ];
    if (options.limit) args.push('--playlist-end', String(options.limit));
    args.push('--', target);
    const result = await this.#run(args, source, target, {
      timeoutMs: this.#config.media.toolTimeoutMs,
      ...(options.signal ? { signal: options.signal } : {}),
    });
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
  }

  /** A failed run, classified; for an extractor failure the version of the yt-dlp that failed is asked for too. */
  async #classified(
    error: unknown,
    source: SourceKind,
    target: string,
    signal: AbortSignal | undefined,
  ): Promise<unknown> {
    if (!(error instanceof TrackSyncError) || error.code !== 'DOWNLOAD_FAILED') return error;
    if (error.details?.timedOut) return new TrackSyncError('DOWNLOAD_TIMEOUT', error.message, { cause: error });
    const stderr = String(error.details?.stderrTail ?? messageOf(error));
    const version = EXTRACTOR.test(stderr) ? await this.version(signal).catch(() => undefined) : undefined;
    const classified = classifyYtDlpError(stderr, source, { target, ...(version ? { version } : {}) });
    return new TrackSyncError(classified.code, classified.message, {
      cause: error,
      ...(classified.details ? { details: classified.details } : {}),
    });
  }
}
