import { join } from 'node:path';
import type { BudgetState } from '../../state/store.js';
import { Store } from '../../state/store.js';
import { tempDir } from '../helpers/tmp.js';

// What the Notion client keeps between processes (state/notion.ts): create intents (src/notion/creates.ts) and the
// shared rate budget (src/notion/limiter.ts, SharedRateBudget).

const dir = tempDir();
let files = 0;
let store: Store;
beforeEach(() => (store = Store.open(join(dir, `notion-${++files}.sqlite`))));
afterEach(() => store.close());

describe('create intents (NotionState)', () => {
  it('an intent written before a create survives a restart, and once resolved names the page', () => {
    // A create whose answer was lost is looked for, never sent blind again, even by the next process.
    const file = store.db.name;
    store.notion.startCreateIntent('track:https://youtu.be/a', 'marker-1', 1_000);
    store.close();
    store = Store.open(file);
    expect(store.notion.getCreateIntent('track:https://youtu.be/a')).toEqual({
      key: 'track:https://youtu.be/a',
      marker: 'marker-1',
      page_id: null,
      started_at: 1_000,
      updated_at: 1_000,
    });
    store.notion.resolveCreateIntent('track:https://youtu.be/a', 'page-1', 2_000);
    expect(store.notion.getCreateIntent('track:https://youtu.be/a')).toMatchObject({
      page_id: 'page-1',
      started_at: 1_000,
      updated_at: 2_000,
    });
  });

  it('starting an intent again forgets the page it had (that page was deleted) and takes the new marker', () => {
    store.notion.startCreateIntent('k', 'marker-1', 1_000);
    store.notion.resolveCreateIntent('k', 'page-1', 1_500);
    store.notion.startCreateIntent('k', 'marker-2', 3_000);
    expect(store.notion.getCreateIntent('k')).toEqual({
      key: 'k',
      marker: 'marker-2',
      page_id: null,
      started_at: 3_000,
      updated_at: 3_000,
    });
    store.notion.dropCreateIntent('k');
    expect(store.notion.getCreateIntent('k')).toBeUndefined();
  });

  it('a purge forgets old resolved intents only: an unresolved one may still have to be found', () => {
    store.notion.startCreateIntent('old-resolved', 'm1', 1_000);
    store.notion.resolveCreateIntent('old-resolved', 'p1', 1_000);
    store.notion.startCreateIntent('old-unresolved', 'm2', 1_000);
    store.notion.startCreateIntent('new-resolved', 'm3', 1_000);
    store.notion.resolveCreateIntent('new-resolved', 'p3', 9_000);
    expect(store.notion.purgeCreateIntents(5_000)).toBe(1);
    expect(store.notion.getCreateIntent('old-resolved')).toBeUndefined();
    expect(store.notion.getCreateIntent('old-unresolved')).toBeDefined();
    expect(store.notion.getCreateIntent('new-resolved')).toBeDefined();
  });
});

describe('the shared rate budget (NotionState.stepRateBudget, readRateBudgetPause)', () => {
  const take = (s: Store, now: number): number =>
    s.notion.stepRateBudget('token-hash', (state: BudgetState | undefined) => {
      const current = state ?? { tokens: 3, refilledAt: now, pausedUntil: 0, recent: [] };
      return {
        state: { ...current, tokens: current.tokens - 1, recent: [...current.recent, now] },
        result: current.tokens - 1,
      };
    });

  it('two processes on one state file draw from one budget', () => {
    // Notion's limit is per integration, not per process: the daemon and `tracksync sync` must share it.
    const other = Store.open(store.db.name);
    try {
      expect(take(store, 1_000)).toBe(2);
      expect(take(other, 1_001)).toBe(1);
      expect(take(store, 1_002)).toBe(0);
      let seen: BudgetState | undefined;
      other.notion.stepRateBudget('token-hash', (state) => {
        seen = state;
        return { state: state!, result: undefined };
      });
      expect(seen).toEqual({ tokens: 0, refilledAt: 1_000, pausedUntil: 0, recent: [1_000, 1_001, 1_002] });
      // Another token has a budget of its own.
      other.notion.stepRateBudget('other-token', (state) => {
        expect(state).toBeUndefined();
        return { state: { tokens: 1, refilledAt: 0, pausedUntil: 0, recent: [] }, result: undefined };
      });
    } finally {
      other.close();
    }
  });

  it('a pause written by one process holds back the others', () => {
    // A Retry-After one process receives must stop every process using the token.
    const other = Store.open(store.db.name);
    try {
      expect(other.notion.readRateBudgetPause('token-hash')).toBe(0);
      store.notion.stepRateBudget('token-hash', () => ({
        state: { tokens: 3, refilledAt: 1_000, pausedUntil: 61_000, recent: [] },
        result: undefined,
      }));
      expect(other.notion.readRateBudgetPause('token-hash')).toBe(61_000);
    } finally {
      other.close();
    }
  });

  it('a step that throws writes nothing', () => {
    // The read-decide-write is one transaction: a failed decision must not leave a half-updated budget.
    take(store, 1_000);
    expect(() =>
      store.notion.stepRateBudget('token-hash', (state) => {
        store.notion.stepRateBudget('token-hash', () => ({
          state: { ...state!, tokens: 99, pausedUntil: 99 },
          result: undefined,
        }));
        throw new Error('decide failed');
      }),
    ).toThrow('decide failed');
    expect(store.notion.readRateBudgetPause('token-hash')).toBe(0);
    expect(take(store, 2_000)).toBe(1);
  });
});
