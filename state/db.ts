import type BetterSqlite3 from 'better-sqlite3';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { packageRoot } from '../src/paths.js';

export type Db = BetterSqlite3.Database;

/**
 * better-sqlite3, the major that works on the running Node (same API in both):
 * - 12.x on Node 20: 13.x needs N-API 10 and segfaults on `new Database()` there (media-notes.md §7);
 * - 13.x on Node 22 and later: 12.x's Statement destructor runs after Node 24 has torn its environment down and aborts
 *   the process at exit ("Assertion failed: (env) != nullptr"; WiseLibs/better-sqlite3#1515, closed without a fix),
 *   which CI saw on Node 24; 13.x also needs no compiler (its prebuilds ship in the package).
 * Both are installed (13.x under the alias better-sqlite3-v13); this is the only place that chooses.
 */
const nodeMajor = Number(process.versions.node.split('.')[0]);
const Database = createRequire(import.meta.url)(nodeMajor >= 22 ? 'better-sqlite3-v13' : 'better-sqlite3') as typeof BetterSqlite3;

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
