import { createHmac } from 'node:crypto';
import { silentLogger } from '../../src/log.js';
import { WebhookReceiver, type WebhookRequestMeta } from '../../src/server/webhooks.js';

// A Notion webhook only wakes the poller for a data source; the receiver is what stands between the internet
// (through the user's tunnel) and that. The signing key is taken only in the window `tracksync webhooks listen`
// opens, deliveries must carry a valid X-Notion-Signature (HMAC-SHA256 of the body, docs/notion-contract.md), and
// replays are dropped.
describe('the webhook receiver (src/server/webhooks.ts)', () => {
  const DAY_MS = 86_400_000;
  const now = Date.parse('2026-03-01T12:00:00Z');
  const world = () => {
    const state = {
      token: undefined as string | undefined,
      window: { open: false, replace: false },
      seen: new Set<string>(),
      woken: [] as string[],
    };
    const receiver = new WebhookReceiver({
      logger: silentLogger(),
      getToken: () => state.token,
      saveToken: (token) => (state.token = token),
      verificationWindow: () => state.window,
      closeVerificationWindow: () => (state.window = { open: false, replace: false }),
      rememberDelivery: (id) => !state.seen.has(id) && Boolean(state.seen.add(id)),
      sourceOf: (id) => (id === 'tracks-ds' ? 'tracks' : undefined),
      wake: (_reason, source) => state.woken.push(source),
      maxDeliveryAgeMs: DAY_MS,
      now: () => now,
    });
    return { state, receiver };
  };
  const json: WebhookRequestMeta = { signature: undefined, contentType: 'application/json', origin: undefined };
  const body = (value: object): Buffer => Buffer.from(JSON.stringify(value));
  // Notion signs with "sha256=" and the hex HMAC-SHA256 of the raw body, keyed by the verification token.
  const signed = (raw: Buffer, token: string): WebhookRequestMeta => ({
    ...json,
    signature: `sha256=${createHmac('sha256', token).update(raw).digest('hex')}`,
  });
  const event = (id: string, timestamp = new Date(now).toISOString()) =>
    body({
      id,
      type: 'page.created',
      timestamp,
      entity: { id: 'p', type: 'page' },
      data: { parent: { id: 'tracks-ds' } },
    });

  it('takes the verification token only in an open window, once, and never from a browser or as another type', async () => {
    const { state, receiver } = world();
    const verification = body({ verification_token: 'secret_first' });
    expect((await receiver.receive(verification, json)).result).toBe('no_window');
    expect(state.token).toBeUndefined();
    state.window = { open: true, replace: false };
    expect((await receiver.receive(verification, { ...json, origin: 'https://evil.example' })).status).toBe(403);
    expect((await receiver.receive(verification, { ...json, contentType: 'text/plain' })).status).toBe(415);
    expect(await receiver.receive(verification, json)).toMatchObject({ status: 200, result: 'verification' });
    expect(state.token).toBe('secret_first');
    expect(state.window.open).toBe(false);
    // A second subscriber cannot replace the key, even in a new window, unless the user asked with --replace.
    state.window = { open: true, replace: false };
    const other = body({ verification_token: 'secret_other' });
    expect((await receiver.receive(other, json)).status).toBe(401);
    state.window = { open: true, replace: true };
    expect((await receiver.receive(other, json)).result).toBe('verification');
    expect(state.token).toBe('secret_other');
  });

  it('wakes the source of a signed event once; refuses unsigned and wrongly signed ones; drops replays', async () => {
    const { state, receiver } = world();
    const early = event('d0');
    expect(await receiver.receive(early, json)).toMatchObject({ status: 401, result: 'unsigned' });
    state.token = 'secret_key';
    const raw = event('d1');
    expect((await receiver.receive(raw, json)).result).toBe('unsigned');
    expect((await receiver.receive(raw, signed(raw, 'secret_wrong'))).result).toBe('bad_signature');
    expect(state.woken).toEqual([]);
    expect(await receiver.receive(raw, signed(raw, 'secret_key'))).toMatchObject({ status: 200, result: 'accepted' });
    expect(state.woken).toEqual(['tracks']);
    // Notion retries a delivery it thinks failed: the same id wakes nothing twice.
    expect((await receiver.receive(raw, signed(raw, 'secret_key'))).result).toBe('duplicate');
    const old = event('d2', new Date(now - DAY_MS - 1).toISOString());
    expect((await receiver.receive(old, signed(old, 'secret_key'))).result).toBe('stale');
    expect(state.woken).toEqual(['tracks']);
  });

  it('ignores events about data sources it does not poll, and answers 400 to a body that is not a JSON object', async () => {
    const { state, receiver } = world();
    state.token = 'secret_key';
    const elsewhere = body({ id: 'd3', type: 'page.created', data: { parent: { id: 'someone-elses-ds' } } });
    expect((await receiver.receive(elsewhere, signed(elsewhere, 'secret_key'))).result).toBe('ignored');
    expect((await receiver.receive(Buffer.from('null'), json)).status).toBe(400);
    expect(state.woken).toEqual([]);
  });
});
