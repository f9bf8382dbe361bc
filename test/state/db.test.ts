import Database from 'better-sqlite3';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrate, openDatabase, openLockDatabase, prepareStateDir } from '../../state/db.js';
import { TrackSyncError } from '../../src/errors.js';
import { tempDir } from '../helpers/tmp.js';

// Opening the state file (state/db.ts): modes, pragmas, the schema brought up to date, and clear errors for a state
// the user must fix. (test/state/migrations.test.ts covers what each migration does to the data.)

const dir = tempDir();
let dirs = 0;
const fresh = (): string => join(dir, `state-${++dirs}`);
const mode = (path: string): number => statSync(path).mode & 0o777;
const thrown = (fn: () => unknown): TrackSyncError => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(TrackSyncError);
    return error as TrackSyncError;
  }
  throw new Error('expected an error');
};

describe('openDatabase', () => {
  it('creates the state folder 0700 and the file 0600, with WAL, foreign keys and a wait for a busy writer', () => {
    // The state holds every item's history and sits beside the secrets; WAL lets `tracksync status` read while the
    // daemon writes; busy_timeout makes a second connection wait instead of failing with "database is locked".
    const stateDir = join(fresh(), 'nested');
    const file = join(stateDir, 'tracksync.sqlite');
    const db = openDatabase(file);
    try {
      expect(mode(stateDir)).toBe(0o700);
      expect(mode(file)).toBe(0o600);
      expect(mode(`${file}-wal`)).toBe(0o600);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    } finally {
      db.close();
    }
  });

  it('tightens a state folder and file that are open to others', () => {
    // A state made by an older version or copied with the umask's modes must not stay world-readable.
    const stateDir = fresh();
    mkdirSync(stateDir, { mode: 0o755 });
    chmodSync(stateDir, 0o755);
    const file = join(stateDir, 'tracksync.sqlite');
    openDatabase(file).close();
    chmodSync(file, 0o644);
    openDatabase(file).close();
    expect(mode(stateDir)).toBe(0o700);
    expect(mode(file)).toBe(0o600);
  });

  it('brings the schema to the newest version once, and keeps the data on reopening', () => {
    // Every start opens the file again: migrations must run once, never twice over the data.
    const file = join(fresh(), 'tracksync.sqlite');
    const db = openDatabase(file);
    const version = db.pragma('user_version', { simple: true }) as number;
    db.prepare("INSERT INTO meta (key, value) VALUES ('machine', 'mac-1')").run();
    db.close();
    const again = openDatabase(file);
    try {
      expect(version).toBeGreaterThanOrEqual(11);
      expect(again.pragma('user_version', { simple: true })).toBe(version);
      expect(migrate(again)).toBe(version);
      expect(again.prepare("SELECT value FROM meta WHERE key = 'machine'").get()).toEqual({ value: 'mac-1' });
    } finally {
      again.close();
    }
  });

  it('a file that is not a database: STATE_UNUSABLE naming the file and the fix, the file left as it was', () => {
    // tracksync never deletes the user's state; the message says how to move it aside and start afresh.
    const stateDir = fresh();
    mkdirSync(stateDir);
    const file = join(stateDir, 'tracksync.sqlite');
    const garbage = 'not a database\n'.repeat(100);
    writeFileSync(file, garbage);
    const error = thrown(() => openDatabase(file));
    expect(error.code).toBe('STATE_UNUSABLE');
    expect(error.message).toContain(`${file} is not a readable SQLite database`);
    expect(error.message).toContain(`mv "${file}" "${file}.corrupt"`);
    expect(readFileSync(file, 'utf8')).toBe(garbage);
  });

  it('a folder where the file should be, or a file where the folder should be: STATE_UNUSABLE naming it', () => {
    const stateDir = fresh();
    mkdirSync(join(stateDir, 'tracksync.sqlite'), { recursive: true });
    const folder = thrown(() => openDatabase(join(stateDir, 'tracksync.sqlite')));
    expect(folder.code).toBe('STATE_UNUSABLE');
    expect(folder.message).toContain(`${join(stateDir, 'tracksync.sqlite')} is not a file (a folder?)`);

    const notADir = fresh();
    writeFileSync(notADir, 'notes\n');
    const file = thrown(() => prepareStateDir(notADir));
    expect(file.code).toBe('STATE_UNUSABLE');
    expect(file.message).toContain(`the state directory ${notADir} is a file, not a folder`);
    expect(file.message).toContain('TRACKSYNC_STATE_DIR');
    expect(readFileSync(notADir, 'utf8')).toBe('notes\n');
    const below = thrown(() => prepareStateDir(join(notADir, 'state')));
    expect(below.message).toContain('a part of its path is a file');
  });
});

describe('migrate', () => {
  it('stops at the version asked for and goes on from there later', () => {
    // Tests build an older state file this way; a real upgrade then runs only the migrations still missing.
    const file = join(fresh(), 'tracksync.sqlite');
    mkdirSync(join(file, '..'));
    const db = new Database(file); // a bare connection: openDatabase would migrate at once
    try {
      expect(migrate(db, { upTo: 3 })).toBe(3);
      expect(db.pragma('user_version', { simple: true })).toBe(3);
      const tables = (): string[] =>
        (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map(
          (t) => t.name,
        );
      expect(tables()).toContain('library_scans');
      expect(tables()).not.toContain('critical_incidents');
      expect(migrate(db)).toBeGreaterThanOrEqual(11);
      expect(tables()).toContain('critical_incidents');
      expect(tables()).toContain('sync_requests');
    } finally {
      db.close();
    }
  });
});

describe('openLockDatabase', () => {
  it('a second connection cannot take the write lock while the first holds it, and does not wait', () => {
    // The daemon lock (src/engine/lockfile.ts): a second daemon must be refused at once, not block for seconds.
    const file = join(fresh(), 'daemon.lock.sqlite');
    const first = openLockDatabase(file);
    const second = openLockDatabase(file);
    try {
      expect(mode(file)).toBe(0o600);
      expect(first.pragma('journal_mode', { simple: true })).toBe('delete');
      expect(second.pragma('busy_timeout', { simple: true })).toBe(0);
      first.exec('BEGIN IMMEDIATE');
      expect(() => second.exec('BEGIN IMMEDIATE')).toThrow(expect.objectContaining({ code: 'SQLITE_BUSY' }));
      first.exec('COMMIT');
      second.exec('BEGIN IMMEDIATE');
      second.exec('COMMIT');
    } finally {
      first.close();
      second.close();
    }
  });
});
