import cron from 'node-cron';
import type { Store } from '../../state/store.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config/load.js';
import { TrackSyncError, coerceError } from '../errors.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../log.js';
import { runTool } from '../media/process.js';

/**
 * macOS notifications, opt-in. terminal-notifier when it is installed (its notifications carry its own icon and group),
 * else osascript's `display notification`. Every string reaches the notifier as its own argument: osascript gets a
 * fixed script that reads them from `argv`, so a title with quotes, backslashes or `" & do shell script "…` is text,
 * never AppleScript. Notification failures are logged and dropped: a notifier never affects the job.
 */

export interface Notification {
  readonly title: string;
  readonly subtitle?: string;
  readonly message: string;
}

/** macOS truncates a banner at about 250 characters; longer text only costs a bigger argv. */
const MAX_MESSAGE_CHARS = 240;

/** The AppleScript, constant: the strings are `item 1..3 of argv`. */
const OSASCRIPT_PROGRAM = [
  'on run argv',
  'display notification (item 1 of argv) with title (item 2 of argv) subtitle (item 3 of argv)',
  'end run',
];

/** The notifier's tools (config.macos) and its time limit (config.notifications). */
export type NotifierSettings = Pick<Config['macos'], 'osascript' | 'terminalNotifier'> &
  Pick<Config['notifications'], 'timeoutMs'>;

export class Notifier {
  readonly #config: NotifierSettings;
  readonly #logger: Logger;
  #useTerminalNotifier: boolean | undefined;

  constructor(config: NotifierSettings, logger: Logger) {
    this.#config = config;
    this.#logger = logger;
  }

  /** Shows a notification; never throws. Resolves to whether it was shown. */
  async notify(notification: Notification): Promise<boolean> {
    const title = clip(notification.title);
    const subtitle = clip(notification.subtitle ?? '');
    const message = clip(notification.message);
    try {
      if (this.#useTerminalNotifier !== false) {
        try {
          await this.#run(this.#config.terminalNotifier, [
            '-title',
            title,
            ...(subtitle ? ['-subtitle', subtitle] : []),
            '-message',
            message,
            '-group',
            'tracksync',
          ]);
          this.#useTerminalNotifier = true;
          return true;
        } catch (error) {
          if (coerceError(error).code !== 'TOOL_MISSING' || this.#useTerminalNotifier === true) throw error;
          this.#useTerminalNotifier = false; // not installed: osascript from now on
        }
      }
      await this.#run(this.#config.osascript, [
        ...OSASCRIPT_PROGRAM.flatMap((line) => ['-e', line]),
        '--',
        message,
        title,
        subtitle,
      ]);
      return true;
    } catch (raw) {
      const error = coerceError(raw);
      this.#logger.warn({ err: error, title }, 'a notification could not be shown; the job goes on');
      return false;
    }
  }

  async #run(bin: string, args: string[]): Promise<void> {
    await runTool(bin, args, { timeoutMs: this.#config.timeoutMs, failureCode: 'NOTIFY_FAILED' });
  }
}

function clip(text: string): string {
  // Control characters would end the banner early or show as boxes.
  const clean = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return clean.length > MAX_MESSAGE_CHARS ? `${clean.slice(0, MAX_MESSAGE_CHARS - 1)}…` : clean;
}

/**
 * Subscribes the notifier to the daemon: a notification when an item is given up on, when the daemon gives up on
 * Notion (and when it is back), and the optional daily summary. Returns the function that stops all of it.
 */
export function attachNotifications(options: {
  events: EventBus;
  notifier: Notifier;
  config: Config['notifications'];
  store: Store;
  clock: Clock;
  logger: Logger;
}): () => void {
  const { events, notifier, config, store, clock } = options;
  const offs = [
    events.on(
      'item:failed',
      (e) =>
        void notifier.notify({
          title: 'tracksync gave up on a track',
          subtitle: e.title,
          message: `${e.code}: ${e.message}`,
        }),
    ),
    events.on(
      'notion:unreachable',
      (e) =>
        void notifier.notify({
          title: 'tracksync cannot reach Notion',
          subtitle: `since ${new Date(e.since).toLocaleTimeString()}`,
          message:
            e.code === 'NOTION_UNAUTHORIZED'
              ? 'Notion refused the token: run "tracksync secrets set NOTION_TOKEN", then "tracksync launchd restart".'
              : `${e.message}. Polling goes on; nothing is lost.`,
        }),
    ),
    events.on(
      'notion:recovered',
      (e) =>
        void notifier.notify({
          title: 'tracksync reaches Notion again',
          message: `after ${Math.round(e.downMs / 60_000)} min; queued work resumes.`,
        }),
    ),
  ];
  let summaryTask: { stop(): void } | undefined;
  if (config.dailySummaryCron !== null) {
    if (!cron.validate(config.dailySummaryCron))
      throw new TrackSyncError(
        'CONFIG_INVALID',
        `notifications.dailySummaryCron "${config.dailySummaryCron}" is not a valid cron expression`,
      );
    summaryTask = cron.schedule(config.dailySummaryCron, () => void notifier.notify(dailySummary(store, clock.now())), {
      name: 'tracksync-daily-summary',
    });
  }
  return () => {
    offs.forEach((off) => off());
    summaryTask?.stop();
  };
}

/** "12 synced, 1 failed, 3 waiting to retry in the last 24 h". */
export function dailySummary(store: Store, now: number): Notification {
  const day = 24 * 60 * 60 * 1000;
  const counts = store.items.countFinishedSince(now - day);
  const done = counts.done ?? 0;
  const failed = counts.failed ?? 0;
  const waiting = counts.retry_wait ?? 0;
  return {
    title: 'tracksync: the last 24 hours',
    message:
      done + failed + waiting === 0
        ? 'Nothing to do today.'
        : `${done} synced, ${failed} given up on, ${waiting} waiting to retry.${failed > 0 ? ' "tracksync status" lists the failures.' : ''}`,
  };
}
