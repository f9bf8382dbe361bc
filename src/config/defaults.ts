/**
 * Every default tracksync uses, in one place, each with its unit in its name and the reason for its value.
 * The config loader starts from these; nothing else in the code base hard-codes a tunable number.
 */

export const DEFAULTS = {
  notion: {
    /** The public API. The sandbox and tests override it with NOTION_API_BASE_URL. */
    baseUrl: 'https://api.notion.com',
    /**
     * Notion documents "an average of three requests per second" per connection; 2.5 leaves room for the user's
     * other integrations and for clock skew (notion-api.md §5.2).
     */
    requestsPerSecond: 2.5,
    /** Most requests in any one-second window. Notion allows "some bursts"; 4 keeps an idle cycle well under 5/s. */
    burstPerSecond: 4,
    /** The SDK's own default is 60 s and it does not abort a timed-out request, so writes are reconciled (gateway.ts). */
    requestTimeoutMs: 30_000,
    /** Attempts per call for transient failures, on top of the first one (the SDK's default of 2 is too few for 429 storms). */
    maxRetries: 5,
    /** First backoff step for a transient Notion failure; doubled per attempt with jitter, capped below. */
    retryBaseDelayMs: 500,
    retryMaxDelayMs: 30_000,
    /**
     * A Retry-After longer than this is not waited out inside a call: the item is rescheduled instead, so a
     * per-workspace limit (Retry-After can exceed a minute) does not pin a worker.
     */
    maxInlineRetryAfterMs: 60_000,
    /** At start-up the schemas are read again and again for this long while Notion is unreachable, before giving up. */
    startupWaitMs: 10 * 60 * 1000,
    /** Page size for queries: Notion's maximum (notion-api.md §5.1). */
    pageSize: 100,
    /**
     * After a create failed without an answer, its page is looked for this long (every createLookupIntervalMs) before
     * the item waits: queries may lag behind a create (not documented; search lag is reported in makenotion/notion-sdk-js#114).
     */
    createLookupWaitMs: 20_000,
    createLookupIntervalMs: 1_000,
    /** An ambiguous create not found by then is taken as not landed and sent again (far beyond any lag reported). */
    createUnresolvedHoldMs: 15 * 60 * 1000,
  },
  schedule: {
    /** node-cron expression for polling cycles: every minute, the legacy orchestrator's cadence. */
    cycleCron: '* * * * *',
    /** A full reconcile (no timestamp filter) catches edits the incremental cursor cannot see (notion-api.md §4.3). */
    fullReconcileIntervalMs: 6 * 60 * 60 * 1000,
    /**
     * The incremental query starts this long before the cursor minute. last_edited_time is floored to the minute and
     * filtered queries can lag a write briefly (notion-api.md §4), so one extra minute is re-read and de-duplicated.
     */
    cursorOverlapMs: 60_000,
  },
  claims: {
    /**
     * How long a claim is ours without a heartbeat. Two times the longest expected stage (a 20 min download or
     * conversion, anchors.md B.4) would be 40 min; the legacy Processing Lock went stale after 30 min and other
     * machines still read that rule, so 30 min it is, with heartbeats every third of it.
     */
    leaseMs: 30 * 60 * 1000,
    /** Pause between writing a claim to Notion and reading it back. Notion has no compare-and-swap: the last writer wins,
     * so both racers must read after both wrote. Writes land within ~300 ms on the public API. */
    settleMs: 1_000,
  },
  retry: {
    /** graphile-worker and BullMQ both stop far later; 8 attempts with the curve below span about 2 h of real outages. */
    maxAttempts: 8,
    /** Transient backoff is min(baseDelayMs * 2^(attempt-1), maxDelayMs), times a random factor in [0.5, 1.5). */
    baseDelayMs: 30_000,
    maxDelayMs: 6 * 60 * 60 * 1000,
    /** A rate-limited item without a Retry-After waits this long. */
    rateLimitedDefaultDelayMs: 60_000,
    /** A lock held by another machine: look again after this long. */
    lockConflictDelayMs: 5 * 60 * 1000,
    /**
     * An item waiting for a person (Spotify refusing the app until its owner renews Premium) looks again after this
     * long, without using up its attempts; it is made due at once when the condition clears (critical-watch.ts).
     * Spotify says it "can take a few hours" to let requests through after a renewal: 30 min keeps a hundred waiting
     * rows at about 200 Notion writes an hour.
     */
    waitForPersonMs: 30 * 60 * 1000,
  },
  concurrency: {
    /** Items processed at once. Two cores: one track converting while another downloads keeps both busy. */
    maxItems: 2,
    /** Items claimed per source per cycle at most, so one huge backlog cannot starve the other source. */
    claimBatchSize: 10,
  },
  shutdown: {
    /** SIGTERM: running stages get this long to finish before subprocesses are aborted (anchors.md B.4). */
    graceMs: 10_000,
    /** After the abort, how long to wait for stages to unwind and leases to be released before exiting anyway. */
    abortWaitMs: 5_000,
  },
  items: {
    /** A single item may not run longer than this; past it the job is aborted and retried. */
    maxRunMs: 60 * 60 * 1000,
  },
  routing: {
    /** notion-schema.md: a task is ours when Ready, not archived, and one of these matches. */
    readyStatus: 'Ready',
    inProgressStatus: 'In Progress',
    completedStatus: 'Completed',
    failedStatus: 'Failed',
    blockedStatus: 'Blocked',
    taskTypes: ['Music Sync'],
    /** notion-schema.md's two, plus the playlist task the handoff issue names ("Sync playlist <url>"). */
    titleKeywords: ['music track sync', 'music sync', 'sync playlist', 'playlist sync'],
  },
  logging: {
    level: 'info',
  },
  media: {
    tools: { ffmpeg: 'ffmpeg', ffprobe: 'ffprobe', ytDlp: 'yt-dlp', fpcalc: 'fpcalc' },
    /** A download past this is killed and retried: 15 min covers an 11-minute mix over a slow line. */
    downloadTimeoutMs: 15 * 60 * 1000,
    /** yt-dlp's own retries per request, and its socket timeout. */
    downloadRetries: 3,
    socketTimeoutSeconds: 30,
    /** One ffmpeg run for three formats takes 0.6-1.1 s per 3 min of audio (media-notes.md §3); 10 min is a hung process. */
    convertTimeoutMs: 10 * 60 * 1000,
    /** Probe, tag and analysis subprocesses. */
    toolTimeoutMs: 2 * 60 * 1000,
    /** Longer than this when a track is expected: a mix or a live set (the legacy limit). */
    mixLimitSeconds: 660,
    /** SoundCloud Go+ tracks come back as 30-second previews; a result this long (±3 s) when more was expected is one. */
    previewSeconds: 30,
    previewToleranceSeconds: 3,
    /** Tempo range for half/double-time folding: hip-hop at 70 to drum and bass at 175 stay as they are. */
    minBpm: 70,
    maxBpm: 180,
    /**
     * The tempo prior: where a tempo and its double are both in range (a 75 BPM ballad or its 150), the rhythm decides
     * first; this log-normal (centre, spread in octaves) tips the balance when the rhythm says little (bossa, salsa).
     * DJ material clusters around 120 BPM (src/media/analysis/tempo.ts).
     */
    tempoPriorCentreBpm: 120,
    tempoPriorWidthOctaves: 1,
    /**
     * Below this margin between the best key's correlation and the runner-up's (in percentage points), Notion's Key
     * reads "Uncertain" instead of a guess; the files keep the best guess. 0 writes every guess.
     */
    minKeyMarginPercent: 1,
    /** Tempo and key are measured on a window of this many seconds around the middle of the track (enough beats, bounded cost). */
    analysisWindowSeconds: 180,
    /** Lossy sources become 16-bit 44.1 kHz: 24 bits only add size (media-notes.md §3, 2.4x larger ALAC for nothing). */
    lossyBitDepth: 16,
    lossySampleRate: 44_100,
    /** Lossless sources keep their depth up to this and their rate. */
    maxBitDepth: 24,
    /** verify: each file's decoded duration must be within this of the analysed one. */
    verifyToleranceSeconds: 0.5,
    /** Artwork is scaled to fit this square (DJ apps show at most ~600 px). */
    artworkMaxPixels: 800,
    /**
     * A download is stopped past this size (TRACKSYNC_MAX_DOWNLOAD_MB). An 11-minute WAV at 24-bit 96 kHz is ~380 MB,
     * the largest a track reasonably is; an endless stream or a 6-hour video is stopped well before it fills a disk.
     */
    maxDownloadMb: 512,
    /**
     * The only demuxers ffmpeg, ffprobe and fpcalc may use on downloaded media: audio and video containers. Playlists
     * and lists of other files (hls, dash, concat, image2 sequences) are refused: ffmpeg would open the files and
     * URLs they name, including files on this Mac (a "song" that is an HLS playlist pointing at a local file).
     */
    audioDemuxers: ['mp3', 'mov', 'matroska', 'webm', 'ogg', 'flac', 'wav', 'aiff', 'aac', 'asf', 'mpegts', 'wv', 'ape', 'caf', 'w64', 'tta', 'dsf', 'mpc', 'mpc8', 'au', 'flv', 'ac3', 'eac3', 'amr', 'tak', 'shn', 'loas', 'xwma', 'oma', 'rm', 'avi'],
    /** Artwork (a thumbnail from the site): single images only. */
    imageDemuxers: ['png_pipe', 'jpeg_pipe', 'webp_pipe', 'gif', 'gif_pipe', 'bmp_pipe', 'tiff_pipe', 'mjpeg'],
  },
  placement: {
    /** Subfolder of OUT_DIR for tracks without a playlist (legacy name). */
    unassignedFolder: 'Unassigned',
    /** macOS allows 255 bytes per name; 200 leaves room for " (2)" and temp-file prefixes. */
    maxFileNameBytes: 200,
  },
  library: {
    /** media-notes.md §5: re-encodes and padding score 0.97-1.00, unrelated audio about 0.5; the beets duplicates plugin uses 0.9. */
    similarityThreshold: 0.9,
    /** The legacy Eagle dedup's fuzzy name threshold (difflib ratio 0.75). */
    nameThreshold: 0.75,
    /** The legacy v3 workflow matched cross-platform durations within 2000 ms. */
    durationToleranceSeconds: 2,
    /** Exact-id duplicates are merged during sync; fuzzy ones are only proposed (tracksync dedup). */
    mergeExactDuplicates: true,
    /**
     * Files the library scan reads at once; 0 means one per core (os.availableParallelism()). Each read is one fpcalc
     * process on one core, so a first scan of thousands of files is as fast as the cores allow.
     */
    scanConcurrency: 0,
  },
  tasks: {
    /** Tracks one music-sync task processes at most (a task can also say "limit: N"). */
    maxTracksPerTask: 25,
    /** With no URL in the task: how many candidates each fallback source offers (the legacy chain took 5 of each). */
    fallbackCandidates: 5,
    /** Tracks of a playlist processed per task (the rest get rows, up to maxNewRowsPerTask). */
    maxPlaylistTracks: 500,
    /**
     * Music Tracks rows one task may create. A playlist is read only this far (and at least as far as the tracks the
     * task processes), so a 100,000-track playlist costs at most five pages of 100 from Spotify, not a thousand.
     */
    maxNewRowsPerTask: 500,
  },
  feeds: {
    /** Likes and playlists are read every 15 minutes (flat listings: one request each, not one per track). */
    cron: '*/15 * * * *',
    /** New rows one feed run may create, so a first run on a long likes list does not flood the database. */
    maxNewRowsPerRun: 50,
    /** Where a SoundCloud profile's likes are listed ({profile} is SOUNDCLOUD_PROFILE). */
    soundcloudLikesUrl: 'https://soundcloud.com/{profile}/likes',
  },
  search: {
    /** yt-dlp search prefixes: the first five results of each (legacy used 5 for SoundCloud, 3 for YouTube). */
    youtube: 'ytsearch5:{query}',
    soundcloud: 'scsearch5:{query}',
    /** Candidates must score at least this to be used (title 55 %, artist 30 %, duration 15 %, rbsync's weights). */
    acceptScore: 0.75,
    /** A duration gap above this rejects a candidate outright (rbsync and Picard both use 30 s). */
    maxDurationGapSeconds: 30,
  },
  http: {
    /** The status server and webhook endpoint. Loopback only: a tunnel (cloudflared, ngrok) forwards Notion's webhooks to it. */
    host: '127.0.0.1',
    /** TRACKSYNC_HTTP_PORT overrides; "off" disables the server. */
    port: 7717,
    /** /healthz turns 503 when no cycle has succeeded for this long: ten missed one-minute cycles is an outage, not a blip. */
    staleAfterMs: 10 * 60 * 1000,
    /** The status page reloads itself this often. */
    pageRefreshSeconds: 5,
    /**
     * Slow clients: the headers must arrive within 10 s and the whole request within 10 s (Notion's webhook bodies are
     * a few hundred bytes). Node checks these every `timeoutCheckIntervalMs`.
     */
    headersTimeoutMs: 10_000,
    requestTimeoutMs: 10_000,
    timeoutCheckIntervalMs: 1_000,
    /** Open connections at once: a page, its reloads, Prometheus and Notion's deliveries need a handful; 64 is plenty. */
    maxConnections: 64,
    /** A one-time login link printed by `tracksync status` works once, within this long. */
    loginLinkTtlMs: 10 * 60 * 1000,
    /** The login cookie lasts this long (the page reloads every 5 s; a week of it before asking again). */
    sessionMaxAgeSeconds: 7 * 24 * 60 * 60,
  },
  webhooks: {
    /** Notion's events are a few hundred bytes; a body past 1 MiB is not Notion and is refused (413) before it is read. */
    maxBodyBytes: 1024 * 1024,
    /**
     * A burst of events (a pasted block of 20 rows sends 20 page.created) makes one cycle: the first event starts a
     * 300 ms timer and the others join it. Short enough to keep pickup well under the 2 s target.
     */
    debounceMs: 300,
    /** Delivery ids are kept in SQLite this long, across restarts: Notion retries a delivery for up to about a day. */
    rememberDeliveriesMs: 24 * 60 * 60 * 1000,
    /** `tracksync webhooks listen`: how long the verification request is accepted (creating a subscription takes a minute). */
    verificationWindowMs: 5 * 60 * 1000,
  },
  logs: {
    /** Under launchd JSON logs go to ~/Library/Logs/tracksync/tracksync.log, rotated at this size, keeping this many old files (60 MB at most). */
    maxFileBytes: 10 * 1024 * 1024,
    keepFiles: 5,
    /** `tracksync logs` without -n: the last this many lines. */
    tailLines: 50,
  },
  notifications: {
    /** Off unless the user opts in (TRACKSYNC_NOTIFY=1 or notifications.enabled). */
    enabled: false,
    /** Notion failing every cycle for this long counts as "the daemon gave up on Notion" (one notification, not one per cycle). */
    notionDownAfterMs: 15 * 60 * 1000,
    /** The optional daily summary (a node-cron expression; unset means none). 21:00 is after a typical working day. */
    dailySummaryCron: '0 21 * * *',
    /** A notifier taking longer than this is killed: a hung osascript must not pile up. */
    timeoutMs: 10_000,
  },
  doctor: {
    /**
     * YouTube and SoundCloud change their sites every few weeks and yt-dlp follows (2024-2025 saw releases every ~2
     * weeks, several of them YouTube fixes); a yt-dlp older than this probably fails on them already.
     */
    ytDlpMaxAgeDays: 60,
    /** Each tool check's subprocess. */
    toolTimeoutMs: 30_000,
  },
  links: {
    /** Look for the Spotify, YouTube and SoundCloud links a synced row lacks (legacy v3: all three are mandatory). */
    enabled: true,
    /** Rows enriched per cycle at most: each costs up to three searches and three checks, about 10 s with yt-dlp. */
    perCycle: 5,
    /** A failed search is retried after 10 min, doubling, up to a day, 8 times (the track itself is done meanwhile). */
    retryBaseDelayMs: 10 * 60 * 1000,
    retryMaxDelayMs: 24 * 60 * 60 * 1000,
    maxAttempts: 8,
  },
  critical: {
    /** An output volume missing for this long files a CRITICAL task (a drive unplugged for a minute is not worth one). */
    volumeMissingAfterMs: 30 * 60 * 1000,
    /** While a CRITICAL task is open, later occurrences add a line at most this often (a cycle a minute would add 60 an hour). */
    repeatLineMs: 60 * 60 * 1000,
    /** Downloads failing one after another (on at least two different tracks) with an old yt-dlp file a task. */
    downloadFailuresBeforeTask: 3,
  },
  macos: {
    osascript: 'osascript',
    terminalNotifier: 'terminal-notifier',
    /** With no URL, a music-sync task first looks at what the Spotify app is playing (legacy v3 phase 0). */
    nowPlaying: true,
    /** The legacy auto-detect gave osascript 5 s; Spotify answers in ~100 ms when running, and is not started when closed. */
    nowPlayingTimeoutMs: 5_000,
  },
  secrets: {
    /** `security` answers in ~50 ms; past 5 s it is waiting on a locked Keychain prompt nobody will see under launchd. */
    keychainTimeoutMs: 5_000,
  },
  launchd: {
    /** Reverse-DNS label of the LaunchAgent. */
    label: 'com.tracksync.daemon',
    /** launchd waits this long between restarts after a crash (its own default is 10 s; 30 s keeps a crash loop cheap). */
    throttleIntervalSeconds: 30,
    /** ExitTimeOut must exceed shutdown.graceMs + shutdown.abortWaitMs (15 s) or launchd SIGKILLs a clean shutdown; 20 s over it. */
    exitTimeoutMarginSeconds: 20,
    /** launchctl answers at once; bootout waits for the daemon's clean shutdown (ExitTimeOut, 35 s by default) at most. */
    launchctlTimeoutMs: 60_000,
    /**
     * launchd starts agents with PATH=/usr/bin:/bin:/usr/sbin:/sbin, where no Homebrew tool is: ffmpeg, yt-dlp, deno and
     * fpcalc live in /opt/homebrew/bin (Apple silicon) or /usr/local/bin (Intel). The directory of the node that installs
     * the agent is put in front.
     */
    path: ['/opt/homebrew/bin', '/usr/local/bin', '/usr/bin', '/bin', '/usr/sbin', '/sbin'],
    /** launchd's environment has no locale; yt-dlp and ffmpeg then mangle non-ASCII titles in messages and names. */
    lang: 'en_US.UTF-8',
  },
  playlists: {
    /**
     * The export folder when PLAYLIST_EXPORT_DIR and playlists.exportDir are unset: this subfolder of OUT_DIR, next to
     * the playlists' track folders. A Notion playlist of this very name would put its tracks in it too; nothing is lost
     * (an export only ever removes .m3u8 files it wrote).
     */
    folderName: 'Playlists (tracksync)',
    /** The targets, each switchable: `<playlist>.m3u8` files and `rekordbox.xml` (Apple Music: on on macOS only). */
    m3u8: true,
    rekordbox: true,
    /** M3U8 entries as paths relative to the playlist file (for a folder moved as a whole) instead of absolute ones. */
    relativePaths: false,
    /** rekordbox shows Comments in its track list: the Camelot code there ("8A") lets a DJ sort by the wheel. */
    camelotInComments: true,
    /** Which of a track's files a playlist points at, first existing one wins: AIFF and ALAC keep tags rekordbox reads. */
    formats: ['aiff', 'm4a', 'wav'],
    /** The folder node in the rekordbox xml tree that holds one playlist node per Notion playlist. */
    rekordboxFolder: 'tracksync',
    /** One osascript run per playlist: finding 150 tracks in a large Music library takes seconds; 2 min is a hung Music. */
    appleMusicTimeoutMs: 2 * 60 * 1000,
    /**
     * A relation longer than a page object shows (25) is read again unless the page is unchanged since a read made this
     * long after its last edit: last_edited_time is floored to the minute, so a later edit in the same minute keeps
     * the same value; a minute plus a minute of clock difference between this Mac and Notion.
     */
    relationSettleMs: 2 * 60 * 1000,
    /** File headers (sample rate, bit rate) read at once: enough to hide disk latency, few enough for two cores. */
    headerReadConcurrency: 8,
  },
  text: {
    /** Notion's limits on a rich-text item and on the number of items in one property (notion-api.md §5.4). */
    maxRichTextChars: 2000,
    maxRichTextItems: 100,
    /** Block appends: at most 100 children per request. */
    maxBlocksPerAppend: 100,
    /** A relation value in one request: at most 100 page ids (developers.notion.com/reference/request-limits). */
    maxRelationIds: 100,
  },
} as const;

export type Defaults = typeof DEFAULTS;
