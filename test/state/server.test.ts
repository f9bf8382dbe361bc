import { join } from 'node:path';
import { Store } from '../../state/store.js';
import { tempDir } from '../helpers/tmp.js';

// The status server's memory (state/server.ts): webhook deliveries already acted on and one-time login codes
// (src/server/http.ts, src/cli/commands/status.ts).

const dir = tempDir();
let files = 0;
let store: Store;
beforeEach(() => (store = Store.open(join(dir, `server-${++files}.sqlite`))));
afterEach(() => store.close());

const DAY = 86_400_000;

describe('webhook deliveries (ServerState.rememberDelivery)', () => {
  it('a delivery is acted on once: a retry or replay of the same id is refused, even after a restart', () => {
    // Notion retries a delivery for about a day; a replayed signed request must not trigger a second cycle.
    const file = store.db.name;
    expect(store.server.rememberDelivery('d-1', 1_000, 1_000 - DAY)).toBe(true);
    expect(store.server.rememberDelivery('d-1', 2_000, 2_000 - DAY)).toBe(false);
    store.close();
    store = Store.open(file);
    expect(store.server.rememberDelivery('d-1', 3_000, 3_000 - DAY)).toBe(false);
    expect(store.server.rememberDelivery('d-2', 3_000, 3_000 - DAY)).toBe(true);
  });

  it('forgets deliveries older than the window, so the table does not grow for ever', () => {
    expect(store.server.rememberDelivery('d-1', 1_000, 1_000 - DAY)).toBe(true);
    const later = 1_000 + DAY + 1;
    expect(store.server.rememberDelivery('d-2', later, later - DAY)).toBe(true);
    expect(store.db.prepare('SELECT id FROM webhook_deliveries').all()).toEqual([{ id: 'd-2' }]);
  });
});

describe('login codes (ServerState.addLoginCode, useLoginCode)', () => {
  it('a login code works once, and only until it expires', () => {
    // A login link printed by `tracksync status` must not be reusable from a browser history or a shared screen.
    store.server.addLoginCode('hash-1', 10_000, 1_000);
    store.server.addLoginCode('hash-2', 10_000, 1_000);
    expect(store.server.useLoginCode('hash-1', 10_000)).toBe(true);
    expect(store.server.useLoginCode('hash-1', 10_000)).toBe(false);
    expect(store.server.useLoginCode('hash-2', 10_001)).toBe(false);
    expect(store.server.useLoginCode('unknown', 1_000)).toBe(false);
  });

  it('expired codes are removed when a new one is added', () => {
    store.server.addLoginCode('old', 5_000, 1_000);
    store.server.addLoginCode('new', 20_000, 6_000);
    expect(store.db.prepare('SELECT code_hash FROM login_codes').all()).toEqual([{ code_hash: 'new' }]);
  });
});
