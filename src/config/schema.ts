import { isAbsolute, join, resolve } from 'node:path';
import cron from 'node-cron';
import { z } from 'zod';
import { parseAllowEntry } from '../net/hosts.js';
import { CONSTANTS } from './constants.js';

/**
 * THE configuration schema: every setting tracksync has is declared here once, with its default, its unit in its name
 * and the reason for its value (its `.describe()` text, which the README's Configuration section is generated from).
 * `Config` is this schema's output type; ENVIRONMENT below maps the environment variables onto its keys. Numbers and
 * lists nobody configures are in ./constants.ts. ./load.ts reads the sources, merges them and parses once.
 */

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const AUDIO_FORMATS = ['m4a', 'aiff', 'wav'] as const;
export type AudioFormat = (typeof AUDIO_FORMATS)[number];
export const DESTINATION_KEYS = ['out', 'backup', 'wavBackup'] as const;
export type DestinationKey = (typeof DESTINATION_KEYS)[number];
export const SOURCE_KINDS = ['soundcloud', 'youtube', 'generic'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

// ---------------------------------------------------------------------------------------------------------------------
// Value types. Messages say what was expected; ./load.ts adds the key and the value.

const number = z.number({ error: 'expected a number' });
const wholeNumber = z.number({ error: 'expected a whole number' }).int('expected a whole number');
const positiveInt = wholeNumber.positive('expected a whole number above 0');
const nonNegativeInt = wholeNumber.nonnegative('expected a whole number, 0 or more');
const flag = z.boolean({ error: 'expected true or false' });
const text = z.string({ error: 'expected text (a JSON string)' }).min(1, 'is empty');
const texts = z.array(text, { error: 'expected a list of texts ([...])' });
const absolutePath = z
  .string({ error: 'expected an absolute path' })
  .refine((v) => isAbsolute(v), 'expected an absolute path');
const httpUrl = z
  .string({ error: 'expected an http(s) URL' })
  .refine((v) => /^https?:\/\/[^\s]+$/i.test(v) && URL.canParse(v), 'expected an http(s) URL');
/** node-cron's own check, so every expression the scheduler would refuse is refused when the configuration loads. */
const cronExpression = z
  .string({ error: 'expected a cron expression (a JSON string)' })
  .refine(
    (v) => cron.validate(v),
    'is not a valid cron expression: expected five fields "minute hour day-of-month month day-of-week" ' +
      '(e.g. "*/15 * * * *"), or six with seconds first',
  );

const NOTION_ID = /^[0-9a-f]{32}$|^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Database ids are accepted as copied from a Notion URL: dashed, undashed, or the whole URL. */
export function parseNotionId(value: string): string | undefined {
  const match = value
    .trim()
    .match(/([0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:[?#].*)?$/i);
  if (!match || !NOTION_ID.test(match[1]!)) return undefined;
  const hex = match[1]!.replaceAll('-', '').toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A Notion id of a database or a page, accepted as copied from Notion (dashed, undashed, or the URL). */
function notionIdOf(what: 'database' | 'page') {
  return z.string({ error: `expected a Notion ${what} id (a JSON string)` }).transform((value, ctx) => {
    const id = parseNotionId(value);
    if (id === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `expected a Notion ${what} id (32 hex characters, dashed or not, or the ${what} URL)`,
      });
      return z.NEVER;
    }
    return id;
  });
}
const databaseId = notionIdOf('database');
const pageId = notionIdOf('page');

/** Unset is "not set: <what to do>"; anything else that is not text is a plain type error. */
function required(howToSet: string) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? `is not set: ${howToSet}` : 'expected text') })
    .min(1, 'is empty');
}

/** TRACKSYNC_ALLOW_PRIVATE_HOSTS entries: "*", host, host:port, an address, [v6]:port. */
const allowEntry = z
  .string({ error: 'expected a host (a JSON string)' })
  .refine(
    (v) => v.trim() === '*' || typeof parseAllowEntry(v) !== 'string',
    'expected "*", a host name, an address, or host:port (e.g. "nas.local", "192.168.1.20:8080")',
  );

/** A section: unknown keys refused (a typo must not be ignored silently), every default filled in when absent. */
function section<T extends z.core.$ZodShape>(shape: T) {
  // `as never`: for a generic shape TypeScript cannot see that {} is a valid input; every key below is optional or
  // required with its own "is not set" message.
  return z
    .object(shape, { error: 'expected an object ({ ... })' })
    .strict()
    .prefault({} as never);
}

// ---------------------------------------------------------------------------------------------------------------------
// The settings, section by section.

const notion = section({
  token: required(
    'create an internal integration at https://www.notion.so/my-integrations and set its secret',
  ).describe(
    'The internal integration secret (required). A secret: the environment, .env, secrets.env or the Keychain only.',
  ),
  baseUrl: httpUrl
    .transform((v) => v.replace(/\/+$/, ''))
    .default('https://api.notion.com')
    .describe('Where the Notion API is. The sandbox and the tests point it at the local Notion.'),
  requestsPerSecond: number
    .positive('expected a number above 0')
    .max(50)
    .default(2.5)
    .describe(
      'Notion requests per second on average. Notion documents "an average of three requests per second" per ' +
        'integration; 2.5 leaves room for your other integrations and for clock skew.',
    ),
  burstPerSecond: wholeNumber
    .min(1)
    .max(100)
    .default(4)
    .describe(
      'Most requests in any one-second window. Notion allows "some bursts"; 4 keeps an idle cycle well under 5/s.',
    ),
  requestTimeoutMs: positiveInt
    .default(30_000)
    .describe(
      'One Notion request may take this long. The SDK default is 60 s and does not abort a timed-out request, so ' +
        'writes are reconciled after a timeout.',
    ),
  maxRetries: nonNegativeInt
    .max(20)
    .default(5)
    .describe(
      'Retries per Notion call for transient failures, after the first try (the SDK default of 2 is too few for 429 storms).',
    ),
});

const databaseKeys = {
  tracks: 'Music Tracks',
  artists: 'Music Artists',
  tasks: 'Agent-Tasks',
  executionLogs: 'Execution-Logs',
  playlists: 'Music Playlists',
} as const;

const databases = section({
  tracks: required('copy the Music Tracks database link (Share > Copy link) and set its id')
    .pipe(databaseId)
    .describe(
      'Music Tracks (required): an id as copied from Notion (dashed or not) or the database URL; a data source id works too.',
    ),
  artists: databaseId.optional().describe('Music Artists: artists are found or created and linked. Unset: not linked.'),
  tasks: databaseId.optional().describe('Agent-Tasks: polled for tasks routed to tracksync. Unset: not polled.'),
  executionLogs: databaseId.optional().describe('Execution-Logs: one page per task run. Unset: none written.'),
  playlists: databaseId
    .optional()
    .describe('Music Playlists: exported as playlists for the DJ apps. Unset: no playlists.'),
});

const dataSources = section(
  Object.fromEntries(
    Object.entries(databaseKeys).map(([key, name]) => [
      key,
      text
        .optional()
        .describe(
          `Which data source of ${name} to use, by name or id, when the database holds several. Unset: the only one.`,
        ),
    ]),
  ) as Record<keyof typeof databaseKeys, z.ZodOptional<typeof text>>,
);

const mappings = section(
  Object.fromEntries(
    Object.entries(databaseKeys).map(([key, name]) => [
      key,
      z
        .record(z.string(), text, { error: 'expected an object of field names to property names' })
        .optional()
        .describe(`${name}: semantic field -> the live property's name, where yours differs from the contract.`),
    ]),
  ) as Record<keyof typeof databaseKeys, z.ZodOptional<z.ZodRecord<z.ZodString, typeof text>>>,
);

const schedule = section({
  cycleCron: cronExpression
    .default('* * * * *')
    .describe("When polling cycles run (node-cron): every minute, the legacy orchestrator's cadence."),
  fullReconcileIntervalMs: positiveInt
    .default(6 * HOUR_MS)
    .describe('A full reconcile (no timestamp filter) this often catches edits the incremental cursor cannot see.'),
  cursorOverlapMs: nonNegativeInt
    .default(MINUTE_MS)
    .describe(
      'The incremental query starts this long before the cursor minute: last_edited_time is floored to the minute ' +
        'and filtered queries can lag a write briefly, so one extra minute is re-read and de-duplicated.',
    ),
  syncRequestCheckMs: positiveInt
    .default(1000)
    .describe(
      'How often a running daemon looks in SQLite for rows `tracksync sync` handed to it: one indexed read, so ' +
        'a hand-off starts within about a second instead of at the next cycle.',
    ),
});

const routing = section({
  taskTypes: texts
    .default(['Music Sync'])
    .describe('Agent-Tasks of these types are ours (when Ready and not archived).'),
  titleKeywords: texts
    .default(['music track sync', 'music sync', 'sync playlist', 'playlist sync'])
    .describe('...or whose title holds one of these: the two of the Agent-Tasks contract plus "Sync playlist <url>".'),
  agentPageId: pageId.optional().describe("tracksync's own agent page: tasks assigned to it are ours too."),
  readyStatus: text.default('Ready').describe('The Agent-Tasks status that means "do this".'),
  inProgressStatus: text.default('In Progress').describe('The status while tracksync works on a task.'),
  completedStatus: text.default('Completed').describe('The status of a task done.'),
  failedStatus: text.default('Failed').describe('The status of a task that failed.'),
  blockedStatus: text.default('Blocked').describe('The status of a task waiting for a person.'),
});

const concurrency = section({
  maxItems: positiveInt
    .max(32)
    .default(2)
    .describe('Items processed at once. Two cores: one track converting while another downloads keeps both busy.'),
  claimBatchSize: positiveInt
    .max(100)
    .default(10)
    .describe('Items claimed per source per cycle at most, so one huge backlog cannot starve the other source.'),
});

const claims = section({
  leaseMs: wholeNumber
    .min(10_000)
    .default(30 * MINUTE_MS)
    .describe(
      'How long a claim is ours without a heartbeat (heartbeats every third of it). Two times the longest stage (a ' +
        '20 min download) would be 40 min; the legacy Processing Lock went stale after 30 min and other machines ' +
        'still read that rule, so 30 min.',
    ),
  settleMs: nonNegativeInt
    .max(60_000)
    .default(1_000)
    .describe(
      'Pause between writing a claim to Notion and reading it back. Notion has no compare-and-swap (the last writer ' +
        'wins), so both racers must read after both wrote; writes land within ~300 ms.',
    ),
});

const retry = section({
  maxAttempts: positiveInt
    .max(100)
    .default(8)
    .describe(
      'Attempts per item. graphile-worker and BullMQ stop far later; 8 with this curve span about an hour of outages (63.5 min, 32 to 95 min with the jitter).',
    ),
  baseDelayMs: positiveInt
    .default(30_000)
    .describe('Transient backoff: min(baseDelayMs * 2^(attempt-1), maxDelayMs), times a random factor in [0.5, 1.5).'),
  maxDelayMs: positiveInt.default(6 * HOUR_MS).describe('The longest wait between two attempts of an item.'),
  rateLimitedDefaultDelayMs: positiveInt
    .default(MINUTE_MS)
    .describe('A rate-limited item without a Retry-After waits this long.'),
  lockConflictDelayMs: positiveInt
    .default(5 * MINUTE_MS)
    .describe('A row locked by another machine is looked at again after this long.'),
  waitForPersonMs: positiveInt
    .default(30 * MINUTE_MS)
    .describe(
      'An item waiting for a person (Spotify refusing the app until its owner renews Premium) looks again after ' +
        'this long without using up attempts. Spotify says it "can take a few hours" after a renewal: 30 min keeps ' +
        'a hundred waiting rows at about 200 Notion writes an hour.',
    ),
});

const shutdown = section({
  graceMs: nonNegativeInt
    .default(10_000)
    .describe('On SIGTERM, running stages get this long to finish before subprocesses are aborted.'),
  abortWaitMs: nonNegativeInt
    .default(5_000)
    .describe(
      'After the abort, how long to wait for stages to unwind and leases to be released before exiting anyway.',
    ),
});

const items = section({
  maxRunMs: positiveInt
    .default(HOUR_MS)
    .describe('A single item may not run longer than this; past it the job is aborted and retried.'),
});

const logging = section({
  level: z.enum(LOG_LEVELS).default('info').describe('How much the JSON log says.'),
});

const media = section({
  tools: section({
    ffmpeg: text.default('ffmpeg').describe('The ffmpeg program (a name found on PATH, or a path).'),
    ffprobe: text.default('ffprobe').describe('The ffprobe program.'),
    ytDlp: text.default('yt-dlp').describe('The yt-dlp program.'),
    fpcalc: text.default('fpcalc').describe('The fpcalc program (Chromaprint).'),
  }),
  downloadTimeoutMs: positiveInt
    .default(15 * MINUTE_MS)
    .describe('A download past this is killed and retried: 15 min covers an 11-minute mix over a slow line.'),
  downloadRetries: nonNegativeInt.max(20).default(3).describe("yt-dlp's own retries per request."),
  socketTimeoutSeconds: positiveInt.default(30).describe("yt-dlp's socket timeout."),
  convertTimeoutMs: positiveInt
    .default(10 * MINUTE_MS)
    .describe('One ffmpeg run for three formats takes 0.6-1.1 s per 3 min of audio; 10 min is a hung process.'),
  toolTimeoutMs: positiveInt
    .default(2 * MINUTE_MS)
    .describe('Probe, tag and analysis subprocesses may take this long.'),
  mixLimitSeconds: positiveInt
    .default(660)
    .describe('Longer than this when a track is expected: a mix or a live set (the legacy limit).'),
  previewSeconds: positiveInt
    .default(30)
    .describe(
      'SoundCloud Go+ tracks come back as 30-second previews; a result this long when more was expected is one.',
    ),
  previewToleranceSeconds: nonNegativeInt.default(3).describe('...give or take this much.'),
  minBpm: number
    .positive('expected a number above 0')
    .default(70)
    .describe('Tempo range for half/double-time folding: hip-hop at 70 to drum and bass at 175 stay as they are.'),
  maxBpm: number
    .positive('expected a number above 0')
    .default(180)
    .describe('The top of that range (at least twice minBpm).'),
  tempoPriorCentreBpm: number
    .positive('expected a number above 0')
    .default(120)
    .describe(
      'Where a tempo and its double are both in range, the rhythm decides first; this log-normal prior tips the ' +
        'balance when the rhythm says little (bossa, salsa). DJ material clusters around 120 BPM.',
    ),
  tempoPriorWidthOctaves: number
    .positive('expected a number above 0')
    .default(1)
    .describe("The prior's spread, in octaves."),
  minKeyMarginPercent: number
    .min(0)
    .max(100)
    .default(1)
    .describe(
      "Below this margin between the best key's correlation and the runner-up's (percentage points), Notion's Key " +
        'reads "Uncertain" instead of a guess; the files keep the best guess. 0 writes every guess.',
    ),
  analysisWindowSeconds: positiveInt
    .default(180)
    .describe(
      'Tempo and key are measured on this many seconds around the middle of the track (enough beats, bounded cost).',
    ),
  lossyBitDepth: z
    .literal([16, 24], { error: 'expected 16 or 24' })
    .default(16)
    .describe('Lossy sources become 16-bit: 24 bits only add size (a 2.4x larger ALAC for nothing).'),
  lossySampleRate: z
    .literal([44_100, 48_000], { error: 'expected 44100 or 48000' })
    .default(44_100)
    .describe('...at this rate (Hz).'),
  maxBitDepth: z
    .literal([16, 24], { error: 'expected 16 or 24' })
    .default(24)
    .describe('Lossless sources keep their depth up to this, and their rate.'),
  verifyToleranceSeconds: number
    .positive('expected a number above 0')
    .default(0.5)
    .describe("Verify: each file's decoded duration must be within this of the analysed one."),
  artworkMaxPixels: positiveInt
    .default(800)
    .describe('Artwork is scaled to fit this square (DJ apps show at most ~600 px).'),
  maxDownloadMb: positiveInt
    .default(512)
    .describe(
      'A download is stopped past this size. An 11-minute WAV at 24-bit 96 kHz is ~380 MB, the largest a track ' +
        'reasonably is; an endless stream or a 6-hour video is stopped well before it fills a disk.',
    ),
  formats: section({
    m4a: flag.default(true).describe('Write ALAC (.m4a) files.'),
    aiff: flag.default(true).describe('Write AIFF files.'),
    wav: flag.default(true).describe('Write WAV files.'),
  }),
});

const sourceOptions = section({
  cookiesFile: absolutePath.optional().describe('A cookies.txt yt-dlp sends to this site (for sign-in only tracks).'),
  sleepRequestsSeconds: number
    .nonnegative('expected a number, 0 or more')
    .optional()
    .describe('Pause between yt-dlp requests to this site.'),
  extraArgs: z
    .array(z.string({ error: 'expected text' }), { error: 'expected a list of texts' })
    .optional()
    .describe('More yt-dlp arguments.'),
});

/** yt-dlp settings per source kind: one setup for all sites fails (cookies and pacing differ per site). */
const sources = section({ soundcloud: sourceOptions, youtube: sourceOptions, generic: sourceOptions });

const destinations = z.array(z.enum(DESTINATION_KEYS, { error: 'expected "out", "backup" or "wavBackup"' }), {
  error: 'expected a list',
});

const placement = section({
  unassignedFolder: text
    .refine((v) => !/[/:\u0000]/.test(v), 'expected a folder name without "/" or ":"')
    .default('Unassigned')
    .describe('Subfolder of OUT_DIR for tracks without a playlist (the legacy name).'),
  maxFileNameBytes: wholeNumber
    .min(40)
    .max(250)
    .default(200)
    .describe('macOS allows 255 bytes per name; 200 leaves room for " (2)" and temporary-file prefixes.'),
  /**
   * Legacy layout: M4A and AIFF in OUT_DIR/<playlist>, an M4A copy for djay Pro (BACKUP_DIR), the WAV for Apple Music
   * (WAV_BACKUP_DIR).
   */
  destinations: section({
    m4a: destinations
      .default(['out', 'backup'])
      .describe('Where M4A files go: "out" (OUT_DIR/<playlist>), "backup" (BACKUP_DIR).'),
    aiff: destinations.default(['out']).describe('Where AIFF files go.'),
    wav: destinations
      .default(['wavBackup'])
      .describe(
        'Where WAV files go ("wavBackup": WAV_BACKUP_DIR). Every listed folder that is set gets a copy, the first is ' +
          'written to Notion; a format none of whose folders is set goes to OUT_DIR/<playlist>.',
      ),
  }),
});

const search = section({
  youtube: text
    .refine((v) => v.includes('{query}'), 'expected a yt-dlp search with "{query}" in it')
    .default('ytsearch5:{query}')
    .describe('yt-dlp search for YouTube: the first five results (legacy used 5 for SoundCloud, 3 for YouTube).'),
  soundcloud: text
    .refine((v) => v.includes('{query}'), 'expected a yt-dlp search with "{query}" in it')
    .default('scsearch5:{query}')
    .describe('yt-dlp search for SoundCloud.'),
  acceptScore: number
    .min(0)
    .max(1)
    .default(0.75)
    .describe("Candidates must score at least this (title 55 %, artist 30 %, duration 15 %, rbsync's weights)."),
  maxDurationGapSeconds: positiveInt
    .default(30)
    .describe('A duration gap above this rejects a candidate outright (rbsync and Picard use 30 s).'),
});

const tasks = section({
  maxTracksPerTask: positiveInt
    .max(1000)
    .default(25)
    .describe('Tracks one music-sync task processes at most (a task can say "limit: N").'),
  fallbackCandidates: positiveInt
    .max(50)
    .default(5)
    .describe('With no URL in the task: candidates each fallback source offers (the legacy chain took 5 of each).'),
  maxPlaylistTracks: positiveInt
    .max(10_000)
    .default(500)
    .describe('Tracks of a playlist processed per task (the rest get rows).'),
  maxNewRowsPerTask: positiveInt
    .max(10_000)
    .default(500)
    .describe(
      'Music Tracks rows one task may create: a 100,000-track playlist costs five pages of Spotify, not a thousand.',
    ),
});

const library = section({
  extraFolders: z
    .array(absolutePath, { error: 'expected a list of absolute paths' })
    .default([])
    .describe('More folders to index besides OUT_DIR, BACKUP_DIR and WAV_BACKUP_DIR (old playlist copies, say).'),
  similarityThreshold: number
    .min(0.5)
    .max(1)
    .default(0.9)
    .describe(
      'Fingerprint similarity from which two files are one recording: re-encodes and padding score 0.97-1.00, ' +
        'unrelated audio about 0.5; the beets duplicates plugin uses 0.9.',
    ),
  nameThreshold: number
    .min(0.5)
    .max(1)
    .default(0.75)
    .describe("Fuzzy name similarity for `tracksync dedup` (the legacy Eagle dedup's 0.75)."),
  durationToleranceSeconds: number
    .positive('expected a number above 0')
    .default(2)
    .describe('Durations within this count as the same (the legacy workflow matched within 2000 ms).'),
  mergeExactDuplicates: flag
    .default(true)
    .describe(
      'Merge Notion pages with the same Spotify ID, SoundCloud URL, YouTube id or ISRC during sync (fuzzy: only proposed).',
    ),
  scanConcurrency: z
    .number({ error: 'expected a whole number from 0 to 64' })
    .int('expected a whole number')
    .min(0)
    .max(64)
    .default(0)
    .describe(
      'Files the library scan reads at once; 0 = one per core. Each read is one fpcalc process on one core, so a ' +
        'first scan of thousands of files goes as fast as the cores allow.',
    ),
});

const handoff = section({
  returnFolder: absolutePath.optional().describe('A folder for RETURN handoff files; none are written when unset.'),
  reviewTask: flag
    .default(false)
    .describe('Create a "Review: <title>" task after each completed task (the legacy orchestrator did).'),
});

const feeds = section({
  cron: cronExpression
    .default('*/15 * * * *')
    .describe(
      'When likes and playlists are read: every 15 minutes (flat listings: one request each, not one per track).',
    ),
  maxNewRowsPerRun: positiveInt
    .max(1000)
    .default(50)
    .describe('New rows one feed run may create, so a first run on a long likes list does not flood the database.'),
  soundcloudLikesUrl: text
    .refine((v) => v.includes('{profile}'), 'expected a URL with "{profile}" in it')
    .default('https://soundcloud.com/{profile}/likes')
    .describe("Where a SoundCloud profile's likes are listed ({profile} is SOUNDCLOUD_PROFILE)."),
  soundcloudLikes: flag.default(true).describe('Read your SoundCloud likes (only when SOUNDCLOUD_PROFILE is set).'),
  soundcloudPlaylists: z
    .array(httpUrl, { error: 'expected a list of URLs' })
    .default([])
    .describe('SoundCloud playlists (URLs) to follow.'),
  spotifyLikes: flag.default(true).describe('Read your Spotify liked songs (only when SPOTIFY_REFRESH_TOKEN is set).'),
  spotifyPlaylists: texts.default([]).describe('Spotify playlists (URLs or ids) to follow.'),
});

const spotify = section({
  clientId: text
    .optional()
    .describe("Your Spotify app's client id: Spotify enrichment and Spotify-only rows. Unset: no Spotify."),
  clientSecret: text.optional().describe("Your Spotify app's client secret (a secret)."),
  refreshToken: text
    .optional()
    .describe('Your user token (a secret): liked songs and playlists need it; every Spotify request uses it when set.'),
  apiBaseUrl: httpUrl
    .optional()
    .describe('Where the Web API is (https://api.spotify.com); the demo and the tests use the local Spotify.'),
  accountsBaseUrl: httpUrl.optional().describe('Where the accounts service is (https://accounts.spotify.com).'),
});

const eagle = section({
  apiBase: httpUrl.optional().describe("Eagle's local API (the Eagle app), for imports. Unset: no Eagle."),
  token: text.optional().describe("Eagle's API token (a secret)."),
});

const http = section({
  host: text
    .default('127.0.0.1')
    .describe('Where the status server and webhook endpoint listen. Loopback only unless http.token is set.'),
  port: wholeNumber
    .min(0, 'expected a port number (0 picks a free one; "off" or null switches the server off)')
    .max(65_535, 'expected a port number up to 65535')
    .nullable()
    .default(7717)
    .describe('The status server port: 0 picks a free one, null (TRACKSYNC_HTTP_PORT=off) switches it off.'),
  token: z
    .string({ error: 'expected text' })
    .min(16, 'is too short: use at least 16 random characters (e.g. "openssl rand -hex 24")')
    .optional()
    .describe('A secret every request to the status server needs (the webhook excepted); required beyond loopback.'),
  allowedHosts: texts.default([]).describe("More names the page may be reached by (a reverse proxy's or a tunnel's)."),
});

const security = section({
  allowPrivateHosts: z
    .array(allowEntry, { error: 'expected a list of hosts' })
    .default([])
    .describe(
      'Hosts on private or local addresses tracksync may fetch from anyway: a NAS, a local media server; "*" for all.',
    ),
});

const logs = section({
  dir: absolutePath
    .optional()
    .describe('JSON logs go to tracksync.log here (the LaunchAgent sets ~/Library/Logs/tracksync). Unset: stderr.'),
  maxFileBytes: wholeNumber
    .min(64 * 1024)
    .default(10 * 1024 * 1024)
    .describe('The log file is rotated at this size, keeping keepFiles old ones (60 MB at most by default).'),
  keepFiles: positiveInt.max(100).default(5).describe('Rotated log files kept.'),
});

const notifications = section({
  enabled: flag
    .default(false)
    .describe('macOS notifications: permanent failures, Notion unreachable, a daily summary. Off unless opted in.'),
  notionDownAfterMs: positiveInt
    .default(15 * MINUTE_MS)
    .describe('Notion failing every cycle this long counts as down: one notification, not one per cycle.'),
  dailySummaryCron: cronExpression
    .nullable()
    .default('0 21 * * *')
    .describe('When the daily summary comes (node-cron; null for none): 21:00 is after a typical working day.'),
  timeoutMs: positiveInt
    .default(10_000)
    .describe('A notifier taking longer is killed: a hung osascript must not pile up.'),
});

const links = section({
  enabled: flag
    .default(true)
    .describe(
      'Look for the Spotify, YouTube and SoundCloud links a synced row lacks (legacy v3: all three): an item of the ' +
        'links queue per synced row, retried like every item (retry.*).',
    ),
});

/**
 * Settings that were removed, with what took their place: a config file that still has one is told so by name
 * (src/config/load.ts), rather than with "unknown key".
 */
export const RETIRED_SETTINGS: Readonly<Record<string, string>> = {
  'links.perCycle': 'link lookups are items of the links queue now, run in the free item slots (concurrency.maxItems)',
  'links.retryBaseDelayMs': 'link lookups are retried like every item now (retry.baseDelayMs)',
  'links.retryMaxDelayMs': 'link lookups are retried like every item now (retry.maxDelayMs)',
  'links.maxAttempts': 'link lookups are retried like every item now (retry.maxAttempts)',
};

const critical = section({
  agentPageId: pageId
    .optional()
    .describe("Who CRITICAL tasks are assigned to: a person or another agent, never tracksync's own routing page."),
  volumeMissingAfterMs: positiveInt
    .default(30 * MINUTE_MS)
    .describe(
      'An output volume missing this long files a CRITICAL task (a drive unplugged for a minute is not worth one).',
    ),
  repeatLineMs: positiveInt
    .default(HOUR_MS)
    .describe('While a CRITICAL task is open, later occurrences add a line at most this often (not 60 an hour).'),
  downloadFailuresBeforeTask: positiveInt
    .max(100)
    .default(3)
    .describe('Downloads failing one after another (on two different tracks at least) with an old yt-dlp file a task.'),
});

const macos = section({
  osascript: text.default('osascript').describe('The osascript program (notifications, now playing, Apple Music).'),
  terminalNotifier: text
    .default('terminal-notifier')
    .describe('terminal-notifier, used for notifications when installed.'),
  nowPlaying: flag
    .default(true)
    .describe('With no URL, a music-sync task first looks at what the Spotify app plays (legacy v3 phase 0).'),
});

const launchd = section({
  label: z
    .string({ error: 'expected text' })
    .regex(/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/, 'expected a reverse-DNS label such as "com.tracksync.daemon"')
    .default('com.tracksync.daemon')
    .describe('The LaunchAgent label.'),
  throttleIntervalSeconds: positiveInt
    .default(30)
    .describe(
      'launchd waits this long between restarts after a crash (its own default is 10 s; 30 s keeps a crash loop cheap).',
    ),
});

const playlists = section({
  exportDir: absolutePath
    .optional()
    .describe('Where the .m3u8 files and rekordbox.xml go. Unset: OUT_DIR/Playlists (tracksync).'),
  m3u8: flag.default(true).describe('Write <playlist>.m3u8 files.'),
  rekordbox: flag.default(true).describe('Write rekordbox.xml.'),
  appleMusic: flag
    .optional()
    .describe('Keep Apple Music playlists in step through osascript. Unset: on on macOS only.'),
  relativePaths: flag
    .default(false)
    .describe('M3U8 entries relative to the playlist file (for a folder moved as a whole).'),
  camelotInComments: flag
    .default(true)
    .describe('The Camelot code ("8A") in rekordbox Comments, so a DJ can sort by the wheel.'),
  sortProperty: text
    .nullable()
    .default(null)
    .describe('A Music Tracks property (a "Set Order" number) to order each playlist by. null: the relation\'s order.'),
  formats: z
    .array(z.enum(AUDIO_FORMATS, { error: 'expected "m4a", "aiff" or "wav"' }), { error: 'expected a list' })
    .min(1, 'expected at least one format')
    .default(['aiff', 'm4a', 'wav'])
    .describe(
      "Which of a track's files a playlist points at, first existing one wins: AIFF and ALAC keep tags rekordbox reads.",
    ),
  rekordboxFolder: z
    .string({ error: 'expected text' })
    .trim()
    .min(1, 'is empty')
    .max(100)
    .default('tracksync')
    .describe('The folder node in the rekordbox xml that holds one playlist node per Notion playlist.'),
  appleMusicTimeoutMs: positiveInt
    .default(2 * MINUTE_MS)
    .describe(
      'One osascript run per playlist: finding 150 tracks in a large Music library takes seconds; 2 min is a hung Music.',
    ),
  relationSettleMs: positiveInt
    .default(2 * MINUTE_MS)
    .describe(
      'A relation longer than a page shows (25) is read again unless the page is unchanged since a read made this ' +
        'long after its last edit (last_edited_time is floored to the minute, plus a minute of clock difference).',
    ),
  headerReadConcurrency: positiveInt
    .max(64)
    .default(8)
    .describe(
      'File headers read at once (a 4 KiB read for AIFF and WAV, music-metadata for the others): enough to hide ' +
        'disk latency, few enough for two cores.',
    ),
  autoExport: flag
    .default(true)
    .describe(
      'The running daemon re-exports the playlists that changed: after tracks are synced, and on exportCron for ' +
        'edits to Music Playlists rows. false: only `tracksync playlists export`.',
    ),
  exportDebounceMs: positiveInt
    .default(MINUTE_MS / 2)
    .describe(
      'After a synced track, the export waits this long for more: a playlist of 40 new tracks is exported once, ' +
        'not 40 times (an unchanged export costs only its listings: 21 requests for 2,000 tracks).',
    ),
  exportCron: cronExpression
    .default('*/15 * * * *')
    .describe(
      'When the daemon looks for edited Music Playlists rows (node-cron): every 15 minutes, like the feeds; Notion ' +
        'webhooks for that database are not subscribed.',
    ),
});

// ---------------------------------------------------------------------------------------------------------------------
// The whole.

/** What the defaults of some settings depend on: the machine, and where the config file is. */
export interface SchemaContext {
  readonly platform: NodeJS.Platform;
  readonly home: string;
  /** XDG_STATE_HOME, when set: the state directory's parent on Linux. */
  readonly xdgStateHome?: string;
  /** The config file, when one was read: handler paths are relative to its folder. */
  readonly configFile?: string;
  /** Where relative handler paths start without a config file. */
  readonly cwd: string;
}

export function defaultStateDir(platform: NodeJS.Platform, home: string, xdgStateHome?: string): string {
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'tracksync');
  const base = xdgStateHome && isAbsolute(xdgStateHome) ? xdgStateHome : join(home, '.local', 'state');
  return join(base, 'tracksync');
}

/** The sections without a context-dependent default (the README reference and DEFAULT_SETTINGS walk them). */
export const SECTIONS = {
  notion,
  databases,
  dataSources,
  mappings,
  schedule,
  routing,
  concurrency,
  claims,
  retry,
  shutdown,
  items,
  logging,
  media,
  sources,
  placement,
  search,
  tasks,
  library,
  handoff,
  feeds,
  spotify,
  eagle,
  http,
  security,
  logs,
  notifications,
  links,
  critical,
  macos,
  launchd,
  playlists,
};

/** 127.0.0.0/8, ::1 and localhost: the only places the status server may listen without a token. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

/** The schema of the whole configuration on this machine. */
export function configSchema(context: SchemaContext) {
  return z
    .object(
      {
        ...SECTIONS,
        stateDir: absolutePath
          .default(defaultStateDir(context.platform, context.home, context.xdgStateHome))
          .describe(
            'SQLite state, work folders, the daemon lock, secrets.env. Default: ~/Library/Application Support/tracksync ' +
              '(macOS), $XDG_STATE_HOME/tracksync or ~/.local/state/tracksync.',
          ),
        paths: section({
          outDir: absolutePath
            .default(join(context.home, 'Music', 'tracksync'))
            .describe('M4A and AIFF files, in OUT_DIR/<first playlist or "Unassigned">/. Default: ~/Music/tracksync.'),
          backupDir: absolutePath.optional().describe('A copy of each M4A (djay Pro auto-import). Unset: no copy.'),
          wavBackupDir: absolutePath
            .optional()
            .describe('The WAV files (Apple Music auto-add). Unset: WAVs go to OUT_DIR.'),
        }),
        soundcloudProfile: z
          .string({ error: 'expected text' })
          .regex(
            /^[A-Za-z0-9_-]{1,100}$/,
            'expected a SoundCloud profile name such as "my-profile" (letters, digits, - and _)',
          )
          .optional()
          .describe('Your SoundCloud profile name: its likes become rows.'),
        webhookToken: text
          .optional()
          .describe(
            "Notion's webhook verification token, when you already have it (a secret). Unset: stored when Notion sends it.",
          ),
        handlers: texts
          .default([])
          .describe(
            'Extra handler modules: paths relative to the config file, or absolute. Yours come before the built-in ones.',
          ),
      },
      { error: 'expected an object ({ ... }) at the top level' },
    )
    .strict()
    .superRefine((c, ctx) => {
      // Checks across keys: each message names the other key and both values (`across`: no "; got" added).
      const problem = (path: string, message: string): void => {
        ctx.addIssue({ code: 'custom', path: path.split('.'), message, params: { across: true } });
      };
      if (c.media.minBpm * 2 > c.media.maxBpm) {
        problem(
          'media.maxBpm',
          `${c.media.maxBpm} is below twice media.minBpm (${c.media.minBpm}): the range must span an octave for half/double-time folding`,
        );
      }
      if (!Object.values(c.media.formats).some(Boolean))
        problem('media.formats', 'switches every format off; keep at least one of m4a, aiff, wav');
      if (c.retry.baseDelayMs > c.retry.maxDelayMs)
        problem('retry.baseDelayMs', `${c.retry.baseDelayMs} is larger than retry.maxDelayMs (${c.retry.maxDelayMs})`);
      if (c.critical.agentPageId !== undefined && c.critical.agentPageId === c.routing.agentPageId) {
        problem(
          'critical.agentPageId',
          "is tracksync's own routing.agentPageId: CRITICAL tasks must go to a person or another agent, or tracksync would be asked to fix itself",
        );
      }
      if (c.http.port !== null && !isLoopbackHost(c.http.host) && c.http.token === undefined) {
        problem(
          'http.host',
          `"${c.http.host}" is not a loopback address, so the status page and its API would be open to the network without a password. ` +
            'Set TRACKSYNC_HTTP_TOKEN ("openssl rand -hex 24 | tracksync secrets set TRACKSYNC_HTTP_TOKEN"), or keep 127.0.0.1 and reach it through an SSH tunnel',
        );
      }
      const setOrder = c.mappings.tracks?.setOrder;
      if (c.playlists.sortProperty !== null && setOrder !== undefined && setOrder !== c.playlists.sortProperty) {
        problem(
          'playlists.sortProperty',
          `"${c.playlists.sortProperty}" and mappings.tracks.setOrder ("${setOrder}") name different properties; keep one of them`,
        );
      }
    })
    .transform((c) => {
      const handlersDir = context.configFile ? resolve(context.configFile, '..') : context.cwd;
      const { sortProperty } = c.playlists;
      return {
        ...c,
        handlers: c.handlers.map((h) => (isAbsolute(h) ? h : resolve(handlersDir, h))),
        // playlists.sortProperty is the setOrder field of Music Tracks under another name (notion/databases.ts).
        mappings:
          sortProperty === null
            ? c.mappings
            : { ...c.mappings, tracks: { ...c.mappings.tracks, setOrder: sortProperty } },
        feeds: {
          ...c.feeds,
          soundcloudLikes: c.feeds.soundcloudLikes && c.soundcloudProfile !== undefined,
          spotifyLikes: c.feeds.spotifyLikes && c.spotify.refreshToken !== undefined,
        },
        playlists: {
          ...c.playlists,
          exportDir: c.playlists.exportDir ?? join(c.paths.outDir, CONSTANTS.playlists.folderName),
          appleMusic: c.playlists.appleMusic ?? context.platform === 'darwin',
        },
        /** Secret values, for the logger to scrub. Never printed. */
        secrets: SECRET_PATHS.map((path) => valueAt(c, path)).filter(
          (v): v is string => typeof v === 'string' && v.length > 0,
        ),
        /** Where the file config came from, if any (for `doctor`). */
        ...(context.configFile ? { configFile: context.configFile } : {}),
      };
    });
}

type DeepReadonly<T> = T extends (...args: never[]) => unknown
  ? T
  : T extends readonly (infer U)[]
    ? readonly DeepReadonly<U>[]
    : T extends object
      ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
      : T;
type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

/** The configuration every module reads: the schema's output, deep-frozen by loadConfig. */
export type Config = DeepReadonly<z.output<ReturnType<typeof configSchema>>>;
/** What a config file may hold (every key optional; the secrets are refused by loadConfig). */
export type FileConfig = DeepPartial<z.input<ReturnType<typeof configSchema>>>;

// ---------------------------------------------------------------------------------------------------------------------
// The environment: one row per variable, naming the key it sets and how its text becomes a value.

/** "12" -> 12; anything else is left as text for the schema to refuse with the key's own message. */
function asNumber(value: string): unknown {
  return /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value;
}
/** TRACKSYNC_HTTP_PORT: a number, or "off". */
function asPort(value: string): unknown {
  return value.trim().toLowerCase() === 'off' ? null : asNumber(value);
}
function asFlag(value: string): unknown {
  const v = value.trim().toLowerCase();
  return v === '1' || v === 'true' ? true : v === '0' || v === 'false' ? false : value;
}
/** Comma-separated entries. */
function asList(value: string): unknown {
  return value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
}

export interface EnvSetting {
  readonly name: string;
  /** The config key it sets (dotted). */
  readonly path: string;
  /** Text to value; the schema checks the result. */
  readonly parse?: (value: string) => unknown;
  /** Masked in messages, scrubbed from logs, refused in the config file, never written to the LaunchAgent plist. */
  readonly secret?: true;
  /** What the README says of the value's form, when it differs from the key's. */
  readonly form?: string;
}

export const ENVIRONMENT = [
  { name: 'NOTION_TOKEN', path: 'notion.token', secret: true },
  { name: 'NOTION_API_BASE_URL', path: 'notion.baseUrl' },
  { name: 'TRACKS_DB_ID', path: 'databases.tracks' },
  { name: 'ARTISTS_DB_ID', path: 'databases.artists' },
  { name: 'AGENT_TASKS_DB_ID', path: 'databases.tasks' },
  { name: 'EXECUTION_LOGS_DB_ID', path: 'databases.executionLogs' },
  { name: 'PLAYLISTS_DB_ID', path: 'databases.playlists' },
  { name: 'TRACKS_DATA_SOURCE', path: 'dataSources.tracks' },
  { name: 'ARTISTS_DATA_SOURCE', path: 'dataSources.artists' },
  { name: 'AGENT_TASKS_DATA_SOURCE', path: 'dataSources.tasks' },
  { name: 'EXECUTION_LOGS_DATA_SOURCE', path: 'dataSources.executionLogs' },
  { name: 'PLAYLISTS_DATA_SOURCE', path: 'dataSources.playlists' },
  { name: 'OUT_DIR', path: 'paths.outDir' },
  { name: 'BACKUP_DIR', path: 'paths.backupDir' },
  { name: 'WAV_BACKUP_DIR', path: 'paths.wavBackupDir' },
  { name: 'PLAYLIST_EXPORT_DIR', path: 'playlists.exportDir' },
  { name: 'SOUNDCLOUD_PROFILE', path: 'soundcloudProfile' },
  { name: 'SPOTIFY_CLIENT_ID', path: 'spotify.clientId' },
  { name: 'SPOTIFY_CLIENT_SECRET', path: 'spotify.clientSecret', secret: true },
  { name: 'SPOTIFY_REFRESH_TOKEN', path: 'spotify.refreshToken', secret: true },
  { name: 'SPOTIFY_API_BASE_URL', path: 'spotify.apiBaseUrl' },
  { name: 'SPOTIFY_ACCOUNTS_BASE_URL', path: 'spotify.accountsBaseUrl' },
  { name: 'EAGLE_API_BASE', path: 'eagle.apiBase' },
  { name: 'EAGLE_TOKEN', path: 'eagle.token', secret: true },
  { name: 'TRACKSYNC_STATE_DIR', path: 'stateDir' },
  { name: 'TRACKSYNC_LOG_LEVEL', path: 'logging.level' },
  { name: 'TRACKSYNC_LOG_DIR', path: 'logs.dir' },
  { name: 'TRACKSYNC_HTTP_HOST', path: 'http.host' },
  { name: 'TRACKSYNC_HTTP_PORT', path: 'http.port', parse: asPort, form: 'a port number, or `off`' },
  { name: 'TRACKSYNC_HTTP_TOKEN', path: 'http.token', secret: true },
  { name: 'NOTION_WEBHOOK_TOKEN', path: 'webhookToken', secret: true },
  { name: 'TRACKSYNC_NOTIFY', path: 'notifications.enabled', parse: asFlag, form: '`1` or `0`' },
  { name: 'TRACKSYNC_ALLOW_PRIVATE_HOSTS', path: 'security.allowPrivateHosts', parse: asList, form: 'comma-separated' },
  {
    name: 'TRACKSYNC_MAX_DOWNLOAD_MB',
    path: 'media.maxDownloadMb',
    parse: asNumber,
    form: 'a whole number of megabytes',
  },
] as const satisfies readonly EnvSetting[];

export type SecretName = Extract<(typeof ENVIRONMENT)[number], { secret: true }>['name'];
export const SECRET_NAMES = ENVIRONMENT.filter(
  (e): e is Extract<(typeof ENVIRONMENT)[number], { secret: true }> => 'secret' in e,
).map((e) => e.name) as readonly SecretName[];
const SECRET_PATHS = ENVIRONMENT.filter((e) => 'secret' in e).map((e) => e.path);

/** The value at a dotted key, or undefined. */
export function valueAt(root: unknown, path: string | readonly (string | number)[]): unknown {
  const keys = typeof path === 'string' ? path.split('.') : path;
  let value = root;
  for (const key of keys) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

/**
 * Defaults of the settings code reads without a loaded configuration: the doctor when the configuration is broken
 * (the tools are still checked), the Notion gateway built by a test, the benchmarks.
 */
export const DEFAULT_SETTINGS = {
  notion: notion.unwrap().omit({ token: true }).parse({}),
  media: media.parse({}),
  launchd: launchd.parse({}),
};
