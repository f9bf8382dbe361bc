import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { Store } from '../../state/store.js';
import type { NotionFilter, NotionGateway, PageResponse } from './gateway.js';
import { editedSince, narrowedBy } from './rows.js';

/**
 * Incremental polling of one data source (docs/notion-contract.md, "Polling: timestamps rounded to the minute").
 *
 * last_edited_time is floored to the minute, so "edited after the last time I looked" misses edits made later in the
 * same minute. The cursor is therefore (minute, pages seen in that window with a hash of their content): the query asks
 * for rows edited `on_or_after` the cursor minute minus an overlap, with the source's eligibility filter applied by
 * Notion, and drops rows whose hash is already in the seen set. A full reconcile without the timestamp filter runs
 * every `fullReconcileIntervalMs` (and on the first poll) to catch what the timestamp cannot show (notero #571).
 *
 * The cost of an idle poll is one query request per data source, whatever the size of the database.
 */

export interface PollTarget {
  readonly dataSourceId: string;
  /** What Notion filters on before answering (the source's eligibility, without the timestamp window). */
  eligibilityFilter(): NotionFilter | undefined;
  /** A hash of the page's content that matters to us; a changed hash means "look again". */
  contentHash(page: PageResponse): string;
  /**
   * The property ids a poll needs (sent as filter_properties, so a poll does not download every property of every
   * row); all of them when absent. The hash must be computed from these only.
   */
  pollProperties?(): readonly string[];
}

export interface PollResult {
  /** Every page Notion returned (the caller de-duplicates by content hash). */
  readonly pages: PageResponse[];
  /** The pages among them that are new or changed since the poller last saw them. */
  readonly changed: PageResponse[];
  readonly full: boolean;
  /** Pages Notion returned in all (including ones already seen). */
  readonly returned: number;
  /**
   * Saves the new cursor. Call it in the same SQLite transaction that records the pages as items: a crash between
   * the two would otherwise skip the changed pages until the next full reconcile.
   */
  commit(): void;
}

interface SeenEntry {
  /** Content hash. */
  h: string;
  /** last_edited_time of the page when seen. */
  m: string;
}

export interface PollerOptions {
  notion: NotionGateway;
  store: Store;
  clock: Clock;
  logger: Logger;
  fullReconcileIntervalMs: number;
  cursorOverlapMs: number;
}

export class Poller {
  readonly #o: PollerOptions;

  constructor(options: PollerOptions) {
    this.#o = options;
  }

  async poll(target: PollTarget, options: { full?: boolean } = {}): Promise<PollResult> {
    const { store, clock, notion, cursorOverlapMs, fullReconcileIntervalMs } = this.#o;
    const now = clock.now();
    const cursor = store.cursors.getCursor(target.dataSourceId);
    const seen = parseSeen(cursor?.seen_json);
    const full =
      options.full === true ||
      cursor?.last_full_reconcile == null ||
      now - cursor.last_full_reconcile >= fullReconcileIntervalMs ||
      cursor.minute === null;

    const eligibility = target.eligibilityFilter();
    let filter = eligibility;
    if (!full && cursor?.minute) {
      const since = new Date(Date.parse(cursor.minute) - cursorOverlapMs).toISOString();
      filter = narrowedBy(eligibility, editedSince(since));
    }

    const pages: PageResponse[] = [];
    const changed: PageResponse[] = [];
    let returned = 0;
    let newest = cursor?.minute ?? null;
    const hashes = new Map<string, SeenEntry>();
    const filterProperties = target.pollProperties?.();
    const query = {
      ...(filter ? { filter } : {}),
      sort: 'last_edited_time' as const,
      ...(filterProperties ? { filterProperties } : {}),
    };
    for await (const page of notion.queryPages(target.dataSourceId, query)) {
      returned += 1;
      pages.push(page);
      const entry = { h: target.contentHash(page), m: page.last_edited_time };
      hashes.set(page.id, entry);
      if (newest === null || page.last_edited_time > newest) newest = page.last_edited_time;
      if (seen[page.id]?.h !== entry.h) changed.push(page);
    }

    // Keep what the next overlap window can return again; forget the rest.
    const keepFrom = newest === null ? '' : new Date(Date.parse(newest) - cursorOverlapMs).toISOString();
    const nextSeen: Record<string, SeenEntry> = {};
    for (const [id, entry] of Object.entries(seen)) if (entry.m >= keepFrom) nextSeen[id] = entry;
    for (const [id, entry] of hashes) if (entry.m >= keepFrom) nextSeen[id] = entry;

    this.#o.logger.debug({ dataSourceId: target.dataSourceId, full, returned, changed: changed.length }, 'polled');
    return {
      pages,
      changed,
      full,
      returned,
      commit: () => {
        store.cursors.saveCursor(target.dataSourceId, newest, nextSeen, now);
        if (full) store.cursors.recordFullReconcile(target.dataSourceId, now);
      },
    };
  }
}

function parseSeen(json: string | undefined): Record<string, SeenEntry> {
  if (!json) return {};
  try {
    const parsed = JSON.parse(json) as Record<string, SeenEntry>;
    return parsed && typeof parsed === 'object' ? parsed : {};
  } catch {
    return {};
  }
}
