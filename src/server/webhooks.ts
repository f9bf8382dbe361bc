import { verifyWebhookSignature, type BaseWebhookPayload } from '@notionhq/client';
import type { SourceKey } from '../engine/contracts.js';
import type { Logger } from '../log.js';

/**
 * Notion webhook deliveries (docs/notion-contract.md, "Webhooks"). They are signals only: a delivery wakes the poller
 * for its data
 * source and the poller re-reads the pages; nothing in the payload is trusted beyond "look at this data source now".
 */

export interface WebhookDeps {
  readonly logger: Logger;
  /** The verification token (the HMAC key), when known. */
  getToken(): string | undefined;
  /** Keeps the token from the verification request (the secrets file), so later deliveries can be verified. */
  saveToken(token: string): void;
  /**
   * Whether the user opened a window for the verification request (`tracksync webhooks listen`), and whether it may
   * replace a token already stored (`--replace`). Outside a window the verification request is refused.
   */
  verificationWindow(): { readonly open: boolean; readonly replace: boolean };
  /** Closes the window once a token was taken from it: one subscription per window. */
  closeVerificationWindow(): void;
  /** Records a delivery id; false when it was seen within the last day (kept in SQLite, so across restarts). */
  rememberDelivery(id: string): boolean;
  /** Which of our sources a data source or database id belongs to. */
  sourceOf(id: string): SourceKey | undefined;
  wake(reason: string, source: SourceKey): void;
  /** Deliveries older than this (their `timestamp`) are dropped: past the day their ids are remembered for. */
  readonly maxDeliveryAgeMs: number;
  now(): number;
}

/** What the HTTP layer knows of the request besides its body. */
export interface WebhookRequestMeta {
  readonly signature: string | undefined;
  readonly contentType: string | undefined;
  /** Set by browsers on cross-origin POSTs; Notion's servers never send it. */
  readonly origin: string | undefined;
}

export interface WebhookAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  /**
   * For metrics: accepted, duplicate, stale, ignored, verification, no_window, refused, unsigned, bad_signature,
   * bad_request.
   */
  readonly result: string;
}

/** The event fields we read; parsed defensively (one secondary source shows a parent type "data_source_id"). */
type Delivery = Partial<Pick<BaseWebhookPayload, 'id' | 'attempt_number' | 'timestamp'>> & {
  type?: string;
  entity?: { id?: string; type?: string };
  data?: { parent?: { id?: string; type?: string; data_source_id?: string } };
  verification_token?: string;
};

export class WebhookReceiver {
  readonly #deps: WebhookDeps;

  constructor(deps: WebhookDeps) {
    this.#deps = deps;
  }

  async receive(raw: Buffer, request: WebhookRequestMeta): Promise<WebhookAnswer> {
    const { signature } = request;
    let delivery: Delivery;
    try {
      delivery = JSON.parse(raw.toString('utf8')) as Delivery;
      if (delivery === null || typeof delivery !== 'object') throw new Error('not an object');
    } catch {
      return { status: 400, result: 'bad_request', body: { error: 'the body is not a JSON object' } };
    }
    const token = this.#deps.getToken();
    const signed =
      token !== undefined && (await verifyWebhookSignature({ body: raw, signature, verificationToken: token }));

    if (typeof delivery.verification_token === 'string' && delivery.type === undefined)
      return this.#verification(delivery.verification_token, request, token, signed);
    if (token === undefined)
      return {
        status: 401,
        result: 'unsigned',
        body: { error: 'no verification token yet: the subscription has not been verified' },
      };
    if (!signature) return { status: 401, result: 'unsigned', body: { error: 'missing X-Notion-Signature' } };
    if (!signed)
      return { status: 401, result: 'bad_signature', body: { error: 'X-Notion-Signature does not match the body' } };

    const sentAt = typeof delivery.timestamp === 'string' ? Date.parse(delivery.timestamp) : NaN;
    if (Number.isFinite(sentAt) && this.#deps.now() - sentAt > this.#deps.maxDeliveryAgeMs) {
      return {
        status: 200,
        result: 'stale',
        body: { ok: true, ignored: 'the delivery is older than a day (a replay)' },
      };
    }
    if (typeof delivery.id === 'string' && !this.#deps.rememberDelivery(delivery.id))
      return { status: 200, result: 'duplicate', body: { ok: true, duplicate: true } };
    const source = this.#sourceOf(delivery);
    if (!source)
      return {
        status: 200,
        result: 'ignored',
        body: { ok: true, ignored: `${delivery.type ?? 'event'} is not about a data source tracksync polls` },
      };
    this.#deps.wake(`webhook ${delivery.type ?? 'event'}`, source);
    return { status: 200, result: 'accepted', body: { ok: true, source } };
  }

  /**
   * The subscription handshake: Notion POSTs `{"verification_token": ...}`, unsigned. Whoever sends it first would
   * choose the HMAC key, so it is taken only while the user has opened a window for it (`tracksync webhooks listen`),
   * only as JSON and never from a browser (Origin), and a token already stored is replaced only when the window was
   * opened with --replace.
   */
  #verification(
    offered: string,
    request: WebhookRequestMeta,
    token: string | undefined,
    signed: boolean,
  ): WebhookAnswer {
    if (request.origin !== undefined)
      return {
        status: 403,
        result: 'refused',
        body: { error: 'a verification request from a browser (Origin header) is refused' },
      };
    if (!/^application\/json\b/i.test(request.contentType ?? ''))
      return {
        status: 415,
        result: 'refused',
        body: { error: 'the verification request must be sent as application/json' },
      };
    if (token !== undefined && signed) return { status: 200, result: 'verification', body: { ok: true } };
    const window = this.#deps.verificationWindow();
    if (token !== undefined && !(window.open && window.replace)) {
      return {
        status: 401,
        result: 'bad_signature',
        body: {
          error:
            'a verification token is already stored; to accept a new subscription run "tracksync webhooks listen --replace" first',
        },
      };
    }
    if (!window.open) {
      return {
        status: 403,
        result: 'no_window',
        body: {
          error:
            'not expecting a verification request: run "tracksync webhooks listen" on the machine running tracksync, then create the subscription within a few minutes',
        },
      };
    }
    this.#deps.saveToken(offered);
    this.#deps.closeVerificationWindow();
    this.#deps.logger.warn(
      'Notion sent the webhook verification token; it is stored. Run "tracksync secrets get NOTION_WEBHOOK_TOKEN" and paste it into the integration\'s Webhooks tab to activate the subscription',
    );
    return { status: 200, result: 'verification', body: { ok: true } };
  }

  /** page.* events name the parent data source; data_source.* and database.* events are about the entity itself. */
  #sourceOf(delivery: Delivery): SourceKey | undefined {
    const parent = delivery.data?.parent;
    const candidates = [
      parent?.data_source_id,
      parent?.id,
      delivery.entity?.type === 'page' ? undefined : delivery.entity?.id,
    ];
    for (const id of candidates) {
      if (typeof id !== 'string') continue;
      const source = this.#deps.sourceOf(id);
      if (source) return source;
    }
    return undefined;
  }
}
