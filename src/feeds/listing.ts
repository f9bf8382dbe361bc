import { TrackSyncError } from '../errors.js';
import type { ClassifiedUrl } from '../domain/urls.js';
import type { YtDlp } from '../media/ytdlp.js';
import type { SpotifyService } from '../services/spotify.js';

/** Playlists as sources: their tracks listed (used by tasks, the CLI and the feeds). */

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
export async function listPlaylistEntries(
  media: { readonly ytdlp: YtDlp; readonly spotify: SpotifyService | undefined },
  playlist: ClassifiedUrl,
  signal: AbortSignal,
  maxEntries: number,
): Promise<PlaylistListing> {
  if (playlist.platform === 'spotify') {
    if (!media.spotify)
      throw new TrackSyncError(
        'SPOTIFY_UNAUTHORIZED',
        'a Spotify playlist needs SPOTIFY_CLIENT_ID, SPOTIFY_CLIENT_SECRET and SPOTIFY_REFRESH_TOKEN (your user token)',
      );
    const result = await media.spotify.playlist(playlist.id!, maxEntries);
    return {
      name: result.name,
      entries: result.tracks.map((t) => ({
        title: t.name,
        artist: t.artists.map((a) => a.name).join(', '),
        url: t.url,
      })),
    };
  }
  const listing = await media.ytdlp.list(playlist.url, playlist.platform === 'soundcloud' ? 'soundcloud' : 'youtube', {
    signal,
    limit: maxEntries,
  });
  return {
    name: listing.title ?? playlist.url,
    entries: listing.entries.map((e) => ({ title: e.title, artist: e.uploader ?? '', url: e.url })),
  };
}
