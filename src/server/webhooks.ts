import { verifyWebhookSignature, type BaseWebhookPayload } from '@notionhq/client';
import type { SourceKey } from '../../handlers/types.js';
import type { Logger } from '../log.js';

/**
 * Notion webhook deliveries (notion-api.md §6). They are signals only: a delivery wakes the poller for its data
 * source and the poller re-reads the pages; nothing in the payload is trusted beyond "look at this data source now".
 */

export interface WebhookDeps {
  readonly logger: Logger;
  /** The verification token (the HMAC key), when known. */
  getToken(): string | undefined;
  /** Keeps the token from the verification request (the secrets file), so later deliveries can be verified. */
  saveToken(token: string): void;
  /** Which of our sources a data source or database id belongs to. */
  sourceOf(id: string): SourceKey | undefined;
  wake(reason: string, source: SourceKey): void;
  /** How many delivery ids to remember for dropping Notion's retried deliveries. */
  readonly rememberedDeliveries: number;
}

export interface WebhookAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  /** For metrics: accepted, duplicate, ignored, verification, unsigned, bad_signature, bad_request. */
  readonly result: string;
}

/** The event fields we read; parsed defensively (one secondary source shows a parent type "data_source_id"). */
type Delivery = Partial<Pick<BaseWebhookPayload, 'id' | 'attempt_number'>> & {
  type?: string;
  entity?: { id?: string; type?: string };
  data?: { parent?: { id?: string; type?: string; data_source_id?: string } };
  verification_token?: string;
};

export class WebhookReceiver {
  readonly #deps: WebhookDeps;
  /** Delivery ids seen, oldest first (a Map keeps insertion order, so the oldest is evicted first). */
  readonly #seen = new Map<string, true>();

  constructor(deps: WebhookDeps) {
    this.#deps = deps;
  }

  async receive(raw: Buffer, signature: string | undefined): Promise<WebhookAnswer> {
    let delivery: Delivery;
    try {
      delivery = JSON.parse(raw.toString('utf8')) as Delivery;
      if (delivery === null || typeof delivery !== 'object') throw new Error('not an object');
    } catch {
      return { status: 400, result: 'bad_request', body: { error: 'the body is not a JSON object' } };
    }
    const token = this.#deps.getToken();
    const signed = token !== undefined && (await verifyWebhookSignature({ body: raw, signature, verificationToken: token }));

    if (typeof delivery.verification_token === 'string' && delivery.type === undefined) {
      // The subscription handshake. Accepted unsigned only while no token is known: otherwise anyone who can reach the
      // endpoint could replace the HMAC key.
      if (token === undefined) {
        this.#deps.saveToken(delivery.verification_token);
        this.#deps.logger.warn('Notion sent the webhook verification token; it is stored. Run "tracksync secrets get NOTION_WEBHOOK_TOKEN" and paste it into the integration\'s Webhooks tab to activate the subscription');
        return { status: 200, result: 'verification', body: { ok: true } };
      }
      if (signed) return { status: 200, result: 'verification', body: { ok: true } };
      return { status: 401, result: 'bad_signature', body: { error: 'a verification token is already configured; remove NOTION_WEBHOOK_TOKEN to accept a new subscription' } };
    }
    if (token === undefined) return { status: 401, result: 'unsigned', body: { error: 'no verification token yet: the subscription has not been verified' } };
    if (!signature) return { status: 401, result: 'unsigned', body: { error: 'missing X-Notion-Signature' } };
    if (!signed) return { status: 401, result: 'bad_signature', body: { error: 'X-Notion-Signature does not match the body' } };

    if (typeof delivery.id === 'string') {
      if (this.#seen.has(delivery.id)) return { status: 200, result: 'duplicate', body: { ok: true, duplicate: true } };
      this.#seen.set(delivery.id, true);
      if (this.#seen.size > this.#deps.rememberedDeliveries) this.#seen.delete(this.#seen.keys().next().value!);
    }
    const source = this.#sourceOf(delivery);
    if (!source) return { status: 200, result: 'ignored', body: { ok: true, ignored: `${delivery.type ?? 'event'} is not about a data source tracksync polls` } };
    this.#deps.wake(`webhook ${delivery.type ?? 'event'}`, source);
    return { status: 200, result: 'accepted', body: { ok: true, source } };
  }

  /** page.* events name the parent data source; data_source.* and database.* events are about the entity itself. */
  #sourceOf(delivery: Delivery): SourceKey | undefined {
    const parent = delivery.data?.parent;
    const candidates = [parent?.data_source_id, parent?.id, delivery.entity?.type === 'page' ? undefined : delivery.entity?.id];
    for (const id of candidates) {
      if (typeof id !== 'string') continue;
      const source = this.#deps.sourceOf(id);
      if (source) return source;
    }
    return undefined;
  }
}
