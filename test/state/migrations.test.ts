import Database from 'better-sqlite3';
import { join } from 'node:path';
import { migrate } from '../../state/db.js';
import { Store } from '../../state/store.js';
import { tempDir } from '../helpers/tmp.js';

/** A state file as version 10 left it: one synced track with its history, an Eagle import and a link lookup waiting. */
function stateAtVersion10(path: string): void {
  const db = new Database(path);
  db.pragma('foreign_keys = ON');
  expect(migrate(db, { upTo: 10 })).toBe(10);
  db.prepare(
    `INSERT INTO items (id, source, page_id, data_source_id, handler, title, state, attempts, input_hash, outcome, created_at, updated_at)
     VALUES (7, 'tracks', 'page-a', 'ds-1', 'music-track', 'Bird - One', 'done', 1, 'h1', 'synced', 1000, 2000)`,
  ).run();
  db.prepare(
    `INSERT INTO checkpoints (item_id, stage, input_hash, output_json, finished_at) VALUES (7, 'download', 'g1:x', '{"path":"/tmp/a"}', 1500)`,
  ).run();
  db.prepare(
    `INSERT INTO attempts (item_id, attempt, boot_id, started_at, outcome) VALUES (7, 1, 'boot-1', 1000, 'synced')`,
  ).run();
  db.prepare(
    `INSERT INTO eagle_pending (page_id, path, data_json, attempts, last_error, created_at, updated_at)
     VALUES ('page-a', '/music/One.wav', '{"path":"/music/One.wav","name":"Bird - One"}', 3, 'Eagle is not running', 1800, 1900)`,
  ).run();
  db.prepare(
    `INSERT INTO links_pending (page_id, attempts, next_attempt_at, last_error, created_at) VALUES ('page-a', 1, 5000, 'HTTP 429', 2000)`,
  ).run();
  db.close();
}

describe('state migrations (state/migrations, state/db.ts migrate)', () => {
  it('0011 moves the Eagle and link queues onto the items table, keeping every item, checkpoint and attempt', () => {
    const path = join(tempDir(), 'tracksync.sqlite');
    stateAtVersion10(path);
    const store = Store.open(path);
    try {
      expect(store.db.pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(11);
      expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(store.db.pragma('foreign_key_check')).toEqual([]);
      const track = store.items.getItem(7)!;
      expect(track).toMatchObject({
        source: 'tracks',
        page_id: 'page-a',
        state: 'done',
        outcome: 'synced',
        input_json: null,
      });
      expect(store.items.getCheckpoint(7, 'download')?.output_json).toBe('{"path":"/tmp/a"}');
      expect(store.items.listAttempts(7)).toHaveLength(1);

      const eagle = store.items.getItemByPage('eagle-import', 'page-a')!;
      expect(eagle).toMatchObject({ handler: 'eagle-import', state: 'queued', attempts: 0, title: '/music/One.wav' });
      expect(JSON.parse(eagle.input_json!)).toEqual({ path: '/music/One.wav', name: 'Bird - One' });
      const links = store.items.getItemByPage('links', 'page-a')!;
      expect(links).toMatchObject({
        handler: 'links',
        state: 'queued',
        next_attempt_at: 5000,
        last_error_message: 'HTTP 429',
      });
      const tables = store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{
        name: string;
      }>;
      expect(tables.map((t) => t.name)).not.toContain('eagle_pending');
      expect(tables.map((t) => t.name)).not.toContain('links_pending');

      // The rebuilt table still cascades: an item's checkpoints and attempts go with it.
      store.db.prepare('DELETE FROM items WHERE id = 7').run();
      expect(store.items.getCheckpoint(7, 'download')).toBeUndefined();
      expect(store.items.listAttempts(7)).toEqual([]);
    } finally {
      store.close();
    }
  });

  it('queues local work once per queue and page, and queues it again after it finished', () => {
    const store = Store.open(join(tempDir(), 'tracksync.sqlite'));
    try {
      const item = {
        source: 'links',
        pageId: 'page-b',
        handler: 'links',
        title: 'B',
        inputJson: null,
        dueAt: 10,
        now: 10,
      };
      const first = store.items.enqueueLocal(item);
      // Asked again while it waits: the same work, due at the earlier time.
      expect(store.items.enqueueLocal({ ...item, now: 20, dueAt: 20 })).toMatchObject({
        id: first.id,
        generation: first.generation,
        next_attempt_at: 10,
      });
      const [claimed] = store.items.claimNextItems({
        source: 'links',
        owner: 'me',
        bootId: 'b',
        now: 30,
        leaseMs: 1000,
        limit: 5,
      });
      expect(claimed?.id).toBe(first.id);
      // Asked again while it runs: the run stands (its own write-back answers the request).
      expect(store.items.enqueueLocal({ ...item, now: 40, dueAt: 40 }).state).toBe('claimed');
      store.items.finishItem(first.id, 'links', 'local', 50);
      const again = store.items.enqueueLocal({ ...item, now: 60, dueAt: 60 });
      expect(again).toMatchObject({ id: first.id, state: 'queued', attempts: 0, generation: first.generation + 1 });
    } finally {
      store.close();
    }
  });
});
