import { TrackSyncError } from '../errors.js';
import { encodeFields, readText } from '../notion/codecs.js';
import type { NotionFilter, NotionGateway, PageResponse } from '../notion/gateway.js';
import type { Schemas } from '../notion/schemas.js';
import type { MediaServices } from './services.js';
import type { ClassifiedUrl } from './urls.js';

/** Playlists as sources: their tracks listed, and their page in Music Playlists (used by tasks, the CLI and the feeds). */

export interface PlaylistEntry {
  readonly title: string;
  readonly artist: string;
  readonly url: string;
}

export interface PlaylistListing {
  readonly name: string;
  readonly entries: readonly PlaylistEntry[];
}

/**
 * The first `maxEntries` tracks of a SoundCloud set (a flat yt-dlp listing, newest-first order kept) or a Spotify
 * playlist (the API): the listing stops there, it does not page through the rest.
 */
export async function listPlaylistEntries(media: MediaServices, playlist: ClassifiedUrl, signal: AbortSignal, maxEntries: number): Promise<PlaylistListing> {
  if (playlist.platform === 'spotify') {
    if (!media.spotify) throw new TrackSyncError('SPOTIFY_UNAUTHORIZED', 'a Spotify playlist needs SPOTIFY_CLIENT_ID, SPOTIFY_CLIENT_SECRET and SPOTIFY_REFRESH_TOKEN (your user token)');
    const result = await media.spotify.playlist(playlist.id!, maxEntries);
    return { name: result.name, entries: result.tracks.map((t) => ({ title: t.name, artist: t.artists.map((a) => a.name).join(', '), url: t.url })) };
  }
  const listing = await media.ytdlp.list(playlist.url, playlist.platform === 'soundcloud' ? 'soundcloud' : 'youtube', { signal, limit: maxEntries });
  return { name: listing.title ?? playlist.url, entries: listing.entries.map((e) => ({ title: e.title, artist: e.uploader ?? '', url: e.url })) };
}

/**
 * The Music Playlists page for a playlist name (found or created), when that database is configured. Undefined, too,
 * when Notion refuses new pages for the workspace's block limit: the tracks are then synced without the link.
 */
export async function ensurePlaylistPage(notion: NotionGateway, schemas: Schemas, name: string, url: string): Promise<string | undefined> {
  const schema = schemas.playlists;
  if (!schema) return undefined;
  const titleProperty = schema.fields.name!;
  const find = async (): Promise<PageResponse | undefined> => {
    const filter = { property: titleProperty.name, title: { equals: name } } as NotionFilter;
    // Exact here: a filter that ignores case must not hand back "Summer" for "SUMMER".
    for await (const page of notion.queryPages(schema.dataSourceId, { filter, sort: 'created_time' })) if (readText(schema, page, 'name') === name) return page;
    return undefined;
  };
  const existing = await find();
  if (existing) return existing.id;
  try {
    const { page } = await notion.createOnce({
      key: `playlists:${schema.dataSourceId}:${name}`,
      parameters: () => ({ parent: { data_source_id: schema.dataSourceId }, properties: encodeFields(schema, { name, url }) as never }),
      find,
    });
    return page.id;
  } catch (error) {
    if (error instanceof TrackSyncError && error.code === 'NOTION_BLOCK_LIMIT') return undefined;
    throw error;
  }
}

