import { join } from 'node:path';
import type { Clock } from '../clock.js';
import type { Config } from '../config/load.js';
import { TrackSyncError, messageOf } from '../errors.js';
import type { Logger } from '../log.js';
import { coreTitle, normaliseText, similarityOf } from '../domain/scoring.js';

/**
 * Eagle's local API (https://api.eagle.cool, docs/legacy-bugs.md, "Eagle's local API"): `{status, data}` JSON, the
 * token (when set) as
 * `?token=` in the query string. Eagle is optional: on when EAGLE_API_BASE is set or Eagle answers on
 * localhost:41595. Eagle not running is never a track failure: the import waits (eagle_pending) and is retried.
 */

export interface EagleItem {
  readonly id: string;
  readonly name: string;
  readonly ext: string;
  readonly tags: readonly string[];
  readonly folders: readonly string[];
  readonly url: string;
  /** The file inside the library, when the library path is known. */
  readonly path: string | null;
}

export interface TrackTagsForEagle {
  readonly bpm: number | null;
  readonly key: string | null;
  readonly camelot: string | null;
  readonly playlists: readonly string[];
  readonly source: string;
  readonly fingerprint: string | null;
  readonly durationSeconds: number | null;
  readonly artist: string;
}

const DEFAULT_BASE = 'http://localhost:41595';
/** The legacy cache lifetime for the item list (300 s): a match does not re-read 10,000 items per track. */
const ITEM_CACHE_MS = 300_000;
const PAGE_SIZE = 200;
const TIMEOUT_MS = 20_000;

/** Eagle tags for a track: what DJs filter on, and the full fingerprint (the legacy code cut it to 32 hex: GAP-12). */
export function eagleTags(t: TrackTagsForEagle): string[] {
  const tags = [
    ...(t.fingerprint ? [`fingerprint:${t.fingerprint}`] : []),
    ...(t.bpm ? [`BPM${Math.round(t.bpm)}`] : []),
    ...(t.key ? [t.key] : []),
    ...(t.camelot ? [`Camelot ${t.camelot}`] : []),
    ...(t.durationSeconds ? [`duration:${Math.round(t.durationSeconds)}`] : []),
    ...t.playlists.map((p) => p.replace(/[^\p{L}\p{N}\s-]/gu, '').trim()).filter(Boolean),
    t.source,
    ...(t.artist ? [t.artist] : []),
  ];
  return [...new Set(tags)];
}

export class EagleClient {
  readonly #base: string;
  readonly #token: string | undefined;
  readonly #fetch: typeof fetch;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #explicit: boolean;
  #folders = new Map<string, Promise<string>>();
  #items: { at: number; items: EagleItem[] } | undefined;
  #libraryPath: string | null | undefined;

  constructor(options: {
    base: string;
    token?: string;
    fetch: typeof fetch;
    clock: Clock;
    logger: Logger;
    explicit: boolean;
  }) {
    this.#base = options.base.replace(/\/+$/, '');
    this.#token = options.token;
    this.#fetch = options.fetch;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#explicit = options.explicit;
  }

  static fromConfig(config: Config, fetchImpl: typeof fetch, clock: Clock, logger: Logger): EagleClient {
    return new EagleClient({
      base: config.eagle.apiBase ?? DEFAULT_BASE,
      ...(config.eagle.token ? { token: config.eagle.token } : {}),
      fetch: fetchImpl,
      clock,
      logger,
      explicit: config.eagle.apiBase !== undefined,
    });
  }

  /** Set explicitly (EAGLE_API_BASE): a failure to reach it is worth a warning; the default address is just probed. */
  get explicit(): boolean {
    return this.#explicit;
  }

  async #call<T>(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    query: Record<string, string | number> = {},
  ): Promise<T> {
    const result = this.#request<T>(method, path, body, query);
    result.catch((error: unknown) => {
      if (error instanceof TrackSyncError && error.code === 'EAGLE_UNAVAILABLE')
        this.#available = { at: this.#clock.now(), up: false };
    });
    return result;
  }

  async #request<T>(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    query: Record<string, string | number>,
  ): Promise<T> {
    const url = new URL(`${this.#base}${path}`);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, String(v));
    if (this.#token) url.searchParams.set('token', this.#token);
    let response: Response;
    try {
      response = await this.#fetch(url, {
        method,
        ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      throw new TrackSyncError(
        'EAGLE_UNAVAILABLE',
        `Eagle is not answering at ${this.#base} (${messageOf(error)}); is the app running?`,
        { cause: error },
      );
    }
    if (response.status >= 500)
      throw new TrackSyncError('EAGLE_UNAVAILABLE', `Eagle answered HTTP ${response.status} for ${path}`);
    const json = (await response.json().catch(() => ({}))) as { status?: string; data?: T; message?: string };
    if (!response.ok || json.status !== 'success')
      throw new TrackSyncError('EAGLE_FAILED', `Eagle ${path}: ${json.message ?? `HTTP ${response.status}`}`);
    return json.data as T;
  }

  #available: { at: number; up: boolean } | undefined;

  /**
   * Whether Eagle answers. A configured Eagle (EAGLE_API_BASE) is asked each time: it is local and a refused connection
   * is immediate. The default address is asked at most once a minute: most machines have no Eagle, and a track should
   * not pay for the question.
   */
  async available(): Promise<boolean> {
    if (this.#explicit) return this.health();
    if (!this.#available || this.#clock.now() - this.#available.at > 60_000)
      this.#available = { at: this.#clock.now(), up: await this.health() };
    return this.#available.up;
  }

  /** Any answer below 500 counts as up (legacy health rule). */
  async health(): Promise<boolean> {
    try {
      await this.#call('GET', '/api/application/info');
      return true;
    } catch {
      return false;
    }
  }

  async #library(): Promise<string | null> {
    if (this.#libraryPath === undefined) {
      const info = await this.#call<{ library?: { path?: string } }>('GET', '/api/library/info').catch(
        (): { library?: { path?: string } } => ({}),
      );
      this.#libraryPath = info.library?.path ?? null;
    }
    return this.#libraryPath ?? null;
  }

  /**
   * The folder at `path` (e.g. ["Playlists", "Road Trip"]), found or created exactly once: the legacy code created a
   * duplicate folder on every run (GAP-1). Creations are serialised per path.
   */
  folderId(path: readonly string[]): Promise<string> {
    const key = path.join('/');
    let pending = this.#folders.get(key);
    if (!pending) {
      pending = this.#findOrCreateFolder(path);
      this.#folders.set(key, pending);
      pending.catch(() => this.#folders.delete(key));
    }
    return pending;
  }

  async #findOrCreateFolder(path: readonly string[]): Promise<string> {
    type Folder = { id: string; name: string; children?: Folder[] };
    let parent: string | undefined;
    let level = await this.#call<Folder[]>('GET', '/api/folder/list');
    for (const name of path) {
      const found = level.find((f) => f.name === name);
      if (found) {
        parent = found.id;
        level = found.children ?? [];
        continue;
      }
      const created = await this.#call<Folder>('POST', '/api/folder/create', {
        folderName: name,
        ...(parent ? { parent } : {}),
      });
      parent = created.id;
      level = [];
    }
    return parent!;
  }

  /** Adds a file (Eagle copies it into its library) and returns the item id. */
  async import(item: {
    path: string;
    name: string;
    website: string;
    tags: readonly string[];
    folderId: string;
    annotation?: string;
  }): Promise<string> {
    const id = await this.#call<string>('POST', '/api/item/addFromPath', {
      path: item.path,
      name: item.name,
      website: item.website,
      tags: item.tags,
      folderId: item.folderId,
      ...(item.annotation ? { annotation: item.annotation } : {}),
    });
    this.#items = undefined;
    return id;
  }

  /** Adds tags to an item, keeping the ones it has: Eagle's update replaces the list (legacy bug 17 lost them). */
  async mergeTags(id: string, tags: readonly string[]): Promise<void> {
    const info = await this.#call<{ tags?: string[] }>('GET', '/api/item/info', undefined, { id });
    await this.#call('POST', '/api/item/update', { id, tags: [...new Set([...(info.tags ?? []), ...tags])] });
    this.#items = undefined;
  }

  async trash(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.#call('POST', '/api/item/moveToTrash', { itemIds: ids });
    this.#items = undefined;
  }

  /** Every item, page by page (the legacy code asked for 50,000 at once), cached for five minutes. */
  async items(): Promise<EagleItem[]> {
    if (this.#items && this.#clock.now() - this.#items.at < ITEM_CACHE_MS) return this.#items.items;
    const library = await this.#library();
    const items: EagleItem[] = [];
    for (let offset = 0; ; offset += 1) {
      type Raw = { id: string; name: string; ext: string; tags?: string[]; folders?: string[]; url?: string };
      const page = await this.#call<Raw[]>('GET', '/api/item/list', undefined, { limit: PAGE_SIZE, offset });
      for (const raw of page) {
        items.push({
          id: raw.id,
          name: raw.name,
          ext: raw.ext,
          tags: raw.tags ?? [],
          folders: raw.folders ?? [],
          url: raw.url ?? '',
          path: library ? join(library, 'images', `${raw.id}.info`, `${raw.name}.${raw.ext}`) : null,
        });
      }
      if (page.length < PAGE_SIZE) break;
    }
    this.#items = { at: this.#clock.now(), items };
    this.#logger.debug({ items: items.length }, 'eagle items listed');
    return items;
  }

  /**
   * The best item for a track by the legacy weighted score (docs/legacy-bugs.md, "Eagle best match"), if it reaches 70.
   */
  async findTrack(track: {
    title: string;
    artist: string;
    durationSeconds: number | null;
    fingerprint?: string | null;
    bpm?: number | null;
  }): Promise<(EagleItem & { score: number }) | undefined> {
    let best: (EagleItem & { score: number }) | undefined;
    for (const item of await this.items()) {
      const score = weightedScore(track, item);
      if (score >= 70 && (!best || score > best.score)) best = { ...item, score };
    }
    return best;
  }
}

/**
 * docs/legacy-bugs.md, "Eagle best match": fingerprint 100; title x35; artist x25; duration up to 15; BPM up to 10;
 * name stem x5.
 */
export function weightedScore(
  track: {
    title: string;
    artist: string;
    durationSeconds: number | null;
    fingerprint?: string | null;
    bpm?: number | null;
  },
  item: EagleItem,
): number {
  if (track.fingerprint && item.tags.includes(`fingerprint:${track.fingerprint}`)) return 100;
  const name = item.name.includes(' - ') ? item.name.slice(item.name.indexOf(' - ') + 3) : item.name;
  const title = similarityOf(coreTitle(track.title), coreTitle(name)) * 35;
  const artistNorm = normaliseText(track.artist);
  const artistInName = artistNorm !== '' && normaliseText(item.name).includes(artistNorm) ? 0.85 : 0;
  const tagArtist = Math.max(0, ...item.tags.map((t) => similarityOf(artistNorm, normaliseText(t))));
  const artist = Math.max(artistInName, tagArtist > 0.8 ? tagArtist : 0) * 25;
  let score = title + artist;
  const durationTag = item.tags.find((t) => t.startsWith('duration:'));
  if (track.durationSeconds && durationTag) {
    const gap = Math.abs(Number(durationTag.slice('duration:'.length)) - track.durationSeconds);
    score += gap <= 1 ? 15 : gap <= 3 ? 15 * (1 - (gap - 1) / 2) : gap <= 5 ? 4.5 * (1 - (gap - 3) / 2) : 0;
  }
  const bpmTag = item.tags.find((t) => /^BPM\d+$/.test(t));
  if (track.bpm && bpmTag) {
    const gap = Math.abs(Number(bpmTag.slice(3)) - Math.round(track.bpm));
    score += gap === 0 ? 10 : gap === 1 ? 8 : gap === 2 ? 5 : 0;
  }
  score += similarityOf(normaliseText(`${track.artist} ${track.title}`), normaliseText(item.name)) * 5;
  // Without a fingerprint hit the title and the artist must both carry weight (legacy: title >= 30 and artist >= 20).
  if (title < 30 || artist < 20) return 0;
  return Math.round(score * 10) / 10;
}
