import { classifyUrl, findUrls, youtubeVideoId } from '../../src/domain/urls.js';

const ok = (url: string) => {
  const c = classifyUrl(url);
  if (!c.ok) throw new Error(`${url}: ${c.reason}`);
  return c.value;
};

describe('classifyUrl', () => {
  it.each([
    [
      'https://soundcloud.com/Artist-Name/My-Track?si=abc&utm_source=x#t=0:30',
      'soundcloud',
      'track',
      'https://soundcloud.com/Artist-Name/My-Track',
      'soundcloudUrl',
    ],
    [
      'http://m.soundcloud.com/artist/track/',
      'soundcloud',
      'track',
      'https://soundcloud.com/artist/track',
      'soundcloudUrl',
    ],
    [
      'https://WWW.SoundCloud.com/artist/sets/summer',
      'soundcloud',
      'playlist',
      'https://soundcloud.com/artist/sets/summer',
      'soundcloudUrl',
    ],
    [
      'https://soundcloud.com/dj-profile/likes',
      'soundcloud',
      'likes',
      'https://soundcloud.com/dj-profile/likes',
      'soundcloudUrl',
    ],
    [
      'https://on.soundcloud.com/AbCdEf',
      'soundcloud',
      'short-link',
      'https://on.soundcloud.com/AbCdEf',
      'soundcloudUrl',
    ],
    [
      'https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42',
      'youtube',
      'track',
      'https://www.youtube.com/watch?v=dQw4w9WgXcQ',
      'youtubeUrl',
    ],
    [
      'https://youtu.be/dQw4w9WgXcQ?si=x',
      'youtube',
      'track',
      'https://www.youtube.com/watch?v=dQw4w9WgXcQ',
      'youtubeUrl',
    ],
    [
      'https://music.youtube.com/watch?v=dQw4w9WgXcQ&list=RD',
      'youtube',
      'track',
      'https://www.youtube.com/watch?v=dQw4w9WgXcQ',
      'youtubeUrl',
    ],
    [
      'https://open.spotify.com/intl-de/track/4uLU6hMCjMI75M1A2tKUQC?si=1',
      'spotify',
      'track',
      'https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC',
      'spotifyUrl',
    ],
    [
      'spotify:track:4uLU6hMCjMI75M1A2tKUQC',
      'spotify',
      'track',
      'https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC',
      'spotifyUrl',
    ],
    [
      'https://open.spotify.com/playlist/37i9dQZF1DXcBWIGoYBM5M',
      'spotify',
      'playlist',
      'https://open.spotify.com/playlist/37i9dQZF1DXcBWIGoYBM5M',
      'spotifyUrl',
    ],
    [
      'https://artist.bandcamp.com/track/song#lyrics',
      'generic',
      'track',
      'https://artist.bandcamp.com/track/song',
      'sourceUrl',
    ],
    ['http://127.0.0.1:8080/audio/a.mp3', 'generic', 'track', 'http://127.0.0.1:8080/audio/a.mp3', 'sourceUrl'],
  ])('%s', (url, platform, kind, canonical, property) => {
    expect(ok(url)).toMatchObject({ platform, kind, url: canonical, property });
  });

  it.each([
    ['', 'empty'],
    ['not a url', 'not an http(s) URL'],
    ['ftp://example.com/a.mp3', 'not an http(s) URL'],
    ['https://soundcloud.com/discover', 'not a track'],
    ['https://soundcloud.com/artist/tracks', 'not a track'],
    ['https://www.youtube.com/feed/trending', 'not a video'],
    ['https://user:pass@example.com/a.mp3', 'credentials'],
    [`https://example.com/${'a'.repeat(2100)}`, 'longer than 2000'],
  ])('refuses %s', (url, reason) => {
    const c = classifyUrl(url);
    expect(c.ok).toBe(false);
    if (!c.ok) expect(c.reason).toContain(reason);
  });

  it('finds every URL in free text, in order, without trailing punctuation', () => {
    const text =
      'Sync these: https://soundcloud.com/a/b, and https://youtu.be/dQw4w9WgXcQ. Also spotify:track:4uLU6hMCjMI75M1A2tKUQC and https://soundcloud.com/a/b again.';
    expect(findUrls(text)).toEqual([
      'https://soundcloud.com/a/b',
      'https://youtu.be/dQw4w9WgXcQ',
      'spotify:track:4uLU6hMCjMI75M1A2tKUQC',
      'https://soundcloud.com/a/b',
    ]);
    expect(youtubeVideoId('https://youtu.be/dQw4w9WgXcQ')).toBe('dQw4w9WgXcQ');
  });
});
