import Database from 'better-sqlite3';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { packageRoot } from '../src/paths.js';

export type Db = Database.Database;

/**
 * Opens (creating if needed) the SQLite file and brings its schema up to date.
 * WAL lets `tracksync status` read while the daemon writes; busy_timeout makes a second connection wait for a
 * write lock instead of failing with SQLITE_BUSY (beets' "database is locked", anchors.md A.3).
 */
export function openDatabase(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

/** Applies state/migrations/NNNN_name.sql in order, each in its own transaction; PRAGMA user_version records progress. */
export function migrate(db: Db): number {
  const dir = join(packageRoot(), 'state', 'migrations');
  const files = readdirSync(dir)
    .filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f))
    .sort();
  let version = db.pragma('user_version', { simple: true }) as number;
  for (const file of files) {
    const number = Number(file.slice(0, 4));
    if (number <= version) continue;
    const sql = readFileSync(join(dir, file), 'utf8');
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${number}`);
    })();
    version = number;
  }
  return version;
}
