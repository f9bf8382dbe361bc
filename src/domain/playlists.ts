import { TrackSyncError } from '../errors.js';
import { encodeFields, readText } from '../notion/codecs.js';
import type { NotionFilter, NotionGateway, PageResponse } from '../notion/gateway.js';
import type { Schemas } from '../notion/schemas.js';

/** A playlist's page in Music Playlists (used by tasks, the CLI and the feeds). */

/**
 * The Music Playlists page for a playlist name (found or created), when that database is configured. Undefined, too,
 * when Notion refuses new pages for the workspace's block limit: the tracks are then synced without the link.
 */
export async function ensurePlaylistPage(
  notion: NotionGateway,
  schemas: Schemas,
  name: string,
  url: string,
): Promise<string | undefined> {
  const schema = schemas.playlists;
  if (!schema) return undefined;
  const titleProperty = schema.fields.name!;
  const find = async (): Promise<PageResponse | undefined> => {
    const filter = { property: titleProperty.name, title: { equals: name } } as NotionFilter;
    // Exact here: a filter that ignores case must not hand back "Summer" for "SUMMER".
    for await (const page of notion.queryPages(schema.dataSourceId, { filter, sort: 'created_time' }))
      if (readText(schema, page, 'name') === name) return page;
    return undefined;
  };
  const existing = await find();
  if (existing) return existing.id;
  try {
    const { page } = await notion.createOnce({
      key: `playlists:${schema.dataSourceId}:${name}`,
      parameters: () => ({
        parent: { data_source_id: schema.dataSourceId },
        properties: encodeFields(schema, { name, url }) as never,
      }),
      find,
    });
    return page.id;
  } catch (error) {
    if (error instanceof TrackSyncError && error.code === 'NOTION_BLOCK_LIMIT') return undefined;
    throw error;
  }
}
