import { TrackSyncError } from '../errors.js';
import type { NotionGateway, PageResponse } from '../notion/gateway.js';
import { createRow, findByTitle } from '../notion/rows.js';
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
  const find = (): Promise<PageResponse | undefined> => findByTitle(notion, schema, 'name', name);
  const existing = await find();
  if (existing) return existing.id;
  try {
    const { page } = await createRow(notion, schema, {
      key: `playlists:${schema.dataSourceId}:${name}`,
      values: { name, url },
      find,
    });
    return page.id;
  } catch (error) {
    if (error instanceof TrackSyncError && error.code === 'NOTION_BLOCK_LIMIT') return undefined;
    throw error;
  }
}
