import type { Logger } from '../log.js';
import { encodeFields, readText, type FieldValue } from '../notion/codecs.js';
import { REJECTED_ARTIST_NAMES, type FieldKey } from '../notion/databases.js';
import type { NotionFilter, NotionGateway, PageResponse } from '../notion/gateway.js';
import type { ResolvedSchema } from '../notion/schema.js';

/**
 * Names in "Artist Name" and in the title, split the way people write them: "A, B", "A & B", "A x B", "A feat. B",
 * "A vs. B", and "Title (B Remix)" / "(feat. C)" in the title. Remixers and original artists are all linked
 * (legacy-workflow.md §13 phase 3; the legacy code linked the whole string as one artist).
 */
export function splitArtists(artistName: string, title = ''): string[] {
  const names: string[] = [];
  const add = (raw: string): void => {
    const name = raw.replace(/\s+/g, ' ').trim();
    if (name && !isRejectedArtistName(name) && !names.some((n) => n.toLowerCase() === name.toLowerCase())) names.push(name);
  };
  for (const part of artistName.split(/\s*,\s*|\s+&\s+|\s+x\s+|\s+(?:feat\.?|ft\.?|featuring|vs\.?|with)\s+/i)) add(part);
  for (const match of title.matchAll(/[([]\s*(?:feat\.?|ft\.?|featuring|with)\s+([^)\]]+)[)\]]/gi)) for (const part of match[1]!.split(/\s*,\s*|\s+&\s+/)) add(part);
  for (const match of title.matchAll(/[([]\s*([^()[\]]+?)\s+(?:remix|edit|rework|bootleg|vip|flip|dub)\s*[)\]]/gi)) for (const part of match[1]!.split(/\s*,\s*|\s+&\s+|\s+x\s+/i)) add(part);
  return names;
}

/** notion-schema.md: never an artist named Unknown, VA, a SoundCloud path word, "user-" + 6 digits, or nothing. */
export function isRejectedArtistName(name: string): boolean {
  const n = name.trim().toLowerCase();
  return n === '' || (REJECTED_ARTIST_NAMES as readonly string[]).includes(n) || /^user-\d{6,}$/.test(n);
}

export interface ArtistHints {
  /** Music Artists "Source" (a select): where the track came from. */
  readonly source?: string;
  /** Spotify ids and URLs by artist name, when the track came with Spotify metadata. */
  readonly spotify?: ReadonlyMap<string, { readonly id: string; readonly url: string | null }>;
}

/**
 * Finds or creates artists in Music Artists. One instance per daemon: it remembers what it found, and creations of one
 * name are serialised, so two tracks by the same artist processed at once never create it twice.
 */
export class ArtistDirectory {
  readonly #notion: NotionGateway;
  readonly #logger: Logger;
  readonly #known = new Map<string, Promise<string>>();

  constructor(notion: NotionGateway, logger: Logger) {
    this.#notion = notion;
    this.#logger = logger;
  }

  /** Page ids for every name, creating missing artists. */
  async resolve(schema: ResolvedSchema<'artists'>, names: readonly string[], hints: ArtistHints = {}): Promise<string[]> {
    const ids: string[] = [];
    for (const name of names) {
      const key = `${schema.dataSourceId}/${name.toLowerCase()}`;
      let pending = this.#known.get(key);
      if (!pending) {
        pending = this.#findOrCreate(schema, name, hints);
        this.#known.set(key, pending);
        pending.catch(() => this.#known.delete(key)); // a failure is not remembered
      }
      ids.push(await pending);
    }
    return ids;
  }

  async #find(schema: ResolvedSchema<'artists'>, name: string): Promise<PageResponse | undefined> {
    const property = schema.fields.name!;
    const filter = { property: property.name, title: { contains: name } } as NotionFilter;
    for await (const page of this.#notion.queryPages(schema.dataSourceId, { filter, sort: 'created_time' })) {
      if (readText(schema, page, 'name').toLowerCase() === name.toLowerCase()) return page;
    }
    return undefined;
  }

  async #findOrCreate(schema: ResolvedSchema<'artists'>, name: string, hints: ArtistHints): Promise<string> {
    const existing = await this.#find(schema, name);
    if (existing) return existing.id;
    const spotify = hints.spotify?.get(name);
    const values: Partial<Record<FieldKey<'artists'>, FieldValue>> = { name, lastUsed: new Date().toISOString() };
    const sourceOption = schema.fields.source;
    if (hints.source && sourceOption && sourceOption.options.includes(hints.source)) values.source = hints.source;
    if (spotify) {
      values.spotifyId = spotify.id;
      if (spotify.url) values.spotifyUrl = spotify.url;
    }
    const created = await this.#notion.createPage({ parent: { data_source_id: schema.dataSourceId }, properties: encodeFields(schema, values) as never }, () => this.#find(schema, name));
    this.#logger.info({ artist: name, pageId: created.id }, 'artist created in Music Artists');
    return created.id;
  }
}
