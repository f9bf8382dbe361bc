import type { PageCreatedWebhookPayload, PagePropertiesUpdatedWebhookPayload } from '@notionhq/client';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { PageChange, Workspace } from './workspace.js';

/**
 * The local Notion's integration webhooks (developers.notion.com/reference/webhooks; payload types: the client's
 * api-endpoints/webhooks.ts; signature: its src/webhooks.ts): a subscription gets the verification handshake
 * (`{"verification_token": …}`, unsigned), then one signed delivery per event (`X-Notion-Signature: sha256=<HMAC of
 * the raw body keyed by the token>`), aggregated over a short window as Notion does, retried with a growing
 * `attempt_number` when the receiver does not answer 2xx. Payloads are signals only: no property values.
 */

/**
 * How long the local Notion holds page events before delivering them, by default. Notion documents only a bound:
 * "Within a minute, Notion sends a webhook request", and most page events are aggregated over a short window
 * (developers.notion.com/reference/webhooks, "Event delivery"; /reference/webhooks-events-delivery). The default is
 * that bound, so nothing built on the local Notion promises more than the real one does; tests pass a shorter delay.
 */
export const DEFAULT_AGGREGATION_DELAY_MS = 60_000;

export interface WebhookSubscriptionOptions {
  readonly url: string;
  /**
   * Wait before an event is delivered, joined by later events of the same type and page (default: the one-minute
   * bound).
   */
  readonly aggregationDelayMs?: number;
  /** Send every event twice (Notion may deliver an event more than once). */
  readonly duplicate?: boolean;
  /** Attempts per event before giving up (Notion: up to 8 within about 24 h). */
  readonly maxAttempts?: number;
  /** Wait before the first retry, doubled per attempt (compressed from Notion's minutes). */
  readonly retryBaseDelayMs?: number;
}

export interface WebhookDelivery {
  readonly eventId: string;
  readonly type: string;
  readonly pageId?: string;
  readonly attempt: number;
  readonly status: number | 'error';
  readonly at: number;
}

interface Subscription {
  readonly id: string;
  readonly token: string;
  options: Required<WebhookSubscriptionOptions>;
  /** Pending events by `type page`, so a burst of edits to one page makes one delivery. */
  readonly pending: Map<
    string,
    { change: PageChange; timer: unknown; authors: Map<string, PageChange['author']>; propertyIds: Set<string> }
  >;
}

type Payload =
  | PageCreatedWebhookPayload
  | PagePropertiesUpdatedWebhookPayload
  | (Omit<PageCreatedWebhookPayload, 'type'> & { type: 'page.deleted' | 'page.undeleted' });

/** The timer the aggregation window runs on (injected by tests that check the window without waiting a minute). */
export interface AggregationTimer {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimer: AggregationTimer = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export class WebhookSender {
  readonly #workspace: Workspace;
  readonly #timer: AggregationTimer;
  readonly #subscriptions: Subscription[] = [];
  readonly #deliveries: WebhookDelivery[] = [];
  readonly #inFlight = new Set<Promise<void>>();
  #closed = false;
  readonly #off: () => void;

  constructor(workspace: Workspace, timer: AggregationTimer = realTimer) {
    this.#workspace = workspace;
    this.#timer = timer;
    this.#off = workspace.onPageChange((change) => this.#onChange(change));
  }

  /** Creates a subscription and sends its verification request; resolves with the token the receiver was sent. */
  async subscribe(
    options: WebhookSubscriptionOptions,
  ): Promise<{ subscriptionId: string; verificationToken: string; handshakeStatus: number | 'error' }> {
    const subscription: Subscription = {
      id: randomUUID(),
      token: `secret_${randomBytes(24).toString('base64url')}`,
      options: {
        aggregationDelayMs: DEFAULT_AGGREGATION_DELAY_MS,
        duplicate: false,
        maxAttempts: 8,
        retryBaseDelayMs: 1_000,
        ...options,
      },
      pending: new Map(),
    };
    this.#subscriptions.push(subscription);
    const handshakeStatus = await this.#post(
      subscription.options.url,
      JSON.stringify({ verification_token: subscription.token }),
      undefined,
    );
    return { subscriptionId: subscription.id, verificationToken: subscription.token, handshakeStatus };
  }

  /** Changes how long a subscription's later events are held (a benchmark compares delays on one subscription). */
  setAggregationDelay(subscriptionId: string, aggregationDelayMs: number): void {
    const subscription = this.#subscriptions.find((sub) => sub.id === subscriptionId);
    if (subscription) subscription.options = { ...subscription.options, aggregationDelayMs };
  }

  deliveries(): WebhookDelivery[] {
    return this.#deliveries.map((d) => ({ ...d }));
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#off();
    for (const subscription of this.#subscriptions)
      for (const pending of subscription.pending.values()) this.#timer.clear(pending.timer);
    await Promise.allSettled([...this.#inFlight]);
  }

  #onChange(change: PageChange): void {
    for (const subscription of this.#subscriptions) {
      const key = `${change.type} ${change.pageId}`;
      const pending = subscription.pending.get(key);
      if (pending) {
        pending.authors.set(change.author.id, change.author);
        for (const id of change.propertyIds) pending.propertyIds.add(id);
        continue;
      }
      const entry = {
        change,
        authors: new Map([[change.author.id, change.author]]),
        propertyIds: new Set(change.propertyIds),
        timer: this.#timer.set(() => {
          subscription.pending.delete(key);
          const payload = this.#payload(
            subscription,
            entry.change,
            [...entry.authors.values()],
            [...entry.propertyIds],
          );
          this.#track(this.#deliver(subscription, payload));
          if (subscription.options.duplicate) this.#track(this.#deliver(subscription, payload));
        }, subscription.options.aggregationDelayMs),
      };
      subscription.pending.set(key, entry);
    }
  }

  #payload(
    subscription: Subscription,
    change: PageChange,
    authors: Array<PageChange['author']>,
    propertyIds: string[],
  ): Payload {
    const base = {
      id: randomUUID(),
      timestamp: new Date().toISOString(),
      workspace_id: '00000000-0000-4000-8000-00000000a11e',
      workspace_name: 'Local sandbox',
      subscription_id: subscription.id,
      integration_id: this.#workspace.botId,
      authors: authors.map((a) => ({ id: a.id, type: a.type })) as PageCreatedWebhookPayload['authors'],
      accessible_by: [{ id: this.#workspace.botId, type: 'bot' as const }],
      attempt_number: 1,
      api_version: '2025-09-03' as const,
      entity: { id: change.pageId, type: 'page' as const },
    };
    const parent = { id: change.databaseId, type: 'database' as const, data_source_id: change.dataSourceId };
    if (change.type === 'page.properties_updated')
      return { ...base, type: change.type, data: { parent, updated_properties: propertyIds } };
    return { ...base, type: change.type, data: { parent } } as Payload;
  }

  async #deliver(subscription: Subscription, payload: Payload): Promise<void> {
    const { maxAttempts, retryBaseDelayMs, url } = subscription.options;
    for (let attempt = 1; attempt <= maxAttempts && !this.#closed; attempt++) {
      const body = JSON.stringify({ ...payload, attempt_number: attempt });
      const signature = `sha256=${createHmac('sha256', subscription.token).update(body, 'utf8').digest('hex')}`;
      const status = await this.#post(url, body, signature);
      this.#deliveries.push({
        eventId: payload.id,
        type: payload.type,
        pageId: payload.entity.id,
        attempt,
        status,
        at: Date.now(),
      });
      if (typeof status === 'number' && status >= 200 && status < 300) return;
      await new Promise((resolve) => setTimeout(resolve, retryBaseDelayMs * 2 ** (attempt - 1)));
    }
  }

  async #post(url: string, body: string, signature: string | undefined): Promise<number | 'error'> {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'notion-api',
          ...(signature ? { 'x-notion-signature': signature } : {}),
        },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      await response.arrayBuffer();
      return response.status;
    } catch {
      return 'error';
    }
  }

  #track(promise: Promise<void>): void {
    this.#inFlight.add(promise);
    void promise.finally(() => this.#inFlight.delete(promise));
  }
}
