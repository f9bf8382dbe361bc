/**
 * What a URL is, decided once: platform, kind (track, playlist, likes...), id, the canonical form, and the Music Tracks
 * property it belongs in. A URL is written only to its own platform's property (the legacy code wrote YouTube URLs into
 * "SoundCloud URL": docs/legacy-bugs.md, bug 10).
 */

export type Platform = 'soundcloud' | 'youtube' | 'spotify' | 'generic';
export type UrlKind = 'track' | 'playlist' | 'likes' | 'profile' | 'short-link' | 'album';
export type UrlProperty = 'soundcloudUrl' | 'youtubeUrl' | 'spotifyUrl' | 'sourceUrl';

export interface ClassifiedUrl {
  readonly platform: Platform;
  readonly kind: UrlKind;
  /** The canonical URL (see normalise* below). */
  readonly url: string;
  /** YouTube video id, Spotify track or playlist id, SoundCloud "user/slug". */
  readonly id: string | null;
  readonly property: UrlProperty;
}

export type Classification =
  { readonly ok: true; readonly value: ClassifiedUrl } | { readonly ok: false; readonly reason: string };

/** URLs longer than Notion accepts are refused rather than cut. */
const MAX_URL_CHARS = 2000;
const SOUNDCLOUD_RESERVED = new Set([
  'discover',
  'search',
  'stream',
  'upload',
  'you',
  'charts',
  'people',
  'pages',
  'terms-of-use',
  'tags',
  'settings',
  'notifications',
  'messages',
  'mobile',
]);
const YOUTUBE_ID = /^[A-Za-z0-9_-]{11}$/;
const SPOTIFY_ID = /^[A-Za-z0-9]{22}$/;

/**
 * SoundCloud URLs compared as the dedup rules say: scheme and host lower-cased (www. and m. are the same site), query
 * and fragment dropped, trailing slash removed; the path keeps its case.
 */
export function normaliseSoundCloudUrl(url: URL): string {
  const path = url.pathname.replace(/\/+$/, '') || '/';
  return `https://soundcloud.com${path}`;
}

export function youtubeWatchUrl(id: string): string {
  return `https://www.youtube.com/watch?v=${id}`;
}

export function spotifyTrackUrl(id: string): string {
  return `https://open.spotify.com/track/${id}`;
}

export function classifyUrl(input: string): Classification {
  const text = input.trim();
  if (text === '') return { ok: false, reason: 'empty' };
  if (text.length > MAX_URL_CHARS) return { ok: false, reason: `longer than ${MAX_URL_CHARS} characters` };
  const spotifyUri = text.match(/^spotify:(track|playlist|album):([A-Za-z0-9]{22})$/);
  if (spotifyUri) return spotify(spotifyUri[1]!, spotifyUri[2]!);
  if (!/^https?:\/\//i.test(text) || !URL.canParse(text))
    return { ok: false, reason: 'not an http(s) URL or a spotify: URI' };
  const url = new URL(text);
  if (url.username || url.password) return { ok: false, reason: 'URLs with credentials are not accepted' };
  const host = url.hostname.toLowerCase().replace(/^(www|m)\./, '');
  const segments = url.pathname.split('/').filter(Boolean);

  if (host === 'on.soundcloud.com') {
    return {
      ok: true,
      value: {
        platform: 'soundcloud',
        kind: 'short-link',
        url: `https://on.soundcloud.com${url.pathname.replace(/\/+$/, '')}`,
        id: null,
        property: 'soundcloudUrl',
      },
    };
  }
  if (host === 'soundcloud.com') {
    const [user, second, third] = segments;
    if (!user || SOUNDCLOUD_RESERVED.has(user.toLowerCase()))
      return { ok: false, reason: 'a SoundCloud page that is not a track, playlist or profile' };
    const canonical = normaliseSoundCloudUrl(url);
    if (!second)
      return {
        ok: true,
        value: { platform: 'soundcloud', kind: 'profile', url: canonical, id: user, property: 'soundcloudUrl' },
      };
    if (second === 'sets' && third)
      return {
        ok: true,
        value: {
          platform: 'soundcloud',
          kind: 'playlist',
          url: canonical,
          id: `${user}/sets/${third}`,
          property: 'soundcloudUrl',
        },
      };
    if (second === 'likes')
      return {
        ok: true,
        value: { platform: 'soundcloud', kind: 'likes', url: canonical, id: user, property: 'soundcloudUrl' },
      };
    if (['tracks', 'albums', 'reposts', 'followers', 'following', 'popular-tracks', 'comments'].includes(second)) {
      return { ok: false, reason: `a SoundCloud "${second}" page, not a track` };
    }
    return {
      ok: true,
      value: {
        platform: 'soundcloud',
        kind: 'track',
        url: canonical,
        id: `${user}/${second}`,
        property: 'soundcloudUrl',
      },
    };
  }
  if (host === 'youtube.com' || host === 'music.youtube.com' || host === 'youtu.be') {
    let id: string | null = null;
    if (host === 'youtu.be') id = segments[0] ?? null;
    else if (segments[0] === 'watch') id = url.searchParams.get('v');
    else if (segments[0] === 'shorts' || segments[0] === 'live' || segments[0] === 'embed') id = segments[1] ?? null;
    if (id && YOUTUBE_ID.test(id))
      return {
        ok: true,
        value: { platform: 'youtube', kind: 'track', url: youtubeWatchUrl(id), id, property: 'youtubeUrl' },
      };
    const list = url.searchParams.get('list');
    if (segments[0] === 'playlist' && list)
      return {
        ok: true,
        value: {
          platform: 'youtube',
          kind: 'playlist',
          url: `https://www.youtube.com/playlist?list=${list}`,
          id: list,
          property: 'youtubeUrl',
        },
      };
    return { ok: false, reason: 'a YouTube page that is not a video or a playlist' };
  }
  if (host === 'open.spotify.com') {
    const parts = segments[0]?.startsWith('intl-') ? segments.slice(1) : segments;
    if (parts[0] && ['track', 'playlist', 'album'].includes(parts[0]) && parts[1] && SPOTIFY_ID.test(parts[1]))
      return spotify(parts[0], parts[1]);
    return { ok: false, reason: 'a Spotify page that is not a track, playlist or album' };
  }
  // Anything else yt-dlp may read: Bandcamp, Mixcloud, a direct audio file.
  url.hash = '';
  return {
    ok: true,
    value: { platform: 'generic', kind: 'track', url: url.toString(), id: null, property: 'sourceUrl' },
  };
}

function spotify(kind: string, id: string): Classification {
  if (kind === 'track')
    return {
      ok: true,
      value: { platform: 'spotify', kind: 'track', url: spotifyTrackUrl(id), id, property: 'spotifyUrl' },
    };
  const value: ClassifiedUrl = {
    platform: 'spotify',
    kind: kind === 'album' ? 'album' : 'playlist',
    url: `https://open.spotify.com/${kind}/${id}`,
    id,
    property: 'spotifyUrl',
  };
  return { ok: true, value };
}

/** A YouTube video id from any YouTube URL form, or null. */
export function youtubeVideoId(url: string): string | null {
  const c = classifyUrl(url);
  return c.ok && c.value.platform === 'youtube' && c.value.kind === 'track' ? c.value.id : null;
}

/** Every http(s) URL and spotify: URI in free text (a task's description), in order, repeats included. */
export function findUrls(text: string): string[] {
  const found = text.match(/https?:\/\/[^\s<>"'`)\]]+|spotify:(?:track|playlist|album):[A-Za-z0-9]{22}/gi) ?? [];
  return found.map((u) => u.replace(/[.,;:!?]+$/, ''));
}

/** The Spotify track id in "Spotify ID" (an id, a URI or a URL) or "Spotify URL". */
export function spotifyTrackId(row: { readonly spotifyId: string; readonly spotifyUrl: string }): string | null {
  for (const value of [row.spotifyId, row.spotifyUrl]) {
    if (/^[A-Za-z0-9]{22}$/.test(value)) return value;
    const classified = classifyUrl(value);
    if (classified.ok && classified.value.platform === 'spotify' && classified.value.kind === 'track')
      return classified.value.id;
  }
  return null;
}
