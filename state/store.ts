import { openDatabase, type Db } from './db.js';
import { ItemQueue } from './items.js';
import { RunLog } from './runs.js';
import { Cursors } from './cursors.js';
import { LibraryIndex } from './library.js';
import { PlaylistExportState } from './playlists.js';
import { Incidents } from './incidents.js';
import { NotionState } from './notion.js';
import { ServerState } from './server.js';
import { LinkCandidates } from './links.js';

export type * from './rows.js';

/**
 * tracksync's state, one SQLite file, split by concern: each part is a class in its own file with the statements it
 * runs, one named method per statement, prepared once. Nothing outside state/ writes SQL (docs/decisions.md, "SQL in
 * one layer"). Handlers never get this: they get `handlerStore` below.
 */
export class Store {
  readonly db: Db;
  /**
   * The work queue: items, their leases and attempts, the stage checkpoints, and the sync requests the CLI hands a
   * running daemon.
   */
  readonly items: ItemQueue;
  /** Boots, cycles (runs) and the Notion request counters: what the status page and the daily summary read. */
  readonly runs: RunLog;
  /** Where polling stands: each database's data source id and each data source's cursor. */
  readonly cursors: Cursors;
  /**
   * The library index: placed and scanned files, their fingerprint keys, the scans, and temp files recorded before they
   * are written.
   */
  readonly library: LibraryIndex;
  /**
   * What the DJ-app playlist export wrote last (per playlist), the stable track ids, and the audio facts of each file.
   */
  readonly playlists: PlaylistExportState;
  /** CRITICAL incidents: one row per kind, opened, seen again and cleared. */
  readonly incidents: Incidents;
  /**
   * What the Notion client keeps between processes: create intents (src/notion/creates.ts) and the shared rate budget
   * (src/notion/limiter.ts).
   */
  readonly notion: NotionState;
  /** The status server's memory: webhook deliveries already seen and one-time login codes. */
  readonly server: ServerState;
  /** Cross-platform link candidates, every match a link lookup scored. */
  readonly links: LinkCandidates;
  readonly #s;

  constructor(db: Db) {
    this.db = db;
    this.items = new ItemQueue(db);
    this.runs = new RunLog(db);
    this.cursors = new Cursors(db);
    this.library = new LibraryIndex(db);
    this.playlists = new PlaylistExportState(db);
    this.incidents = new Incidents(db);
    this.notion = new NotionState(db);
    this.server = new ServerState(db);
    this.links = new LinkCandidates(db);
    this.#s = {
      getMeta: db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
      setMeta: db.prepare(
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      ),
    };
  }

  static open(path: string): Store {
    return new Store(openDatabase(path));
  }

  close(): void {
    this.db.close();
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  getMeta(key: string): string | undefined {
    return this.#s.getMeta.get(key)?.value;
  }

  setMeta(key: string, value: string): void {
    this.#s.setMeta.run(key, value);
  }
}

/** The library index as the pipeline reads and writes it (placed files, lookups by name, page and fingerprint). */
export type LibraryStore = Pick<
  LibraryIndex,
  'getLibraryFile' | 'listLibraryFilesOfPage' | 'findFilesByNames' | 'findFilesByFingerprintKeys' | 'upsertIndexedFile'
>;
/** Temp files recorded before they are written, so a crash leaves nothing behind (engine/leftovers.ts). */
export type PendingFileStore = Pick<LibraryIndex, 'addPendingFile' | 'removePendingFile'>;
/** Link candidates as a link lookup records them. */
export type LinkCandidateStore = Pick<LinkCandidates, 'saveLinkCandidate'>;

/**
 * What a handler may do with the state (docs/architecture.md, "The contracts"): the library, its temp files, the
 * link candidates it scored. Never its own or another item's lease, attempts or checkpoints: the runner keeps those.
 */
export type HandlerStore = LibraryStore & PendingFileStore & LinkCandidateStore;

/** The handler port over a Store: only HandlerStore's methods, bound, so a handler cannot reach the rest. */
export function handlerStore(store: Store): HandlerStore {
  const { library, links } = store;
  return {
    getLibraryFile: (path) => library.getLibraryFile(path),
    listLibraryFilesOfPage: (pageId) => library.listLibraryFilesOfPage(pageId),
    findFilesByNames: (normTitle, normArtist) => library.findFilesByNames(normTitle, normArtist),
    findFilesByFingerprintKeys: (keys, limit) => library.findFilesByFingerprintKeys(keys, limit),
    upsertIndexedFile: (file, fingerprintKeys) => library.upsertIndexedFile(file, fingerprintKeys),
    addPendingFile: (path, itemId, now) => library.addPendingFile(path, itemId, now),
    removePendingFile: (path) => library.removePendingFile(path),
    saveLinkCandidate: (candidate) => links.saveLinkCandidate(candidate),
  };
}
