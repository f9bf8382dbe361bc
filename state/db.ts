import Database from 'better-sqlite3';
import {
  accessSync,
  chmodSync,
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  statSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { TrackSyncError } from '../src/errors.js';
import { packageRoot } from '../src/paths.js';

export type Db = Database.Database;

/**
 * Opens (creating if needed) the SQLite file and brings its schema up to date.
 * WAL lets `tracksync status` read while the daemon writes; busy_timeout makes a second connection wait for a
 * write lock instead of failing with SQLITE_BUSY (beets' "database is locked", docs/decisions.md, "Leases, heartbeats,
 * backoff, shutdown").
 * The file is created 0600 before SQLite opens it: SQLite gives its -wal and -shm files the database's mode, so all
 * three are owner-only. A file that is not a database, or cannot be read or written, is a STATE_UNUSABLE error
 * naming the file and the fix; tracksync never deletes it.
 */
export function openDatabase(path: string): Db {
  if (path === ':memory:') return configure(new Database(path));
  prepareStateDir(dirname(path));
  prepareStateFile(path);
  let db: Db | undefined;
  try {
    db = new Database(path);
    configure(db);
  } catch (error) {
    db?.close();
    throw stateFileError(path, error);
  }
  for (const suffix of ['-wal', '-shm']) if (existsSync(`${path}${suffix}`)) restrictMode(`${path}${suffix}`, 0o600);
  return db;
}

function configure(db: Db): Db {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

/**
 * The daemon lock's own small database (daemon/lockfile.ts): a rollback journal (not WAL), no waiting, so a second
 * daemon's BEGIN IMMEDIATE fails at once with SQLITE_BUSY while the first holds it.
 */
export function openLockDatabase(path: string): Db {
  prepareStateDir(dirname(path));
  prepareStateFile(path);
  try {
    const db = new Database(path, { timeout: 0 });
    db.pragma('journal_mode = DELETE');
    return db;
  } catch (error) {
    throw stateFileError(path, error);
  }
}

const MOVE_ASIDE = 'tracksync never deletes it';

/**
 * The state directory: created 0700 (it holds the secrets file, the lock and every item's history), tightened to 0700
 * when found open to others, and refused with a message naming the fix when it is a file or cannot be written.
 */
export function prepareStateDir(dir: string): void {
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new TrackSyncError(
      'STATE_UNUSABLE',
      `the state directory ${dir} is a file, not a folder: move it aside (mv "${dir}" "${dir}.moved") or set TRACKSYNC_STATE_DIR to another folder; ${MOVE_ASIDE}`,
    );
  }
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR' || code === 'EEXIST') {
      throw new TrackSyncError(
        'STATE_UNUSABLE',
        `the state directory ${dir} cannot be created: a part of its path is a file; move that file aside or set TRACKSYNC_STATE_DIR to another folder`,
        { cause: error },
      );
    }
    throw new TrackSyncError(
      'STATE_UNUSABLE',
      `the state directory ${dir} cannot be created (${code ?? (error as Error).message}): make its parent folder writable or set TRACKSYNC_STATE_DIR to another folder`,
      { cause: error },
    );
  }
  restrictMode(dir, 0o700);
  try {
    accessSync(dir, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch (error) {
    throw new TrackSyncError(
      'STATE_UNUSABLE',
      `the state directory ${dir} is read-only for this user: make it writable (chmod u+rwx "${dir}") or set TRACKSYNC_STATE_DIR to a folder tracksync can write`,
      { cause: error },
    );
  }
}

/** Creates the file 0600 (or tightens an existing one), so SQLite never creates it with the umask's 0644. */
function prepareStateFile(path: string): void {
  if (existsSync(path)) {
    if (!statSync(path).isFile())
      throw new TrackSyncError(
        'STATE_UNUSABLE',
        `${path} is not a file (a folder?): move it aside (mv "${path}" "${path}.moved"); ${MOVE_ASIDE}`,
      );
    restrictMode(path, 0o600);
    return;
  }
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw stateFileError(path, error);
  }
}

/** Takes group and other permissions away (only ever tightens; a file owned by someone else is left as it is). */
function restrictMode(path: string, mode: number): void {
  try {
    const current = statSync(path).mode & 0o777;
    if ((current & ~mode) !== 0) chmodSync(path, current & mode);
  } catch {
    // not ours to change: the access checks below say what is wrong, if anything
  }
}

/** What a failure to open the state file means to the user, and the fix. */
function stateFileError(path: string, error: unknown): TrackSyncError {
  const code = String((error as { code?: unknown }).code ?? '');
  const what = (error as Error).message;
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT' || /not a database|malformed/i.test(what)) {
    return new TrackSyncError(
      'STATE_UNUSABLE',
      `${path} is not a readable SQLite database (${what}): move it aside (mv "${path}" "${path}.corrupt") and tracksync starts with a fresh state (it re-reads Notion); ${MOVE_ASIDE}`,
      { cause: error },
    );
  }
  if (
    code.startsWith('SQLITE_READONLY') ||
    code === 'EROFS' ||
    code === 'EACCES' ||
    code === 'EPERM' ||
    code.startsWith('SQLITE_CANTOPEN') ||
    code.startsWith('SQLITE_IOERR')
  ) {
    return new TrackSyncError(
      'STATE_UNUSABLE',
      `${path} cannot be opened for reading and writing (${what}): give this user read and write access (chmod u+rw "${path}"; the folder must be writable too) or set TRACKSYNC_STATE_DIR to another folder`,
      { cause: error },
    );
  }
  return new TrackSyncError(
    'STATE_UNUSABLE',
    `${path} cannot be used as tracksync's state (${what}): move it aside (mv "${path}" "${path}.moved") or set TRACKSYNC_STATE_DIR to another folder; ${MOVE_ASIDE}`,
    { cause: error },
  );
}

/**
 * Applies state/migrations/NNNN_name.sql in order, each in its own transaction; PRAGMA user_version records progress.
 * A file whose first line is `-- tracksync: foreign keys off` rebuilds a table others reference: foreign keys are
 * turned off around its transaction (SQLite ignores that pragma inside one) and `foreign_key_check` must find nothing
 * before it commits (sqlite.org/lang_altertable.html, the twelve steps). `upTo` stops after that version (tests
 * build an older state file with it).
 */
export function migrate(db: Db, options: { upTo?: number } = {}): number {
  const dir = join(packageRoot(), 'state', 'migrations');
  const files = readdirSync(dir)
    .filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f))
    .sort();
  let version = db.pragma('user_version', { simple: true }) as number;
  for (const file of files) {
    const number = Number(file.slice(0, 4));
    if (number <= version || number > (options.upTo ?? Infinity)) continue;
    const sql = readFileSync(join(dir, file), 'utf8');
    const keysOff = sql.startsWith('-- tracksync: foreign keys off\n');
    const keysWereOn = db.pragma('foreign_keys', { simple: true }) === 1;
    if (keysOff) db.pragma('foreign_keys = OFF');
    try {
      db.transaction(() => {
        db.exec(sql);
        if (keysOff) {
          const broken = db.pragma('foreign_key_check') as unknown[];
          if (broken.length > 0) throw new Error(`${file}: ${broken.length} row(s) would break a foreign key`);
        }
        db.pragma(`user_version = ${number}`);
      })();
    } finally {
      if (keysOff && keysWereOn) db.pragma('foreign_keys = ON');
    }
    version = number;
  }
  return version;
}
