import type { HandlerResult } from '../../engine/contracts.js';
import type { ClaimOutcome } from '../../engine/sources.js';
import { encodeFields, pageHasValues } from '../../notion/codecs.js';
import { readIfAlive } from '../../notion/creates.js';
import type { PageResponse } from '../../notion/gateway.js';
import { EAGLE_IMPORT_QUEUE } from '../../pipeline/eagle.js';
import type { SourceDeps } from './common.js';
import { TrackSource } from './tracks.js';

/** The local queues of follow-up work on a Music Tracks row, each served by one handler (handlers/). */
export const FOLLOW_UP_QUEUES = {
  /** Cross-platform links of a synced row (src/app/links.ts, handlers/links.ts). */
  links: 'links',
  /** An Eagle import deferred while Eagle was closed (src/pipeline/eagle.ts, handlers/eagle-import.ts). */
  eagleImport: EAGLE_IMPORT_QUEUE,
} as const;

/**
 * A local queue of work on Music Tracks rows (docs/architecture.md, "One queue"): items are enqueued by the app, not
 * polled. The row itself is not claimed: the work is this state directory's own (one item per queue and row in its
 * SQLite), it never touches the row's Processing Lock, and a failure leaves the row as it is (the track is synced;
 * the follow-up's error is in `tracksync status`). A result's properties are written to the row in one update, as
 * the handler computed them from the row it claimed (the Eagle tag added to the tags the row had then).
 */
export class TrackFollowUpSource extends TrackSource {
  readonly queue: string;
  /**
   * One at a time: a link lookup is up to three searches and three checks against outside services (about 10 s),
   * background work that must not take every item slot from the rows and tasks people are waiting for (before the
   * one queue, lookups ran as one pass at a time for the same reason).
   */
  readonly maxRunning = 1;
  readonly #notion: SourceDeps['notion'];

  constructor(deps: SourceDeps, queue: string) {
    super(deps);
    this.queue = queue;
    this.#notion = deps.notion;
  }

  /** Nothing for a poll to see: an item is queued again only by enqueuing it. */
  override contentHash(): string {
    return 'local';
  }

  override async claim(pageId: string): Promise<ClaimOutcome> {
    const page = await readIfAlive(this.#notion, pageId);
    return page
      ? { kind: 'claimed', page }
      : { kind: 'gone', reason: 'the row was deleted or is no longer shared with the integration' };
  }

  override async renewClaim(): Promise<void> {}

  override async release(): Promise<PageResponse | undefined> {
    return undefined;
  }

  override async writeResult(page: PageResponse, result: HandlerResult): Promise<PageResponse> {
    const values = result.properties ?? {};
    if (Object.keys(values).length === 0) return page;
    return this.#notion.updatePage(page.id, encodeFields(this.schema, values), (p) =>
      pageHasValues(this.schema, p, values),
    );
  }

  override async writeFailure(): Promise<PageResponse | undefined> {
    return undefined;
  }
}
