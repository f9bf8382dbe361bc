import type { Clock } from '../clock.js';
import { CONSTANTS } from '../config/constants.js';
import type { Config } from '../config/load.js';
import type { ErrorCode } from '../errors.js';
import type { EventBus } from '../events.js';
import type { CriticalTasks } from './critical.js';
import { unmountedVolume } from '../domain/volumes.js';

/**
 * Watches the daemon's events for the conditions that need a person and turns them into CRITICAL tasks
 * (handoff/critical.ts), and clears them when they are gone:
 * - notion-access: Notion answers 401/403/404 for a configured database; cleared by a cycle without errors.
 * - volume-missing: an output volume has been missing for critical.volumeMissingAfterMs; cleared when it is back.
 * - yt-dlp-outdated: downloads keep failing (critical.downloadFailuresBeforeTask in a row, on two tracks or more) and
 *   yt-dlp is older than doctor.ytDlpMaxAgeDays, or says itself it must be updated; cleared by the next download.
 * - spotify-credentials: Spotify refuses the app's credentials; cleared when a token request succeeds again.
 * - spotify-app-refused: Spotify refuses the app itself (its owner has no Premium, or the user is not on its
 *   allow-list); cleared when a Spotify request succeeds again, and then the rows that waited are made due at once.
 * - notion-block-limit: Notion refuses new blocks (and pages) for the workspace's block limit; cleared by the next
 *   block or page it creates.
 */

export interface CriticalProbes {
  /** yt-dlp's version (its release date), for the outdated check. */
  ytDlpVersion(): Promise<string | undefined>;
  /**
   * A token and one Spotify request now: 'ok', or the code of the failure (undefined when Spotify is not configured).
   */
  spotifyStatus(): Promise<ErrorCode | 'ok' | undefined>;
}

/** 404 too: Notion answers "Could not find database" for a database that is not shared with the integration. */
const NOTION_ACCESS: ReadonlySet<ErrorCode> = new Set(['NOTION_UNAUTHORIZED', 'NOTION_FORBIDDEN', 'NOTION_NOT_FOUND']);
/** yt-dlp's own words when an extractor broke: "Confirm you are on the latest version using yt-dlp -U". */
const SAYS_UPDATE = /latest version|yt-dlp -U|nsig extraction failed|unable to extract/i;

export function watchCriticalConditions(options: {
  events: EventBus;
  critical: CriticalTasks;
  config: Config;
  clock: Clock;
  probes: CriticalProbes;
  /** Makes the items waiting on an error code due now (the condition behind it cleared). */
  resume?: (code: ErrorCode) => void;
}): () => void {
  const { events, critical, config, clock, probes } = options;
  let volumeMissingSince: number | undefined;
  let missingVolume = '';
  const downloadFailures: Array<{ pageId: string; message: string }> = [];

  const folders = (): string[] =>
    [config.paths.outDir, config.paths.backupDir, config.paths.wavBackupDir].filter(
      (f): f is string => f !== undefined,
    );

  const onItemError = (e: { pageId: string; code: ErrorCode; message: string }): void => {
    if (e.code === 'VOLUME_NOT_MOUNTED') {
      volumeMissingSince ??= clock.now();
      missingVolume = e.message;
      if (clock.now() - volumeMissingSince >= config.critical.volumeMissingAfterMs) {
        void critical.raise('volume-missing', {
          message: e.message,
          tried: `Tracks that need the folder wait and are retried with backoff; the first one waited at ${new Date(volumeMissingSince).toISOString()}.`,
        });
      }
    } else if (e.code === 'DOWNLOAD_FAILED') {
      downloadFailures.push({ pageId: e.pageId, message: e.message });
      void checkYtDlp();
    } else if (e.code === 'SPOTIFY_UNAUTHORIZED') {
      void critical.raise('spotify-credentials', {
        message: e.message,
        tried: 'Spotify-only rows and Spotify enrichment wait; a token is asked for again every cycle.',
      });
    } else if (e.code === 'SPOTIFY_APP_REFUSED') {
      const minutes = Math.round(config.retry.waitForPersonMs / 60_000);
      void critical.raise('spotify-app-refused', {
        message: e.message,
        tried: `Rows and playlist tasks that need Spotify wait (without using up their attempts) and look again every ${minutes} min; rows with their own audio are synced without Spotify's metadata; Spotify is asked again at the end of every cycle, and the waiting rows resume as soon as it answers.`,
      });
    }
  };

  const checkYtDlp = async (): Promise<void> => {
    const recent = downloadFailures.slice(-config.critical.downloadFailuresBeforeTask);
    if (recent.length < config.critical.downloadFailuresBeforeTask || new Set(recent.map((f) => f.pageId)).size < 2)
      return;
    const version = await probes.ytDlpVersion().catch(() => undefined);
    const date = version?.match(/^(\d{4})\.(\d{2})\.(\d{2})/);
    const ageDays = date
      ? Math.floor((clock.now() - Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3]))) / 86_400_000)
      : undefined;
    const old = ageDays !== undefined && ageDays > CONSTANTS.doctor.ytDlpMaxAgeDays;
    // Failing but current: the network or the site, not the tool.
    if (!old && !recent.some((f) => SAYS_UPDATE.test(f.message))) return;
    await critical.raise('yt-dlp-outdated', {
      message: `${recent.length} downloads in a row failed (last: ${recent.at(-1)!.message}); yt-dlp ${version ?? '(version unknown)'}${ageDays !== undefined ? ` is ${ageDays} days old` : ''}`,
      tried: `Each track was retried with backoff (${config.retry.maxAttempts} attempts at most); tracks keep waiting until yt-dlp is updated.`,
    });
  };

  const offs = [
    events.on('notion:block_limit', (e) => {
      if (e.reached && !critical.isOpen('notion-block-limit')) {
        void critical.raise('notion-block-limit', {
          message: `Notion refused to create blocks: ${e.message}`,
          tried:
            "tracksync keeps syncing files and writing row properties; it stopped appending task reports (each task's Execution-Result says so) and cannot create new rows, artists or Execution-Logs until the limit is lifted. It tries again with the next report.",
        });
      } else if (!e.reached && critical.isOpen('notion-block-limit')) {
        void critical.clear('notion-block-limit', 'Notion creates blocks again');
      }
    }),
    events.on('item:retry', onItemError),
    events.on('item:failed', onItemError),
    events.on('cycle:error', (e) => {
      if (!NOTION_ACCESS.has(e.code)) return;
      void critical.raise('notion-access', {
        message: e.message,
        tried: 'The other databases keep being served; the failing one is tried again every cycle.',
      });
    }),
    events.on('item:done', (e) => {
      if (e.outcome !== 'synced') return;
      downloadFailures.length = 0;
      if (critical.isOpen('yt-dlp-outdated')) void critical.clear('yt-dlp-outdated', 'a track downloaded again');
    }),
    events.on('cycle:end', (e) => {
      if (e.errors === 0 && critical.isOpen('notion-access'))
        void critical.clear('notion-access', 'every database answered again');
      if (volumeMissingSince !== undefined && folders().every((f) => unmountedVolume(f) === undefined)) {
        volumeMissingSince = undefined;
        if (critical.isOpen('volume-missing'))
          void critical.clear('volume-missing', `the volume is mounted again (${missingVolume})`);
      }
      if (critical.isOpen('spotify-credentials') || critical.isOpen('spotify-app-refused')) {
        // One probe for both; each clear waits for it in turn with the other CRITICAL changes (critical.idle() covers
        // it). A refused app still got as far as Spotify recognising its credentials.
        const status = probes.spotifyStatus().catch(() => undefined);
        const credentialsAccepted = async (): Promise<boolean> =>
          ['ok', 'SPOTIFY_APP_REFUSED'].includes((await status) ?? '');
        void critical.clear('spotify-credentials', 'Spotify accepts the credentials again', credentialsAccepted);
        const served = async (): Promise<boolean> => (await status) === 'ok';
        void critical.clear('spotify-app-refused', 'Spotify serves the app again', served).then((cleared) => {
          if (cleared) options.resume?.('SPOTIFY_APP_REFUSED');
        });
      }
    }),
  ];
  return () => offs.forEach((off) => off());
}
