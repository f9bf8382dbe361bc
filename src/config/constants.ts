/**
 * Fixed numbers and lists that are not settings: limits set by Notion or the operating system, timings of internal
 * plumbing, security lists. Nobody configures them, so they live here, once, each with its unit in its name and the
 * reason for its value. Every setting a user can change is in ./schema.ts instead.
 */
export const CONSTANTS = {
  notion: {
    /** Page size for queries: Notion's maximum (developers.notion.com/reference/intro, pagination). */
    pageSize: 100,
    /**
     * Requests one batch job (the playlist export's relation reads and write-backs) keeps in flight. The gateway's
     * budget still sets the pace (Notion allows an average of 3 a second,
     * developers.notion.com/reference/request-limits); three in flight hide each one's round trip (about 3 ms to the
     * local Notion, 100-300 ms to Notion's servers) without queueing more than a second of that budget.
     */
    requestsInFlight: 3,
    /** First backoff step for a transient Notion failure; doubled per attempt with jitter, capped below. */
    retryBaseDelayMs: 500,
    retryMaxDelayMs: 30_000,
    /**
     * A Retry-After longer than this is not waited out inside a call: the item is rescheduled instead, so a
     * per-workspace limit (Retry-After can exceed a minute) does not pin a worker.
     */
    maxInlineRetryAfterMs: 60_000,
    /** At start-up the schemas are read again and again for this long while Notion is unreachable, then it gives up. */
    startupWaitMs: 10 * 60 * 1000,
    /**
     * After a create failed without an answer, its page is looked for this long (every createLookupIntervalMs) before
     * the item waits: queries may lag behind a create (not documented; search lag is reported in
     * makenotion/notion-sdk-js#114).
     */
    createLookupWaitMs: 20_000,
    createLookupIntervalMs: 1_000,
    /** An ambiguous create not found by then is taken as not landed and sent again (far beyond any lag reported). */
    createUnresolvedHoldMs: 15 * 60 * 1000,
  },
  text: {
    /**
     * Notion's limits on a rich-text item and on the items of one property
     * (developers.notion.com/reference/request-limits).
     */
    maxRichTextChars: 2000,
    maxRichTextItems: 100,
    /** Block appends: at most 100 children per request. */
    maxBlocksPerAppend: 100,
    /** A relation value in one request: at most 100 page ids (developers.notion.com/reference/request-limits). */
    maxRelationIds: 100,
  },
  http: {
    /** /healthz turns 503 when no cycle has succeeded for this long: ten missed one-minute cycles is an outage. */
    staleAfterMs: 10 * 60 * 1000,
    /** The status page reloads itself this often. */
    pageRefreshSeconds: 5,
    /**
     * Slow clients: the headers must arrive within 10 s and the whole request within 10 s (Notion's webhook bodies
     * are a few hundred bytes). Node checks these every `timeoutCheckIntervalMs`.
     */
    headersTimeoutMs: 10_000,
    requestTimeoutMs: 10_000,
    timeoutCheckIntervalMs: 1_000,
    /**
     * Open connections at once: a page, its reloads, Prometheus and Notion's deliveries need a handful; 64 is plenty.
     */
    maxConnections: 64,
    /** A one-time login link printed by `tracksync status` works once, within this long. */
    loginLinkTtlMs: 10 * 60 * 1000,
    /** The login cookie lasts this long (the page reloads every 5 s; a week of it before asking again). */
    sessionMaxAgeSeconds: 7 * 24 * 60 * 60,
  },
  webhooks: {
    /** Notion's events are a few hundred bytes; a body past 1 MiB is not Notion and is refused (413) unread. */
    maxBodyBytes: 1024 * 1024,
    /**
     * A burst of events (a pasted block of 20 rows sends 20 page.created) makes one cycle: the first event starts a
     * 300 ms timer and the others join it. Short enough to keep pickup well under the 2 s target.
     */
    debounceMs: 300,
    /** Delivery ids are kept in SQLite this long, across restarts: Notion retries a delivery for up to about a day. */
    rememberDeliveriesMs: 24 * 60 * 60 * 1000,
    /** `tracksync webhooks listen`: how long the verification request is accepted (a subscription takes a minute). */
    verificationWindowMs: 5 * 60 * 1000,
  },
  logs: {
    /** `tracksync logs` without -n: the last this many lines. */
    tailLines: 50,
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
  macos: {
    /**
     * The legacy auto-detect gave osascript 5 s; Spotify answers in ~100 ms when running, and is not started closed.
     */
    nowPlayingTimeoutMs: 5_000,
  },
  secrets: {
    /** `security` answers in ~50 ms; past 5 s it waits on a locked Keychain prompt nobody sees under launchd. */
    keychainTimeoutMs: 5_000,
  },
  launchd: {
    /**
     * ExitTimeOut must exceed shutdown.graceMs + shutdown.abortWaitMs (15 s by default) or launchd SIGKILLs a clean
     * shutdown; 20 s over it.
     */
    exitTimeoutMarginSeconds: 20,
    /** launchctl answers at once; bootout waits for the daemon's clean shutdown (ExitTimeOut, 35 s by default). */
    launchctlTimeoutMs: 60_000,
    /**
     * launchd starts agents with PATH=/usr/bin:/bin:/usr/sbin:/sbin, where no Homebrew tool is: ffmpeg, yt-dlp, deno
     * and fpcalc live in /opt/homebrew/bin (Apple silicon) or /usr/local/bin (Intel). The directory of the node that
     * installs the agent is put in front.
     */
    path: ['/opt/homebrew/bin', '/usr/local/bin', '/usr/bin', '/bin', '/usr/sbin', '/sbin'],
    /** launchd's environment has no locale; yt-dlp and ffmpeg then mangle non-ASCII titles in messages and names. */
    lang: 'en_US.UTF-8',
  },
  playlists: {
    /**
     * The export folder when PLAYLIST_EXPORT_DIR and playlists.exportDir are unset: this subfolder of OUT_DIR, next
     * to the playlists' track folders. A Notion playlist of this very name would put its tracks in it too; nothing is
     * lost (an export only ever removes .m3u8 files it wrote).
     */
    folderName: 'Playlists (tracksync)',
  },
  media: {
    /**
     * The only demuxers ffmpeg, ffprobe and fpcalc may use on downloaded media: audio and video containers. Playlists
     * and lists of other files (hls, dash, concat, image2 sequences) are refused: ffmpeg would open the files and
     * URLs they name, including files on this Mac (a "song" that is an HLS playlist pointing at a local file).
     */
    audioDemuxers: [
      'mp3',
      'mov',
      'matroska',
      'webm',
      'ogg',
      'flac',
      'wav',
      'aiff',
      'aac',
      'asf',
      'mpegts',
      'wv',
      'ape',
      'caf',
      'w64',
      'tta',
      'dsf',
      'mpc',
      'mpc8',
      'au',
      'flv',
      'ac3',
      'eac3',
      'amr',
      'tak',
      'shn',
      'loas',
      'xwma',
      'oma',
      'rm',
      'avi',
    ],
    /** Artwork (a thumbnail from the site): single images only. */
    imageDemuxers: ['png_pipe', 'jpeg_pipe', 'webp_pipe', 'gif', 'gif_pipe', 'bmp_pipe', 'tiff_pipe', 'mjpeg'],
  },
} as const;
