import { TrackSyncError } from '../errors.js';
import type { Logger } from '../log.js';
import { readText, type FieldValue } from '../notion/codecs.js';
import { REJECTED_ARTIST_NAMES, type FieldKey } from '../notion/databases.js';
import type { NotionGateway, PageResponse } from '../notion/gateway.js';
import { createRow, editedSince, findFirst, propertyFilter } from '../notion/rows.js';
import type { ResolvedSchema } from '../notion/schema.js';

/**
 * Names in "Artist Name" and in the title, split the way people write them: "A, B", "A & B", "A x B", "A feat. B",
 * "A vs. B", and "Title (B Remix)" / "(feat. C)" in the title. Remixers and original artists are all linked
 * (docs/legacy-bugs.md, "The intended next version"; the legacy code linked the whole string as one artist).
 */
export function splitArtists(artistName: string, title = ''): string[] {
  const names: string[] = [];
  const add = (raw: string): void => {
    const name = raw.replace(/\s+/g, ' ').trim();
    if (name && !isRejectedArtistName(name) && !names.some((n) => n.toLowerCase() === name.toLowerCase()))
      names.push(name);
  };
  for (const part of artistName.split(/\s*,\s*|\s+&\s+|\s+x\s+|\s+(?:feat\.?|ft\.?|featuring|vs\.?|with)\s+/i))
    add(part);
  for (const match of title.matchAll(/[([]\s*(?:feat\.?|ft\.?|featuring|with)\s+([^)\]]+)[)\]]/gi))
    for (const part of match[1]!.split(/\s*,\s*|\s+&\s+/)) add(part);
  for (const match of title.matchAll(/[([]\s*([^()[\]]+?)\s+(?:remix|edit|rework|bootleg|vip|flip|dub)\s*[)\]]/gi))
    for (const part of match[1]!.split(/\s*,\s*|\s+&\s+|\s+x\s+/i)) add(part);
  return names;
}

/**
 * docs/notion-contract.md: never an artist named Unknown, VA, a SoundCloud path word, "user-" + 6 digits, or nothing.
 */
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
 *
 * Names match without case ("deadmau5" is "Deadmau5"), but whether Notion's `title contains` ignores case is not
 * documented. So a name is first looked for with `contains` (enough when the case matches, or when Notion ignores it),
 * and before an artist is created the whole directory is read once (title only, a few requests for thousands of
 * artists), then kept up to date by reading only what changed since; the decision is made here, without case.
 */
export class ArtistDirectory {
  readonly #notion: NotionGateway;
  readonly #logger: Logger;
  readonly #known = new Map<string, Promise<string | undefined>>();
  /** Every artist by folded name, per data source, with the newest last_edited_time read (Notion's clock, not ours). */
  readonly #index = new Map<
    string,
    { byName: Map<string, string>; nameOf: Map<string, string>; newest: string | undefined }
  >();

  constructor(notion: NotionGateway, logger: Logger) {
    this.#notion = notion;
    this.#logger = logger;
  }

  /** Page ids for every name, creating missing artists (none is created past the workspace's block limit). */
  async resolve(
    schema: ResolvedSchema<'artists'>,
    names: readonly string[],
    hints: ArtistHints = {},
  ): Promise<string[]> {
    const ids: string[] = [];
    for (const name of names) {
      const key = `${schema.dataSourceId}/${fold(name)}`;
      let pending = this.#known.get(key);
      if (!pending) {
        pending = this.#findOrCreate(schema, name, hints);
        this.#known.set(key, pending);
        // A failure, or an artist not created (block limit), is not remembered.
        pending.then(
          (id) => id === undefined && this.#known.delete(key),
          () => this.#known.delete(key),
        );
      }
      const id = await pending;
      if (id !== undefined) ids.push(id);
    }
    return ids;
  }

  /** The quick look: `contains` narrows, the exact comparison (without case) is ours. */
  #find(schema: ResolvedSchema<'artists'>, name: string): Promise<PageResponse | undefined> {
    const property = schema.fields.name!;
    return findFirst(
      this.#notion,
      schema,
      propertyFilter(property, { contains: name }),
      (page) => fold(readText(schema, page, 'name')) === fold(name),
      { filterProperties: [property.id] },
    );
  }

  /** The sure look: every artist's name, read once, then only the pages edited since (no text filter at all). */
  async #lookUp(schema: ResolvedSchema<'artists'>, name: string): Promise<string | undefined> {
    const property = schema.fields.name!;
    const index = this.#index.get(schema.dataSourceId);
    // The window starts a minute before the newest edit seen: last_edited_time is floored to the minute
    // (developers.notion.com/changelog/last-edited-time-is-now-rounded-to-the-nearest-minute).
    const since = index?.newest ? new Date(Date.parse(index.newest) - 60_000).toISOString() : undefined;
    const byName = index?.byName ?? new Map<string, string>();
    const nameOf = index?.nameOf ?? new Map<string, string>();
    let newest = index?.newest;
    const filter = since ? editedSince(since) : undefined;
    const query = { ...(filter ? { filter } : {}), sort: 'last_edited_time' as const, filterProperties: [property.id] };
    for await (const page of this.#notion.queryPages(schema.dataSourceId, query)) {
      const found = fold(readText(schema, page, 'name'));
      const before = nameOf.get(page.id);
      if (before !== undefined && before !== found && byName.get(before) === page.id) byName.delete(before); // renamed
      nameOf.set(page.id, found);
      if (found && !byName.has(found)) byName.set(found, page.id);
      if (newest === undefined || page.last_edited_time > newest) newest = page.last_edited_time;
    }
    this.#index.set(schema.dataSourceId, { byName, nameOf, newest });
    return byName.get(fold(name));
  }

  async #findOrCreate(
    schema: ResolvedSchema<'artists'>,
    name: string,
    hints: ArtistHints,
  ): Promise<string | undefined> {
    const existing = (await this.#find(schema, name))?.id ?? (await this.#lookUp(schema, name));
    if (existing) return existing;
    const spotify = hints.spotify?.get(name);
    const values: Partial<Record<FieldKey<'artists'>, FieldValue>> = { name, lastUsed: new Date().toISOString() };
    const sourceOption = schema.fields.source;
    if (hints.source && sourceOption && sourceOption.options.includes(hints.source)) values.source = hints.source;
    if (spotify) {
      values.spotifyId = spotify.id;
      if (spotify.url) values.spotifyUrl = spotify.url;
    }
    try {
      // The name is the artist's identity, so it is the marker createOnce looks for after an ambiguous failure.
      const { page, created } = await createRow(this.#notion, schema, {
        key: `artists:${schema.dataSourceId}:${fold(name)}`,
        values,
        find: () => this.#find(schema, name),
      });
      const index = this.#index.get(schema.dataSourceId);
      index?.byName.set(fold(name), page.id);
      index?.nameOf.set(page.id, fold(name));
      if (created) this.#logger.info({ artist: name, pageId: page.id }, 'artist created in Music Artists');
      return page.id;
    } catch (error) {
      if (!(error instanceof TrackSyncError && error.code === 'NOTION_BLOCK_LIMIT')) throw error;
      this.#logger.warn(
        { artist: name },
        'artist not created: the Notion workspace has reached its block limit; the track is linked to the artists that exist',
      );
      return undefined;
    }
  }
}

/** How artist names are compared: NFC, trimmed, whitespace collapsed, without case. */
function fold(name: string): string {
  return name.normalize('NFC').replace(/\s+/g, ' ').trim().toLocaleLowerCase('en-US');
}
