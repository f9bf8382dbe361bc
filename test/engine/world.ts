import { createHash } from 'node:crypto';
import type { Clock } from '../../src/clock.js';
import type { HandlerResult, ItemInput } from '../../src/engine/contracts.js';
import type { ClaimOutcome, FailureWrite, ItemSource, ResultRun } from '../../src/engine/sources.js';
import { TrackSyncError } from '../../src/errors.js';
import { decodeProperty, readText } from '../../src/notion/codecs.js';
import type { NotionGateway, PageResponse } from '../../src/notion/gateway.js';
import type { ResolvedSchema } from '../../src/notion/schema.js';
import { text } from '../helpers/notion.js';

/**
 * A clock that stands still until the test moves it, so the times the engine computes (a retry's due time) are exact.
 * `sleep` moves it forward instead of waiting.
 */
export class FixedClock implements Clock {
  constructor(public at: number) {}

  now(): number {
    return this.at;
  }

  advance(ms: number): void {
    this.at += ms;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    this.at += ms;
    return Promise.resolve();
  }
}

/**
 * A source plugged into the engine the way the application plugs in its own (src/engine/sources.ts), over the local
 * Notion's Music Tracks: a result sets Tempo and Notes, a failure sets Notes, each with one PATCH through the real
 * gateway, and every call the engine makes is recorded for the test to read.
 */
export class NotesSource implements ItemSource<'tracks'> {
  readonly key = 'tracks' as const;
  readonly dataSourceId: string;
  readonly results: Array<{ pageId: string; result: HandlerResult; run: ResultRun }> = [];
  readonly failures: Array<{ pageId: string; error: TrackSyncError; failure: FailureWrite }> = [];
  readonly released: string[] = [];
  /** Set to make failure write-backs throw (Notion down at the moment the failure is written). */
  failWrites = false;
  readonly #notion: NotionGateway;

  constructor(
    notion: NotionGateway,
    readonly schema: ResolvedSchema<'tracks'>,
    readonly queue?: string,
  ) {
    this.#notion = notion;
    this.dataSourceId = schema.dataSourceId;
  }

  eligibilityFilter(): undefined {
    return undefined;
  }

  /** Every property, decoded: any write to the page changes it. */
  contentHash(page: PageResponse): string {
    const values = Object.entries(page.properties)
      .map(([name, raw]) => [name, decodeProperty(raw)] as const)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return createHash('sha256').update(JSON.stringify(values)).digest('hex').slice(0, 32);
  }

  toInput(page: PageResponse): ItemInput<'tracks'> {
    return { source: 'tracks', page, fields: { title: this.title(page) } };
  }

  title(page: PageResponse): string {
    return readText(this.schema, page, 'title');
  }

  whyNotEligible(): undefined {
    return undefined;
  }

  async claim(pageId: string): Promise<ClaimOutcome> {
    return { kind: 'claimed', page: await this.#notion.retrievePage(pageId) };
  }

  async renewClaim(): Promise<void> {}

  async release(pageId: string): Promise<PageResponse> {
    this.released.push(pageId);
    return this.#notion.retrievePage(pageId);
  }

  async writeResult(page: PageResponse, result: HandlerResult, run: ResultRun): Promise<PageResponse> {
    this.results.push({ pageId: page.id, result, run });
    const bpm = result.properties?.bpm;
    return this.#notion.updatePage(page.id, {
      Tempo: { number: typeof bpm === 'number' ? bpm : null },
      Notes: text(result.outcome),
    });
  }

  async writeFailure(page: PageResponse, error: TrackSyncError, failure: FailureWrite): Promise<PageResponse> {
    this.failures.push({ pageId: page.id, error, failure });
    if (this.failWrites) throw new TrackSyncError('NOTION_UNAVAILABLE', 'Notion answered 503 to the failure write');
    return this.#notion.updatePage(page.id, { Notes: text(`${error.code}${failure.final ? ' (gave up)' : ''}`) });
  }
}
