/**
 * Every error tracksync raises carries a code, a kind and (usually) a cause.
 *
 * The kind is decided here, once, from the code; the scheduler acts only on the kind:
 * - `transient`: retried with exponential backoff (backoff.ts; `retryDelayMs` in engine/runner.ts for items);
 * - `rate_limited`: retried after the wait the remote side asked for (`retryAfterMs`);
 * - `permanent`: the item fails at once and the reason is written to Notion.
 */

export type ErrorKind = 'transient' | 'rate_limited' | 'permanent';

/** Codes, grouped by the boundary they come from. Each has exactly one kind in `KIND_OF_CODE`. */
export const KIND_OF_CODE = {
  // configuration and start-up
  CONFIG_INVALID: 'permanent',
  SCHEMA_MISMATCH: 'permanent',
  DAEMON_ALREADY_RUNNING: 'permanent',
  /** The daemon a `tracksync sync` handed its rows to stopped before they ended. */
  DAEMON_STOPPED: 'transient',
  USAGE: 'permanent',
  /** The state directory or its SQLite file cannot be used (a file in its place, read-only, corrupt). */
  STATE_UNUSABLE: 'permanent',
  /** A value no retry can fix (a control character where an argument goes, a malformed number). */
  INVALID_VALUE: 'permanent',
  // Notion
  NOTION_UNAUTHORIZED: 'permanent',
  NOTION_FORBIDDEN: 'permanent',
  NOTION_NOT_FOUND: 'permanent',
  NOTION_VALIDATION: 'permanent',
  NOTION_RATE_LIMITED: 'rate_limited',
  NOTION_UNAVAILABLE: 'transient',
  NOTION_TIMEOUT: 'transient',
  NOTION_CONFLICT: 'transient',
  NOTION_NETWORK: 'transient',
  /** The workspace is past its block limit: nothing that creates blocks or pages works until a person acts. */
  NOTION_BLOCK_LIMIT: 'permanent',
  // claims
  LOCK_CONFLICT: 'transient',
  NOT_ELIGIBLE: 'permanent',
  // sources and download
  NO_SOURCE: 'permanent',
  SOURCE_NOT_FOUND: 'permanent',
  SOURCE_PRIVATE: 'permanent',
  SOURCE_GEO_BLOCKED: 'permanent',
  SOURCE_DRM: 'permanent',
  SOURCE_PREVIEW_ONLY: 'permanent',
  SOURCE_RATE_LIMITED: 'rate_limited',
  SOURCE_UNSUPPORTED: 'permanent',
  /** A source on a private or local address, or a redirect to another scheme (security.ts). */
  SOURCE_FORBIDDEN: 'permanent',
  /** Past the download size cap (media.maxDownloadMb), or announced as larger before it started. */
  DOWNLOAD_TOO_LARGE: 'permanent',
  MIX_DETECTED: 'permanent',
  DOWNLOAD_FAILED: 'transient',
  DOWNLOAD_TIMEOUT: 'transient',
  /**
   * A host that cannot be reached at all (DNS failure, connection refused, no route): this Mac's network, not the tool.
   */
  NETWORK_UNREACHABLE: 'transient',
  // media
  ANALYSIS_FAILED: 'transient',
  CONVERSION_FAILED: 'transient',
  CORRUPT_MEDIA: 'permanent',
  /** A download that is a playlist or list of other files (HLS, concat, DASH), which ffmpeg would follow. */
  UNSAFE_MEDIA: 'permanent',
  VERIFY_FAILED: 'transient',
  TOOL_MISSING: 'permanent',
  // files
  VOLUME_NOT_MOUNTED: 'transient',
  DISK_FULL: 'transient',
  FILE_WRITE_FAILED: 'transient',
  // other services
  SPOTIFY_UNAUTHORIZED: 'permanent',
  SPOTIFY_RATE_LIMITED: 'rate_limited',
  SPOTIFY_UNAVAILABLE: 'transient',
  /**
   * Spotify refuses the app (its owner has no Premium, or the user is not on its allow-list): see WAITS_FOR_A_PERSON.
   */
  SPOTIFY_APP_REFUSED: 'transient',
  /** A plain 403: an endpoint or resource a Development Mode app may not use. */
  SPOTIFY_FORBIDDEN: 'permanent',
  /** A playlist the user neither owns nor collaborates on: Development Mode apps cannot read its tracks. */
  SPOTIFY_PLAYLIST_NOT_OWNED: 'permanent',
  EAGLE_UNAVAILABLE: 'transient',
  EAGLE_FAILED: 'transient',
  // the machine (launchd, the status server)
  LAUNCHD_FAILED: 'permanent',
  WEBHOOK_REJECTED: 'permanent',
  NOTIFY_FAILED: 'transient',
  /** osascript could not keep an Apple Music playlist in step (Music not allowed to be controlled, busy, or slow). */
  APPLE_MUSIC_FAILED: 'transient',
  // the process itself
  ABORTED: 'transient',
  INTERNAL: 'transient',
} as const satisfies Record<string, ErrorKind>;

export type ErrorCode = keyof typeof KIND_OF_CODE;

/**
 * Conditions only a person can end, that no number of attempts fixes but that end by themselves once the person acted
 * (Spotify lets the app in again a few hours after Premium is renewed; Eagle answers once it is opened). An item
 * failing with one of these does not use up its attempts: it waits retry.waitForPersonMs and looks again, as long as
 * the condition lasts, or sooner when the app sees the condition clear (app/music.ts: Eagle answering again); the
 * CRITICAL task (handoff/critical.ts) tells the person what to do about Spotify.
 */
export const WAITS_FOR_A_PERSON: ReadonlySet<ErrorCode> = new Set(['SPOTIFY_APP_REFUSED', 'EAGLE_UNAVAILABLE']);

export interface TrackSyncErrorOptions {
  cause?: unknown;
  /** For `rate_limited` errors: how long the remote side asked us to wait. */
  retryAfterMs?: number;
  /** Overrides the kind of the code, for the rare error whose kind depends on context (documented at the call site). */
  kind?: ErrorKind;
  /** Structured facts for logs and reports (never secrets). */
  details?: Record<string, unknown>;
}

export class TrackSyncError extends Error {
  override readonly name = 'TrackSyncError';
  readonly code: ErrorCode;
  readonly kind: ErrorKind;
  readonly retryAfterMs: number | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: TrackSyncErrorOptions = {}) {
    // Scrubbed here, where the error is made: every printer, stored error, page and Notion comment gets this text.
    super(scrubSecrets(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.kind = options.kind ?? KIND_OF_CODE[code];
    this.retryAfterMs = options.retryAfterMs;
    this.details = options.details === undefined ? undefined : (scrubValue(options.details) as Record<string, unknown>);
  }
}

/** A configuration or usage problem: the CLI exits 2 with the message. */
export class ConfigError extends TrackSyncError {
  readonly problems: readonly string[];
  constructor(problems: readonly string[], heading = 'tracksync cannot start: the configuration has problems') {
    super('CONFIG_INVALID', `${heading}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.problems = problems;
  }
}

/** Node's system errors that mean "try again later", with the code we give them. */
const SYSTEM_ERROR_CODES: Record<string, ErrorCode> = {
  ENOSPC: 'DISK_FULL',
  EDQUOT: 'DISK_FULL',
  EIO: 'FILE_WRITE_FAILED',
  EBUSY: 'FILE_WRITE_FAILED',
  EAGAIN: 'FILE_WRITE_FAILED',
  ECONNREFUSED: 'NOTION_NETWORK',
  ECONNRESET: 'NOTION_NETWORK',
  ETIMEDOUT: 'NOTION_NETWORK',
  ENOTFOUND: 'NOTION_NETWORK',
  EPIPE: 'NOTION_NETWORK',
};

/**
 * Turns anything thrown into a TrackSyncError, keeping the original as `cause`.
 * Call it once where an error is caught and decided on; never re-classify a TrackSyncError.
 */
export function coerceError(error: unknown): TrackSyncError {
  if (error instanceof TrackSyncError) return error;
  if (isAbortError(error))
    return new TrackSyncError('ABORTED', 'the work was cancelled (shutdown or timeout)', { cause: error });
  const systemCode = (error as { code?: unknown } | null)?.code;
  if (typeof systemCode === 'string' && systemCode in SYSTEM_ERROR_CODES) {
    return new TrackSyncError(SYSTEM_ERROR_CODES[systemCode]!, messageOf(error), { cause: error });
  }
  return new TrackSyncError('INTERNAL', messageOf(error), { cause: error });
}

export function isAbortError(error: unknown): boolean {
  if (error instanceof TrackSyncError) return error.code === 'ABORTED';
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'AbortError' || (error as { isCanceled?: unknown } | null)?.isCanceled === true;
}

/** Secrets shorter than this are not scrubbed by value: they would blank out ordinary words. */
const MIN_SCRUBBED_SECRET_CHARS = 6;
/** Every form of every registered secret, longest first (a long form must go before a short one inside it). */
let secretForms: string[] = [];

/**
 * The forms a secret takes in text that reaches an error or a log line: as is, URL-encoded (a token in a query
 * string), JSON-escaped, and base64 / base64url (an Authorization: Basic header echoed by a server). Base64 of a secret
 * inside a longer blob depends on where it starts modulo 3, so each of the three alignments contributes the characters
 * that only the secret's bytes determine.
 */
export function secretVariants(secret: string): string[] {
  const forms = new Set([
    secret,
    encodeURIComponent(secret),
    encodeURIComponent(secret).replaceAll('%20', '+'),
    JSON.stringify(secret).slice(1, -1),
  ]);
  const bytes = Buffer.from(secret, 'utf8');
  for (let offset = 0; offset < 3; offset += 1) {
    const padded = Buffer.concat([Buffer.alloc(offset), bytes]);
    const firstGroup = offset === 0 ? 0 : 1;
    const groups = Math.floor(padded.length / 3);
    if (groups <= firstGroup) continue;
    const core = padded.subarray(firstGroup * 3, groups * 3);
    forms.add(core.toString('base64'));
    forms.add(core.toString('base64url'));
  }
  return [...forms].filter((f) => f.length >= MIN_SCRUBBED_SECRET_CHARS);
}

/** Secret values (tokens, passwords) scrubbed from every error and log line from now on (loadConfig registers them). */
export function registerSecrets(values: readonly string[]): void {
  const forms = new Set(secretForms);
  for (const value of values)
    if (value.length >= MIN_SCRUBBED_SECRET_CHARS) for (const form of secretVariants(value)) forms.add(form);
  secretForms = [...forms].sort((a, b) => b.length - a.length);
}

export function secretsRegistered(): boolean {
  return secretForms.length > 0;
}

export function scrubSecrets(text: string): string {
  let out = text;
  for (const form of secretForms) if (out.includes(form)) out = out.split(form).join('[redacted]');
  return out;
}

/** Strings anywhere in a plain value (details, log fields), scrubbed; other values as they are. */
export function scrubValue(value: unknown, depth = 0): unknown {
  if (secretForms.length === 0 || depth > 6) return value;
  if (typeof value === 'string') return scrubSecrets(value);
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, depth + 1));
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = scrubValue(v, depth + 1);
    return out;
  }
  return value;
}

export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error);
  } catch {
    return String(error);
  }
}

/**
 * The raw output of the tool behind an error (`details.toolOutput`, else `details.stderrTail`), looked for along its
 * cause chain: what `tracksync status --verbose` and the log show. Messages stay short and never carry it.
 */
export function rawDetail(error: unknown, depth = 0): string | undefined {
  if (depth > 5 || error === null || typeof error !== 'object') return undefined;
  const details = (error as { details?: Record<string, unknown> }).details;
  const text = details?.toolOutput ?? details?.stderrTail;
  if (typeof text === 'string' && text.trim() !== '') return text;
  return rawDetail((error as { cause?: unknown }).cause, depth + 1);
}

/** Python's traceback lines ("Traceback (most recent call last):", '  File "...", line 12, in f'). */
const TRACEBACK_LINE = /^(Traceback \(most recent call last\):|\s+File ".*", line \d+|\s{4,}\S)/;

/**
 * The one line of a tool's error output worth showing a person: its last ERROR line, else its last line that is not
 * part of a Python traceback, at most 160 characters. A traceback becomes "<ExceptionName> in <tool>" so no frame of
 * it reaches Notion, the page or the terminal.
 */
export function toolSummary(output: string, tool: string): string {
  const lines = output
    .split(/\r?\n/)
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '');
  const error = lines.filter((l) => /^ERROR:/.test(l)).pop();
  if (error) return error.replace(/^ERROR:\s*/, '').slice(0, 160);
  if (lines.some((l) => l.startsWith('Traceback (most recent call last):'))) {
    const last = lines[lines.length - 1] ?? '';
    const name = last.match(/^([A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt))\b/)?.[1] ?? 'an exception';
    return `${tool} crashed (${name})`;
  }
  const plain = lines.filter((l) => !TRACEBACK_LINE.test(l)).pop() ?? '';
  return plain.slice(0, 160);
}
