import type { Store } from '../../state/store.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config/load.js';
import { TrackSyncError, coerceError } from '../errors.js';
import type { Logger } from '../log.js';
import { bold, bullet, heading, paragraph } from '../notion/blocks.js';
import { readText, type FieldValue } from '../notion/codecs.js';
import type { FieldKey } from '../notion/databases.js';
import type { NotionGateway, PageResponse } from '../notion/gateway.js';
import { allOf, createRow, findFirst, propertyFilter } from '../notion/rows.js';
import type { Schemas } from '../notion/schemas.js';

/**
 * Conditions that need a person become one Agent-Task each, "CRITICAL: Music Sync Failure - <kind>" (the legacy
 * name), not a log line: what happened, since when, what tracksync tried, the fix. While the task is open later
 * occurrences add a line to it (at most one per critical.repeatLineMs); when the condition clears tracksync says so on
 * the task. The legacy script filed a new task on every run and never deduplicated (docs/legacy-bugs.md, "The
 * Agent-Tasks handoff"); here the
 * incident lives in SQLite, so a restart finds the open task instead of filing another.
 */

export type CriticalKind =
  | 'notion-access'
  | 'volume-missing'
  | 'yt-dlp-outdated'
  | 'spotify-credentials'
  | 'spotify-app-refused'
  | 'notion-block-limit';

export const CRITICAL_KINDS: Readonly<Record<CriticalKind, { readonly label: string; readonly fix: string }>> = {
  'notion-access': {
    label: 'Notion access',
    fix: 'Open the database in Notion, ••• > Connections, and add the tracksync integration; if the token was revoked, create a new one and run "tracksync secrets set NOTION_TOKEN", then "tracksync launchd restart".',
  },
  'volume-missing': {
    label: 'Output volume missing',
    fix: 'Connect the drive that holds the output folder (tracks wait and resume by themselves), or point OUT_DIR / BACKUP_DIR / WAV_BACKUP_DIR at a folder on this Mac.',
  },
  'yt-dlp-outdated': {
    label: 'yt-dlp outdated',
    fix: 'Update yt-dlp: "brew upgrade yt-dlp" (or "yt-dlp -U" for the standalone binary); "tracksync doctor" shows the version in use. Failed tracks are retried by themselves.',
  },
  'spotify-credentials': {
    label: 'Spotify credentials rejected',
    fix: 'Check the app at https://developer.spotify.com/dashboard: set SPOTIFY_CLIENT_ID and "tracksync secrets set SPOTIFY_CLIENT_SECRET" (and SPOTIFY_REFRESH_TOKEN for liked songs), then "tracksync launchd restart".',
  },
  // Development Mode since 2026-03-09
  // (developer.spotify.com/documentation/web-api/tutorials/february-2026-migration-guide,
  // "Premium Requirement" and "App Limits"); the message of the occurrence says which of the two Spotify named.
  'spotify-app-refused': {
    label: 'Spotify refuses the app',
    fix: 'If Spotify names Premium: the Spotify account that created the app at https://developer.spotify.com/dashboard needs an active Premium subscription again (Spotify can take a few hours to let requests through after a renewal). If it says the user is not registered: open the app in the dashboard, Settings > User Management, and add the name and e-mail of the account whose refresh token tracksync uses (SPOTIFY_REFRESH_TOKEN; at most 5 users). Nothing to restart: rows that need Spotify wait and resume by themselves.',
  },
  'notion-block-limit': {
    label: 'Notion block limit',
    fix: "The workspace is on Notion's Free plan with more than one member and has used its 1,000 lifetime blocks (deleting blocks does not give them back; see notion.com/help/understanding-block-usage). Upgrade the workspace to a paid plan, or move the music databases to a workspace of your own. Meanwhile tracksync keeps syncing files and writing row properties; task reports go into Execution-Result only, and new rows, artists and Execution-Logs cannot be created.",
  },
};

export const criticalTitle = (kind: CriticalKind): string =>
  `CRITICAL: Music Sync Failure - ${CRITICAL_KINDS[kind].label}`;

export interface Occurrence {
  /** What happened, in a sentence (an error message). */
  readonly message: string;
  /** What tracksync did about it (retries, waits). */
  readonly tried: string;
}

export interface CriticalDeps {
  readonly notion: NotionGateway;
  /** The live schemas (they are re-read when a database changes). */
  readonly schemas: () => Schemas;
  readonly store: Store;
  readonly config: Config;
  readonly clock: Clock;
  readonly logger: Logger;
}

export class CriticalTasks {
  readonly #d: CriticalDeps;
  /** One change at a time: two occurrences in one cycle must not file two tasks. */
  #chain: Promise<unknown> = Promise.resolve();

  constructor(deps: CriticalDeps) {
    this.#d = deps;
  }

  /** Resolves when every raise and clear asked for so far is done (the daemon waits for it before closing SQLite). */
  idle(): Promise<unknown> {
    return this.#chain;
  }

  /** Reports an occurrence: files the task, or adds a line to the open one. Never throws (a failure is logged). */
  raise(kind: CriticalKind, occurrence: Occurrence): Promise<void> {
    return this.#serially(() => this.#raise(kind, occurrence), undefined);
  }

  /**
   * The condition is gone: says so on the task and closes the incident. `when`, if given, is asked first, in turn with
   * the other changes (a probe of the service): the incident is cleared only if it answers true. Resolves to whether an
   * open incident was cleared.
   */
  clear(kind: CriticalKind, how: string, when?: () => Promise<boolean>): Promise<boolean> {
    return this.#serially(async () => {
      if (!this.isOpen(kind) || (when && !(await when().catch(() => false)))) return false;
      return this.#clear(kind, how);
    }, false);
  }

  isOpen(kind: CriticalKind): boolean {
    const row = this.#d.store.incidents.getIncident(kind);
    return row !== undefined && row.cleared_at === null;
  }

  #serially<T>(work: () => Promise<T>, onError: T): Promise<T> {
    const next = this.#chain.then(work).catch((raw: unknown) => {
      this.#d.logger.error(
        { err: coerceError(raw) },
        'could not file or update a CRITICAL task; the condition is still logged here',
      );
      return onError;
    });
    this.#chain = next;
    return next;
  }

  async #raise(kind: CriticalKind, occurrence: Occurrence): Promise<void> {
    const { store, clock, logger, config } = this.#d;
    const now = clock.now();
    const row = store.incidents.getIncident(kind);
    logger.error({ kind, message: occurrence.message }, `critical: ${CRITICAL_KINDS[kind].label}`);
    if (row && row.cleared_at === null) {
      const task = row.task_page_id ? await this.#openTask(row.task_page_id) : undefined;
      if (row.task_page_id && task) {
        // Past the block limit no line can be appended: the occurrence is only counted.
        const due = now - row.last_line_at >= config.critical.repeatLineMs && kind !== 'notion-block-limit';
        if (due)
          await this.#d.notion.appendBlocks(task.id, [
            paragraph(
              bold(`${iso(now)} still happening`),
              ` (${row.occurrences + 1} occurrences since ${iso(row.opened_at)}): ${occurrence.message}`,
            ),
          ]);
        store.incidents.seeIncident(kind, occurrence.message, due, now);
        return;
      }
      // The task is gone (closed by a person, archived) or was never filed (Notion refused): file one now.
      const id = await this.#file(kind, occurrence, row.opened_at);
      store.incidents.seeIncident(kind, occurrence.message, false, now);
      if (id) store.incidents.setIncidentTask(kind, id, now);
      return;
    }
    store.incidents.openIncident(kind, null, occurrence.message, now);
    const id = await this.#file(kind, occurrence, now);
    if (id) store.incidents.setIncidentTask(kind, id, now);
  }

  async #clear(kind: CriticalKind, how: string): Promise<boolean> {
    const { store, clock, notion, logger } = this.#d;
    const row = store.incidents.getIncident(kind);
    if (!row || row.cleared_at !== null) return false;
    const now = clock.now();
    if (row.task_page_id && (await this.#openTask(row.task_page_id))) {
      await notion.appendBlocks(
        row.task_page_id,
        [
          paragraph(
            bold(`${iso(now)} cleared`),
            `: ${how}. tracksync carries on by itself; close this task when you have read it.`,
          ),
        ],
        `${iso(now)} cleared`,
      );
    }
    store.incidents.clearIncident(kind, now);
    logger.info({ kind }, `critical condition cleared: ${CRITICAL_KINDS[kind].label}`);
    return true;
  }

  /** The task page while it is still open (not archived, not Completed or Failed). */
  async #openTask(pageId: string): Promise<PageResponse | undefined> {
    const schema = this.#d.schemas().tasks;
    if (!schema) return undefined;
    let page: PageResponse;
    try {
      page = await this.#d.notion.retrievePage(pageId);
    } catch (error) {
      if (error instanceof TrackSyncError && error.code === 'NOTION_NOT_FOUND') return undefined;
      throw error;
    }
    if (page.in_trash) return undefined;
    const status = readText(schema, page, 'status');
    const { completedStatus, failedStatus } = this.#d.config.routing;
    return status === completedStatus || status === failedStatus ? undefined : page;
  }

  /**
   * Files the task; undefined when there is no Agent-Tasks database. An open task of the same title is reused; the
   * create itself goes through createOnce, with a marker in the description, so a create that failed without an
   * answer is found rather than filed twice.
   */
  async #file(kind: CriticalKind, occurrence: Occurrence, since: number): Promise<string | undefined> {
    const { notion, config } = this.#d;
    const schema = this.#d.schemas().tasks;
    if (!schema) {
      this.#d.logger.error({ kind }, 'AGENT_TASKS_DB_ID is not set: a CRITICAL condition cannot be filed as a task');
      return undefined;
    }
    const title = criticalTitle(kind);
    const { fix } = CRITICAL_KINDS[kind];
    // Open tasks of this kind by their exact title (a filter that ignores case must not match another title); after
    // a lost create answer, the one whose description carries the create's marker.
    const find = (marker?: string): Promise<PageResponse | undefined> =>
      findFirst(
        notion,
        schema,
        allOf(
          propertyFilter(schema.fields.title!, { equals: title }),
          propertyFilter(schema.fields.status!, { equals: config.routing.readyStatus }),
        ),
        (page) =>
          readText(schema, page, 'title') === title &&
          (marker === undefined || readText(schema, page, 'description').includes(marker)),
      );
    const existing = await find();
    if (existing) return existing.id;
    const values = (marker: string): Partial<Record<FieldKey<'tasks'>, FieldValue>> => {
      const v: Partial<Record<FieldKey<'tasks'>, FieldValue>> = {
        title,
        status: config.routing.readyStatus,
        description: `${occurrence.message} (since ${iso(since)}). Fix: ${fix} [tracksync incident ${marker}]`,
      };
      if (schema.fields.priority?.options.includes('High')) v.priority = 'High';
      if (schema.fields.nextStep) v.nextStep = fix;
      if (config.critical.agentPageId && schema.fields.assignedAgent) v.assignedAgent = [config.critical.agentPageId];
      return v;
    };
    const children = [
      heading('What happened'),
      paragraph(occurrence.message),
      paragraph(bold('Since: '), iso(since)),
      heading('What tracksync tried'),
      paragraph(occurrence.tried),
      heading('The fix'),
      paragraph(fix),
      heading('Log'),
      bullet(`${iso(since)} first seen on ${config.launchd.label}`),
    ];
    // Past the block limit a body cannot be written: the task's properties carry everything (and a page is a block
    // too, so the create may be refused as well: the incident then stays open in SQLite and in the log, and the
    // task results that could not carry their report say why).
    const { page } = await createRow(notion, schema, {
      key: `critical:${kind}:${since}`,
      values,
      find,
      ...(kind === 'notion-block-limit' ? {} : { children }),
    });
    return page.id;
  }
}

const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');
