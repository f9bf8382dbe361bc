import { existsSync, readFileSync } from 'node:fs';
import { homedir, platform } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import { ConfigError, registerSecrets } from '../errors.js';
import { parseAllowEntry } from '../net/hosts.js';
import { DEFAULTS } from './defaults.js';
import { loadSecrets } from './secrets.js';

/**
 * loadConfig(): the environment (legacy variable names), an optional .env file and an optional JSON config file
 * (TRACKSYNC_CONFIG), validated once into one frozen object. Every problem is reported at once, naming the key, the
 * value (secrets masked) and what was expected; nothing downstream re-validates or reads process.env.
 */

/** Variables whose values are secrets: masked in messages and scrubbed from logs. */
export const SECRET_ENV_KEYS = ['NOTION_TOKEN', 'SPOTIFY_CLIENT_SECRET', 'SPOTIFY_REFRESH_TOKEN', 'SPOTIFY_ACCESS_TOKEN', 'EAGLE_TOKEN', 'NOTION_WEBHOOK_TOKEN', 'TRACKSYNC_HTTP_TOKEN'] as const;

const NOTION_ID = /^[0-9a-f]{32}$|^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Database ids are accepted as copied from a Notion URL: dashed, undashed, or the whole URL. */
export function parseNotionId(value: string): string | undefined {
  const match = value.trim().match(/([0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:[?#].*)?$/i);
  if (!match || !NOTION_ID.test(match[1]!)) return undefined;
  const hex = match[1]!.replaceAll('-', '').toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const notionId = z.string().transform((value, ctx) => {
  const id = parseNotionId(value);
  if (id === undefined) {
    ctx.addIssue({ code: 'custom', message: 'expected a Notion database id (32 hex characters, dashed or not, or the database URL)' });
    return z.NEVER;
  }
  return id;
});

const httpUrl = z.string().refine((v) => /^https?:\/\/[^\s]+$/i.test(v) && URL.canParse(v), 'expected an http(s) URL');
const absolutePath = z.string().refine((v) => isAbsolute(v), 'expected an absolute path');
const positiveInt = z.number().int().positive();
/** TRACKSYNC_ALLOW_PRIVATE_HOSTS entries: "*", host, host:port, an address, [v6]:port. */
const allowEntry = z.string().refine((v) => v.trim() === '*' || typeof parseAllowEntry(v) !== 'string', 'expected "*", a host name, an address, or host:port');
const nonNegativeInt = z.number().int().nonnegative();

const envSchema = z.object({
  NOTION_TOKEN: z.string({ error: 'is not set: create an internal integration at https://www.notion.so/my-integrations and set its secret' }).min(1, 'is empty'),
  NOTION_API_BASE_URL: httpUrl.default(DEFAULTS.notion.baseUrl),
  TRACKS_DB_ID: z.string({ error: 'is not set: copy the Music Tracks database link (Share > Copy link) and set its id' }).pipe(notionId),
  ARTISTS_DB_ID: notionId.optional(),
  AGENT_TASKS_DB_ID: notionId.optional(),
  EXECUTION_LOGS_DB_ID: notionId.optional(),
  PLAYLISTS_DB_ID: notionId.optional(),
  // Which data source of a database to use, by name or id, when the database holds several (notion/schemas.ts).
  TRACKS_DATA_SOURCE: z.string().min(1).optional(),
  ARTISTS_DATA_SOURCE: z.string().min(1).optional(),
  AGENT_TASKS_DATA_SOURCE: z.string().min(1).optional(),
  EXECUTION_LOGS_DATA_SOURCE: z.string().min(1).optional(),
  PLAYLISTS_DATA_SOURCE: z.string().min(1).optional(),
  OUT_DIR: absolutePath.optional(),
  BACKUP_DIR: absolutePath.optional(),
  WAV_BACKUP_DIR: absolutePath.optional(),
  PLAYLIST_EXPORT_DIR: absolutePath.optional(),
  SOUNDCLOUD_PROFILE: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'expected a SoundCloud profile name such as "my-profile" (letters, digits, - and _)').optional(),
  SPOTIFY_CLIENT_ID: z.string().min(1).optional(),
  SPOTIFY_CLIENT_SECRET: z.string().min(1).optional(),
  SPOTIFY_REFRESH_TOKEN: z.string().min(1).optional(),
  SPOTIFY_API_BASE_URL: httpUrl.optional(),
  SPOTIFY_ACCOUNTS_BASE_URL: httpUrl.optional(),
  EAGLE_API_BASE: httpUrl.optional(),
  EAGLE_TOKEN: z.string().min(1).optional(),
  TRACKSYNC_STATE_DIR: absolutePath.optional(),
  TRACKSYNC_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  TRACKSYNC_LOG_DIR: absolutePath.optional(),
  TRACKSYNC_HTTP_HOST: z.string().min(1).optional(),
  TRACKSYNC_HTTP_PORT: z.coerce.number().int().min(0, 'expected a port number (0 picks a free one, "off" disables)').max(65_535).or(z.literal('off')).optional(),
  NOTION_WEBHOOK_TOKEN: z.string().min(1).optional(),
  TRACKSYNC_NOTIFY: z.enum(['0', '1', 'true', 'false'], { error: 'expected 1 or 0' }).optional(),
  /** Comma-separated: hosts on private or local addresses tracksync may fetch from anyway ("*" for all). */
  TRACKSYNC_ALLOW_PRIVATE_HOSTS: z
    .string()
    .refine((v) => v.split(',').map((e) => e.trim()).filter(Boolean).every((e) => e === '*' || typeof parseAllowEntry(e) !== 'string'), 'expected comma-separated entries: "*", a host name, an address, or host:port (e.g. "nas.local,192.168.1.20:8080")')
    .optional(),
  TRACKSYNC_MAX_DOWNLOAD_MB: z.coerce.number({ error: 'expected a number of megabytes' }).int('expected a whole number of megabytes').positive('expected a number of megabytes above 0').optional(),
  /** Required to serve the status page on anything but loopback; then every request carries it. */
  TRACKSYNC_HTTP_TOKEN: z.string().min(16, 'is too short: use at least 16 random characters (e.g. "openssl rand -hex 24")').optional(),
});

/** Every environment variable tracksync reads (the LaunchAgent copies the non-secret ones it finds at install time). */
export const CONFIG_ENV_KEYS = Object.keys(envSchema.shape) as ReadonlyArray<keyof typeof envSchema.shape>;

/** The JSON config file: every section optional, unknown keys refused (a typo should not be silently ignored). */
const fileSchema = z
  .object({
    schedule: z
      .object({
        cycleCron: z.string().min(1),
        fullReconcileIntervalMs: positiveInt,
        cursorOverlapMs: nonNegativeInt,
      })
      .partial()
      .strict(),
    notion: z
      .object({
        requestsPerSecond: z.number().positive().max(50),
        burstPerSecond: z.number().int().min(1).max(100),
        requestTimeoutMs: positiveInt,
        maxRetries: nonNegativeInt.max(20),
      })
      .partial()
      .strict(),
    /** Per database, the data source to use (its name or id) when the database holds several. */
    dataSources: z
      .object({
        tracks: z.string().min(1),
        artists: z.string().min(1),
        tasks: z.string().min(1),
        executionLogs: z.string().min(1),
        playlists: z.string().min(1),
      })
      .partial()
      .strict(),
    mappings: z
      .object({
        tracks: z.record(z.string(), z.string().min(1)),
        artists: z.record(z.string(), z.string().min(1)),
        tasks: z.record(z.string(), z.string().min(1)),
        executionLogs: z.record(z.string(), z.string().min(1)),
        playlists: z.record(z.string(), z.string().min(1)),
      })
      .partial()
      .strict(),
    routing: z
      .object({
        taskTypes: z.array(z.string().min(1)),
        titleKeywords: z.array(z.string().min(1)),
        agentPageId: notionId,
        readyStatus: z.string().min(1),
        inProgressStatus: z.string().min(1),
        completedStatus: z.string().min(1),
        failedStatus: z.string().min(1),
        blockedStatus: z.string().min(1),
      })
      .partial()
      .strict(),
    concurrency: z.object({ maxItems: positiveInt.max(32), claimBatchSize: positiveInt.max(100) }).partial().strict(),
    claims: z.object({ leaseMs: z.number().int().min(10_000), settleMs: nonNegativeInt.max(60_000) }).partial().strict(),
    retry: z
      .object({
        maxAttempts: positiveInt.max(100),
        baseDelayMs: positiveInt,
        maxDelayMs: positiveInt,
        rateLimitedDefaultDelayMs: positiveInt,
        lockConflictDelayMs: positiveInt,
        waitForPersonMs: positiveInt,
      })
      .partial()
      .strict(),
    shutdown: z.object({ graceMs: nonNegativeInt, abortWaitMs: nonNegativeInt }).partial().strict(),
    items: z.object({ maxRunMs: positiveInt }).partial().strict(),
    /** Extra handler modules (paths relative to the config file, or absolute). */
    handlers: z.array(z.string().min(1)),
    logging: z.object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) }).partial().strict(),
    media: z
      .object({
        tools: z.object({ ffmpeg: z.string().min(1), ffprobe: z.string().min(1), ytDlp: z.string().min(1), fpcalc: z.string().min(1) }).partial().strict(),
        downloadTimeoutMs: positiveInt,
        downloadRetries: nonNegativeInt.max(20),
        socketTimeoutSeconds: positiveInt,
        convertTimeoutMs: positiveInt,
        toolTimeoutMs: positiveInt,
        mixLimitSeconds: positiveInt,
        previewSeconds: positiveInt,
        previewToleranceSeconds: nonNegativeInt,
        minBpm: z.number().positive(),
        maxBpm: z.number().positive(),
        tempoPriorCentreBpm: z.number().positive(),
        tempoPriorWidthOctaves: z.number().positive(),
        minKeyMarginPercent: z.number().min(0).max(100),
        analysisWindowSeconds: positiveInt,
        lossyBitDepth: z.union([z.literal(16), z.literal(24)]),
        lossySampleRate: z.union([z.literal(44_100), z.literal(48_000)]),
        maxBitDepth: z.union([z.literal(16), z.literal(24)]),
        verifyToleranceSeconds: z.number().positive(),
        artworkMaxPixels: positiveInt,
        maxDownloadMb: positiveInt,
        formats: z.object({ m4a: z.boolean(), aiff: z.boolean(), wav: z.boolean() }).partial().strict(),
      })
      .partial()
      .strict(),
    /** yt-dlp settings per source kind: cookies, request pacing, extra arguments (anchors.md: one setup for all fails). */
    sources: z.record(
      z.enum(['soundcloud', 'youtube', 'generic']),
      z.object({ cookiesFile: absolutePath, sleepRequestsSeconds: z.number().nonnegative(), extraArgs: z.array(z.string()) }).partial().strict(),
    ),
    placement: z
      .object({
        unassignedFolder: z.string().min(1).refine((v) => !/[/:\u0000]/.test(v), 'expected a folder name without "/" or ":"'),
        maxFileNameBytes: z.number().int().min(40).max(250),
        /** Where each format goes: "out" (OUT_DIR/<playlist>), "backup" (BACKUP_DIR), "wavBackup" (WAV_BACKUP_DIR); see DEFAULT_DESTINATIONS. */
        destinations: z.object({ m4a: z.array(z.enum(['out', 'backup', 'wavBackup'])), aiff: z.array(z.enum(['out', 'backup', 'wavBackup'])), wav: z.array(z.enum(['out', 'backup', 'wavBackup'])) }).partial().strict(),
      })
      .partial()
      .strict(),
    search: z
      .object({ youtube: z.string().includes('{query}'), soundcloud: z.string().includes('{query}'), acceptScore: z.number().min(0).max(1), maxDurationGapSeconds: positiveInt })
      .partial()
      .strict(),
    library: z
      .object({
        /** More folders to index besides OUT_DIR, BACKUP_DIR and WAV_BACKUP_DIR (the legacy Dropbox playlist copies, say). */
        extraFolders: z.array(absolutePath),
        /** Fingerprint similarity from which two files are the same recording (media-notes.md: re-encodes 0.97-1.0, unrelated ~0.5). */
        similarityThreshold: z.number().min(0.5).max(1),
        /** Fuzzy name similarity for `tracksync dedup` (legacy: 0.75). */
        nameThreshold: z.number().min(0.5).max(1),
        /** Durations within this many seconds count as the same for the title + artist layer. */
        durationToleranceSeconds: z.number().positive(),
        /** Merge duplicate Notion pages with the same Spotify ID, SoundCloud URL, YouTube id or ISRC during sync (fuzzy ones only in `tracksync dedup --apply`). */
        mergeExactDuplicates: z.boolean(),
        /** Files the library scan reads at once; 0 = one per core. */
        scanConcurrency: z.number().int().min(0).max(64),
      })
      .partial()
      .strict(),
    tasks: z.object({ maxTracksPerTask: positiveInt.max(1000), fallbackCandidates: positiveInt.max(50), maxPlaylistTracks: positiveInt.max(10_000), maxNewRowsPerTask: positiveInt.max(10_000) }).partial().strict(),
    /** What tracksync may fetch: hosts on private or local addresses allowed anyway (a NAS, a local media server). */
    security: z.object({ allowPrivateHosts: z.array(allowEntry) }).partial().strict(),
    handoff: z
      .object({
        /** A folder for RETURN handoff files (legacy-workflow.md §12.3); none are written when unset. */
        returnFolder: absolutePath,
        /** Create a "Review: <title>" task after each completed task (legacy orchestrator behaviour; off by default). */
        reviewTask: z.boolean(),
      })
      .partial()
      .strict(),
    feeds: z
      .object({
        cron: z.string().min(1),
        maxNewRowsPerRun: positiveInt.max(1000),
        soundcloudLikesUrl: z.string().includes('{profile}'),
        soundcloudLikes: z.boolean(),
        soundcloudPlaylists: z.array(httpUrl),
        spotifyLikes: z.boolean(),
        spotifyPlaylists: z.array(z.string().min(1)),
      })
      .partial()
      .strict(),
    http: z
      .object({
        host: z.string().min(1),
        port: z.number().int().min(0).max(65_535).nullable(),
        /** More names the page may be reached by (a reverse proxy's or a tunnel's), besides its own. */
        allowedHosts: z.array(z.string().min(1)),
      })
      .partial()
      .strict(),
    logs: z.object({ maxFileBytes: z.number().int().min(64 * 1024), keepFiles: positiveInt.max(100) }).partial().strict(),
    notifications: z
      .object({
        enabled: z.boolean(),
        notionDownAfterMs: positiveInt,
        /** A node-cron expression, or null for no daily summary. */
        dailySummaryCron: z.string().min(1).nullable(),
      })
      .partial()
      .strict(),
    links: z.object({ enabled: z.boolean(), perCycle: positiveInt.max(100) }).partial().strict(),
    /** Conditions that need a person become one "CRITICAL: Music Sync Failure - <kind>" Agent-Task each. */
    critical: z
      .object({ agentPageId: notionId, volumeMissingAfterMs: positiveInt, repeatLineMs: positiveInt, downloadFailuresBeforeTask: positiveInt.max(100) })
      .partial()
      .strict(),
    /** macOS helpers: the tools (found on PATH by default) and the now-playing fallback of music-sync tasks. */
    macos: z.object({ osascript: z.string().min(1), terminalNotifier: z.string().min(1), nowPlaying: z.boolean() }).partial().strict(),
    /** Notion playlists exported for the DJ apps (src/playlists/): targets, folder, paths, order. */
    playlists: z
      .object({
        /** Where the .m3u8 files and rekordbox.xml go (PLAYLIST_EXPORT_DIR wins); default OUT_DIR/Playlists (tracksync). */
        exportDir: absolutePath,
        m3u8: z.boolean(),
        rekordbox: z.boolean(),
        /** Apple Music playlists kept in step through osascript; on by default on macOS only. */
        appleMusic: z.boolean(),
        relativePaths: z.boolean(),
        /** The Camelot code ("8A") in rekordbox's Comments column. */
        camelotInComments: z.boolean(),
        /** A Music Tracks property (a "Set Order" number, say) to order each playlist by, instead of the relation's order. */
        sortProperty: z.string().min(1).nullable(),
        /** Which file of a track a playlist points at, in order of preference. */
        formats: z.array(z.enum(['m4a', 'aiff', 'wav'])).min(1),
        rekordboxFolder: z.string().trim().min(1).max(100),
        appleMusicTimeoutMs: positiveInt,
      })
      .partial()
      .strict(),
    launchd: z.object({ label: z.string().regex(/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/, 'expected a reverse-DNS label such as "com.tracksync.daemon"'), throttleIntervalSeconds: positiveInt }).partial().strict(),
  })
  .partial()
  .strict();

export type DestinationKey = 'out' | 'backup' | 'wavBackup';
export type AudioFormat = 'm4a' | 'aiff' | 'wav';
export type SourceKind = 'soundcloud' | 'youtube' | 'generic';

/**
 * Legacy layout (legacy-workflow.md §6): M4A and AIFF in OUT_DIR/<playlist>, an M4A copy for djay Pro (BACKUP_DIR),
 * the WAV for Apple Music (WAV_BACKUP_DIR). Every listed destination whose folder is set gets a copy; the first is the
 * path written to Notion; a format none of whose folders is set goes to OUT_DIR/<playlist>.
 */
export const DEFAULT_DESTINATIONS: Readonly<Record<AudioFormat, readonly DestinationKey[]>> = {
  m4a: ['out', 'backup'],
  aiff: ['out'],
  wav: ['wavBackup'],
};

export type FileConfig = z.infer<typeof fileSchema>;

/** The type of a defaults object with its literal types widened (a config value may differ from its default). */
type Widen<T> = T extends string ? string : T extends number ? number : T extends boolean ? boolean : { readonly [K in keyof T]: Widen<T[K]> };

export interface Config {
  readonly notion: {
    readonly token: string;
    readonly baseUrl: string;
    readonly requestsPerSecond: number;
    readonly burstPerSecond: number;
    readonly requestTimeoutMs: number;
    readonly maxRetries: number;
  };
  readonly databases: {
    readonly tracks: string;
    readonly artists?: string;
    readonly tasks?: string;
    readonly executionLogs?: string;
    readonly playlists?: string;
  };
  /** The data source to use per database, by name or id (`TRACKS_DATA_SOURCE`… or `dataSources` in the file). */
  readonly dataSources: Readonly<Partial<Record<'tracks' | 'artists' | 'tasks' | 'executionLogs' | 'playlists', string>>>;
  readonly mappings: Readonly<Partial<Record<'tracks' | 'artists' | 'tasks' | 'executionLogs' | 'playlists', Readonly<Record<string, string>>>>>;
  readonly stateDir: string;
  /** OUT_DIR defaults to ~/Music/tracksync; the two backup folders are used only when set. */
  readonly paths: { readonly outDir: string; readonly backupDir?: string; readonly wavBackupDir?: string };
  readonly schedule: { readonly cycleCron: string; readonly fullReconcileIntervalMs: number; readonly cursorOverlapMs: number };
  readonly routing: {
    readonly taskTypes: readonly string[];
    readonly titleKeywords: readonly string[];
    readonly agentPageId?: string;
    readonly readyStatus: string;
    readonly inProgressStatus: string;
    readonly completedStatus: string;
    readonly failedStatus: string;
    readonly blockedStatus: string;
  };
  readonly concurrency: { readonly maxItems: number; readonly claimBatchSize: number };
  readonly claims: { readonly leaseMs: number; readonly settleMs: number };
  readonly retry: {
    readonly maxAttempts: number;
    readonly baseDelayMs: number;
    readonly maxDelayMs: number;
    readonly rateLimitedDefaultDelayMs: number;
    readonly lockConflictDelayMs: number;
    readonly waitForPersonMs: number;
  };
  readonly shutdown: { readonly graceMs: number; readonly abortWaitMs: number };
  readonly items: { readonly maxRunMs: number };
  readonly handlers: readonly string[];
  readonly logging: { readonly level: string };
  readonly soundcloudProfile?: string;
  readonly media: Widen<typeof DEFAULTS.media> & { readonly formats: Readonly<Record<AudioFormat, boolean>> };
  readonly sources: Readonly<Partial<Record<SourceKind, { readonly cookiesFile?: string; readonly sleepRequestsSeconds?: number; readonly extraArgs?: readonly string[] }>>>;
  readonly placement: { readonly unassignedFolder: string; readonly maxFileNameBytes: number; readonly destinations: Readonly<Record<AudioFormat, readonly DestinationKey[]>> };
  readonly search: Widen<typeof DEFAULTS.search>;
  readonly tasks: Widen<typeof DEFAULTS.tasks>;
  readonly library: { readonly extraFolders: readonly string[]; readonly similarityThreshold: number; readonly nameThreshold: number; readonly durationToleranceSeconds: number; readonly mergeExactDuplicates: boolean; readonly scanConcurrency: number };
  readonly handoff: { readonly returnFolder?: string; readonly reviewTask: boolean };
  readonly feeds: {
    readonly cron: string;
    readonly maxNewRowsPerRun: number;
    readonly soundcloudLikesUrl: string;
    /** On when SOUNDCLOUD_PROFILE is set, unless switched off. */
    readonly soundcloudLikes: boolean;
    readonly soundcloudPlaylists: readonly string[];
    /** On when a Spotify refresh token is set, unless switched off. */
    readonly spotifyLikes: boolean;
    readonly spotifyPlaylists: readonly string[];
  };
  readonly spotify: { readonly clientId?: string; readonly clientSecret?: string; readonly refreshToken?: string; readonly apiBaseUrl?: string; readonly accountsBaseUrl?: string };
  readonly eagle: { readonly apiBase?: string; readonly token?: string };
  /**
   * The status server; port null when switched off. token: required on every request (TRACKSYNC_HTTP_TOKEN), and
   * needed to bind to anything but loopback. allowedHosts: Host header names accepted besides its own.
   */
  readonly http: { readonly host: string; readonly port: number | null; readonly token?: string; readonly allowedHosts: readonly string[] };
  /** Hosts on private or local addresses that may be fetched anyway (TRACKSYNC_ALLOW_PRIVATE_HOSTS). */
  readonly security: { readonly allowPrivateHosts: readonly string[] };
  /** The webhook verification token, when known (NOTION_WEBHOOK_TOKEN or stored by the verification request). */
  readonly webhookToken?: string;
  /** JSON log files (TRACKSYNC_LOG_DIR, set by the LaunchAgent); logs go to standard error when unset. */
  readonly logs: { readonly dir?: string; readonly maxFileBytes: number; readonly keepFiles: number };
  readonly notifications: {
    readonly enabled: boolean;
    readonly notionDownAfterMs: number;
    readonly dailySummaryCron: string | null;
    readonly timeoutMs: number;
  };
  readonly links: Widen<typeof DEFAULTS.links>;
  /** agentPageId: who CRITICAL tasks are assigned to (a person or another agent: never tracksync's own routing page). */
  readonly critical: { readonly agentPageId?: string; readonly volumeMissingAfterMs: number; readonly repeatLineMs: number; readonly downloadFailuresBeforeTask: number };
  readonly macos: { readonly osascript: string; readonly terminalNotifier: string; readonly nowPlaying: boolean };
  readonly launchd: { readonly label: string; readonly throttleIntervalSeconds: number; readonly exitTimeoutMarginSeconds: number };
  /** Playlist export (src/playlists/): sortProperty null keeps the order of the Notion relation. */
  readonly playlists: Omit<Widen<typeof DEFAULTS.playlists>, 'formats'> & {
    readonly exportDir: string;
    readonly appleMusic: boolean;
    readonly sortProperty: string | null;
    readonly formats: readonly AudioFormat[];
  };
  /** Secret values, for the logger to scrub. Never printed. */
  readonly secrets: readonly string[];
  /** Where the file config came from, if any (for `doctor`). */
  readonly configFile?: string;
}

export interface LoadConfigOptions {
  env?: Record<string, string | undefined>;
  /** Directory searched for .env (default: the working directory). */
  cwd?: string;
  platform?: NodeJS.Platform;
  home?: string;
  /** The Keychain tool (macOS; found on PATH by default). */
  securityBin?: string;
}

/** "ntn_…(50 chars)": enough to tell which secret is set, not enough to use it. */
export function maskSecret(value: string): string {
  return value.length <= 8 ? '***' : `${value.slice(0, 4)}…(${value.length} chars)`;
}

function shown(key: string, value: unknown): string {
  if (value === undefined) return 'unset';
  if ((SECRET_ENV_KEYS as readonly string[]).includes(key) && typeof value === 'string') return `"${maskSecret(value)}"`;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return `"${text.length > 120 ? `${text.slice(0, 120)}…` : text}"`;
}

export function defaultStateDir(os: NodeJS.Platform, home: string, env: Record<string, string | undefined>): string {
  if (os === 'darwin') return join(home, 'Library', 'Application Support', 'tracksync');
  const base = env.XDG_STATE_HOME && isAbsolute(env.XDG_STATE_HOME) ? env.XDG_STATE_HOME : join(home, '.local', 'state');
  return join(base, 'tracksync');
}

/** The state directory alone, for commands that only read local state (`status`): no Notion settings needed. */
export function stateDirFrom(env: Record<string, string | undefined>, cwd: string, os: NodeJS.Platform = platform(), home: string = homedir()): string {
  const merged = { ...readDotEnv(cwd), ...env };
  const explicit = merged.TRACKSYNC_STATE_DIR;
  if (explicit !== undefined && explicit !== '') {
    if (!isAbsolute(explicit)) throw new ConfigError([`TRACKSYNC_STATE_DIR: expected an absolute path; got "${explicit}"`]);
    return explicit;
  }
  return defaultStateDir(os, home, merged);
}

export function readDotEnv(cwd: string): Record<string, string> {
  const path = join(cwd, '.env');
  if (!existsSync(path)) return {};
  return parseEnv(readFileSync(path, 'utf8')) as Record<string, string>;
}

function readFileConfig(path: string, problems: string[]): FileConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    problems.push(`TRACKSYNC_CONFIG: cannot read "${path}" as JSON: ${(error as Error).message}`);
    return {};
  }
  const parsed = fileSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) {
    const key = issue.path.join('.');
    const value = issue.path.reduce<unknown>((v, k) => (v as Record<string | number, unknown> | undefined)?.[k as string], raw);
    const unknownKeys = issue.code === 'unrecognized_keys' ? ` (unknown keys: ${issue.keys.join(', ')})` : '';
    problems.push(`config file ${path}: ${key || '(top level)'}: ${issue.message}${unknownKeys}${issue.code === 'unrecognized_keys' ? '' : `; got ${shown(key, value)}`}`);
  }
  return {};
}

export function loadConfig(options: LoadConfigOptions = {}): Config {
  const cwd = options.cwd ?? process.cwd();
  const os = options.platform ?? platform();
  const home = options.home ?? homedir();
  const problems: string[] = [];
  // Precedence: the environment, then .env, then the secrets file, then the Keychain (secrets.ts).
  const plainEnv = { ...readDotEnv(cwd), ...(options.env ?? process.env) };
  const env = { ...plainEnv };
  const explicitStateDir = plainEnv.TRACKSYNC_STATE_DIR;
  // A relative TRACKSYNC_STATE_DIR is reported by the schema below; secrets are then looked up nowhere but the Keychain.
  const secretsDir = explicitStateDir && isAbsolute(explicitStateDir) ? explicitStateDir : explicitStateDir ? undefined : defaultStateDir(os, home, plainEnv);
  try {
    Object.assign(env, loadSecrets(secretsDir, plainEnv, os, options.securityBin));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }

  const parsedEnv = envSchema.safeParse(env);
  if (!parsedEnv.success) {
    for (const issue of parsedEnv.error.issues) {
      const key = String(issue.path[0]);
      problems.push(`${key}: ${issue.message}; got ${shown(key, env[key])}`);
    }
  }

  const configPath = env.TRACKSYNC_CONFIG ? resolve(cwd, env.TRACKSYNC_CONFIG) : undefined;
  let file: FileConfig = {};
  if (configPath !== undefined) {
    if (!existsSync(configPath)) problems.push(`TRACKSYNC_CONFIG: no file at "${configPath}"`);
    else file = readFileConfig(configPath, problems);
  }

  const retry = { ...DEFAULTS.retry, ...file.retry };
  const maxDownloadMb = Number(env.TRACKSYNC_MAX_DOWNLOAD_MB) > 0 ? Math.floor(Number(env.TRACKSYNC_MAX_DOWNLOAD_MB)) : (file.media?.maxDownloadMb ?? DEFAULTS.media.maxDownloadMb);
  const media = { ...DEFAULTS.media, ...file.media, maxDownloadMb, tools: { ...DEFAULTS.media.tools, ...file.media?.tools }, formats: { m4a: true, aiff: true, wav: true, ...file.media?.formats } };
  if (media.minBpm * 2 > media.maxBpm) problems.push(`config file: media.minBpm (${media.minBpm}) and media.maxBpm (${media.maxBpm}) must span at least an octave (maxBpm >= 2 x minBpm) for half/double-time folding`);
  if (!Object.values(media.formats).some(Boolean)) problems.push('config file: media.formats switches every format off; keep at least one of m4a, aiff, wav');
  if (retry.baseDelayMs > retry.maxDelayMs) problems.push(`config file: retry.baseDelayMs (${retry.baseDelayMs}) is larger than retry.maxDelayMs (${retry.maxDelayMs})`);
  if (file.critical?.agentPageId && file.critical.agentPageId === file.routing?.agentPageId) {
    problems.push('config file: critical.agentPageId is tracksync\'s own routing.agentPageId: CRITICAL tasks must go to a person or another agent, or tracksync would be asked to fix itself');
  }
  const httpHost = (typeof env.TRACKSYNC_HTTP_HOST === 'string' && env.TRACKSYNC_HTTP_HOST) || file.http?.host || DEFAULTS.http.host;
  const httpOff = env.TRACKSYNC_HTTP_PORT === 'off' || (env.TRACKSYNC_HTTP_PORT === undefined && file.http?.port === null);
  if (!httpOff && !isLoopbackHost(httpHost) && !env.TRACKSYNC_HTTP_TOKEN) {
    problems.push(`TRACKSYNC_HTTP_HOST: "${httpHost}" is not a loopback address, so the status page and its API would be open to the network without a password. Set TRACKSYNC_HTTP_TOKEN ("openssl rand -hex 24 | tracksync secrets set TRACKSYNC_HTTP_TOKEN"), or keep 127.0.0.1 and reach it through an SSH tunnel`);
  }
  const sortProperty = file.playlists?.sortProperty ?? null;
  const mappedOrder = file.mappings?.tracks?.setOrder;
  if (sortProperty !== null && mappedOrder !== undefined && mappedOrder !== sortProperty) {
    problems.push(`config file: playlists.sortProperty ("${sortProperty}") and mappings.tracks.setOrder ("${mappedOrder}") name different properties; keep one of them`);
  }
  const shutdown = { ...DEFAULTS.shutdown, ...file.shutdown };
  const claims = { ...DEFAULTS.claims, ...file.claims };

  if (problems.length > 0 || !parsedEnv.success) throw new ConfigError(problems);
  const e = parsedEnv.data;
  const configDir = configPath ? resolve(configPath, '..') : cwd;
  const outDir = e.OUT_DIR ?? join(home, 'Music', 'tracksync');

  const config: Config = {
    notion: {
      token: e.NOTION_TOKEN,
      baseUrl: e.NOTION_API_BASE_URL.replace(/\/+$/, ''),
      requestsPerSecond: file.notion?.requestsPerSecond ?? DEFAULTS.notion.requestsPerSecond,
      burstPerSecond: file.notion?.burstPerSecond ?? DEFAULTS.notion.burstPerSecond,
      requestTimeoutMs: file.notion?.requestTimeoutMs ?? DEFAULTS.notion.requestTimeoutMs,
      maxRetries: file.notion?.maxRetries ?? DEFAULTS.notion.maxRetries,
    },
    databases: {
      tracks: e.TRACKS_DB_ID,
      ...(e.ARTISTS_DB_ID ? { artists: e.ARTISTS_DB_ID } : {}),
      ...(e.AGENT_TASKS_DB_ID ? { tasks: e.AGENT_TASKS_DB_ID } : {}),
      ...(e.EXECUTION_LOGS_DB_ID ? { executionLogs: e.EXECUTION_LOGS_DB_ID } : {}),
      ...(e.PLAYLISTS_DB_ID ? { playlists: e.PLAYLISTS_DB_ID } : {}),
    },
    dataSources: {
      ...file.dataSources,
      ...(e.TRACKS_DATA_SOURCE ? { tracks: e.TRACKS_DATA_SOURCE } : {}),
      ...(e.ARTISTS_DATA_SOURCE ? { artists: e.ARTISTS_DATA_SOURCE } : {}),
      ...(e.AGENT_TASKS_DATA_SOURCE ? { tasks: e.AGENT_TASKS_DATA_SOURCE } : {}),
      ...(e.EXECUTION_LOGS_DATA_SOURCE ? { executionLogs: e.EXECUTION_LOGS_DATA_SOURCE } : {}),
      ...(e.PLAYLISTS_DATA_SOURCE ? { playlists: e.PLAYLISTS_DATA_SOURCE } : {}),
    },
    // playlists.sortProperty is the setOrder field of Music Tracks under another name (notion/databases.ts).
    mappings: sortProperty === null ? (file.mappings ?? {}) : { ...file.mappings, tracks: { ...file.mappings?.tracks, setOrder: sortProperty } },
    stateDir: e.TRACKSYNC_STATE_DIR ?? defaultStateDir(os, home, env),
    paths: {
      outDir,
      ...(e.BACKUP_DIR ? { backupDir: e.BACKUP_DIR } : {}),
      ...(e.WAV_BACKUP_DIR ? { wavBackupDir: e.WAV_BACKUP_DIR } : {}),
    },
    schedule: { ...DEFAULTS.schedule, ...file.schedule },
    routing: { ...DEFAULTS.routing, ...file.routing },
    concurrency: { ...DEFAULTS.concurrency, ...file.concurrency },
    claims,
    retry,
    shutdown,
    items: { ...DEFAULTS.items, ...file.items },
    handlers: (file.handlers ?? []).map((h) => (isAbsolute(h) ? h : resolve(configDir, h))),
    logging: { level: e.TRACKSYNC_LOG_LEVEL ?? file.logging?.level ?? DEFAULTS.logging.level },
    ...(e.SOUNDCLOUD_PROFILE ? { soundcloudProfile: e.SOUNDCLOUD_PROFILE } : {}),
    media,
    sources: file.sources ?? {},
    placement: {
      unassignedFolder: file.placement?.unassignedFolder ?? DEFAULTS.placement.unassignedFolder,
      maxFileNameBytes: file.placement?.maxFileNameBytes ?? DEFAULTS.placement.maxFileNameBytes,
      destinations: { ...DEFAULT_DESTINATIONS, ...file.placement?.destinations },
    },
    search: { ...DEFAULTS.search, ...file.search },
    tasks: { ...DEFAULTS.tasks, ...file.tasks },
    library: { extraFolders: [], ...DEFAULTS.library, ...file.library },
    handoff: { reviewTask: file.handoff?.reviewTask ?? false, ...(file.handoff?.returnFolder ? { returnFolder: file.handoff.returnFolder } : {}) },
    feeds: {
      cron: file.feeds?.cron ?? DEFAULTS.feeds.cron,
      maxNewRowsPerRun: file.feeds?.maxNewRowsPerRun ?? DEFAULTS.feeds.maxNewRowsPerRun,
      soundcloudLikesUrl: file.feeds?.soundcloudLikesUrl ?? DEFAULTS.feeds.soundcloudLikesUrl,
      soundcloudLikes: (file.feeds?.soundcloudLikes ?? true) && e.SOUNDCLOUD_PROFILE !== undefined,
      soundcloudPlaylists: file.feeds?.soundcloudPlaylists ?? [],
      spotifyLikes: (file.feeds?.spotifyLikes ?? true) && e.SPOTIFY_REFRESH_TOKEN !== undefined,
      spotifyPlaylists: file.feeds?.spotifyPlaylists ?? [],
    },
    spotify: {
      ...(e.SPOTIFY_CLIENT_ID ? { clientId: e.SPOTIFY_CLIENT_ID } : {}),
      ...(e.SPOTIFY_CLIENT_SECRET ? { clientSecret: e.SPOTIFY_CLIENT_SECRET } : {}),
      ...(e.SPOTIFY_REFRESH_TOKEN ? { refreshToken: e.SPOTIFY_REFRESH_TOKEN } : {}),
      ...(e.SPOTIFY_API_BASE_URL ? { apiBaseUrl: e.SPOTIFY_API_BASE_URL } : {}),
      ...(e.SPOTIFY_ACCOUNTS_BASE_URL ? { accountsBaseUrl: e.SPOTIFY_ACCOUNTS_BASE_URL } : {}),
    },
    eagle: { ...(e.EAGLE_API_BASE ? { apiBase: e.EAGLE_API_BASE } : {}), ...(e.EAGLE_TOKEN ? { token: e.EAGLE_TOKEN } : {}) },
    http: {
      host: e.TRACKSYNC_HTTP_HOST ?? file.http?.host ?? DEFAULTS.http.host,
      port: e.TRACKSYNC_HTTP_PORT === 'off' ? null : (e.TRACKSYNC_HTTP_PORT ?? (file.http?.port === undefined ? DEFAULTS.http.port : file.http.port)),
      ...(e.TRACKSYNC_HTTP_TOKEN ? { token: e.TRACKSYNC_HTTP_TOKEN } : {}),
      allowedHosts: file.http?.allowedHosts ?? [],
    },
    // The environment replaces the config file's list, like every other setting.
    security: { allowPrivateHosts: e.TRACKSYNC_ALLOW_PRIVATE_HOSTS !== undefined ? e.TRACKSYNC_ALLOW_PRIVATE_HOSTS.split(',').map((v) => v.trim()).filter(Boolean) : (file.security?.allowPrivateHosts ?? []) },
    ...(e.NOTION_WEBHOOK_TOKEN ? { webhookToken: e.NOTION_WEBHOOK_TOKEN } : {}),
    logs: { ...(e.TRACKSYNC_LOG_DIR ? { dir: e.TRACKSYNC_LOG_DIR } : {}), maxFileBytes: file.logs?.maxFileBytes ?? DEFAULTS.logs.maxFileBytes, keepFiles: file.logs?.keepFiles ?? DEFAULTS.logs.keepFiles },
    notifications: {
      enabled: e.TRACKSYNC_NOTIFY === undefined ? (file.notifications?.enabled ?? DEFAULTS.notifications.enabled) : e.TRACKSYNC_NOTIFY === '1' || e.TRACKSYNC_NOTIFY === 'true',
      notionDownAfterMs: file.notifications?.notionDownAfterMs ?? DEFAULTS.notifications.notionDownAfterMs,
      dailySummaryCron: file.notifications?.dailySummaryCron === undefined ? DEFAULTS.notifications.dailySummaryCron : file.notifications.dailySummaryCron,
      timeoutMs: DEFAULTS.notifications.timeoutMs,
    },
    links: { ...DEFAULTS.links, ...file.links },
    critical: { ...DEFAULTS.critical, ...file.critical },
    macos: { ...DEFAULTS.macos, ...file.macos },
    launchd: { ...DEFAULTS.launchd, ...file.launchd },
    playlists: {
      ...DEFAULTS.playlists,
      ...file.playlists,
      exportDir: e.PLAYLIST_EXPORT_DIR ?? file.playlists?.exportDir ?? join(outDir, DEFAULTS.playlists.folderName),
      appleMusic: file.playlists?.appleMusic ?? os === 'darwin',
      sortProperty,
      formats: file.playlists?.formats ?? DEFAULTS.playlists.formats,
    },
    secrets: SECRET_ENV_KEYS.map((k) => env[k]).filter((v): v is string => typeof v === 'string' && v.length > 0),
    ...(configPath ? { configFile: configPath } : {}),
  };
  registerSecrets(config.secrets);
  return deepFreeze(config);
}

/** 127.0.0.0/8, ::1 and localhost: the only places the status server may listen without a token. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
