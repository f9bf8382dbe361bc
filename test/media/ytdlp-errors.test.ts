import { classifyYtDlpError, plainUrl } from '../../src/media/ytdlp.js';

/** yt-dlp's own wording for each failure (its extractors' raise_geo_restricted, DRM and bot-check errors). */
describe('classifyYtDlpError', () => {
  const cases: Array<[string, 'soundcloud' | 'youtube' | 'generic', string, string, string | undefined]> = [
    ['ERROR: [soundcloud] 1234: Unable to download JSON metadata: HTTP Error 404: Not Found', 'soundcloud', 'SOURCE_NOT_FOUND', 'permanent', 'SC_404'],
    ['ERROR: [generic] None: Unable to download webpage: HTTP Error 404: File not found', 'generic', 'SOURCE_NOT_FOUND', 'permanent', undefined],
    ['ERROR: [youtube] abc: Video unavailable. This video has been removed by the uploader', 'youtube', 'SOURCE_NOT_FOUND', 'permanent', undefined],
    ['ERROR: [soundcloud] This video is not available from your location due to geo restriction', 'soundcloud', 'SOURCE_GEO_BLOCKED', 'permanent', 'SC_Geo_Blocked'],
    ['ERROR: [youtube] abc: The uploader has not made this video available in your country', 'youtube', 'SOURCE_GEO_BLOCKED', 'permanent', undefined],
    ['ERROR: [soundcloud] 2363103443: This video is DRM protected', 'soundcloud', 'SOURCE_DRM', 'permanent', undefined],
    ["ERROR: [youtube] abc: Sign in to confirm you're not a bot. Use --cookies-from-browser or --cookies for the authentication.", 'youtube', 'SOURCE_RATE_LIMITED', 'rate_limited', undefined],
    ['ERROR: [generic] None: Unable to download webpage: HTTP Error 429: Too Many Requests', 'generic', 'SOURCE_RATE_LIMITED', 'rate_limited', undefined],
    ['ERROR: [youtube] abc: Private video. Sign in if you\'ve been granted access to this video', 'youtube', 'SOURCE_PRIVATE', 'permanent', undefined],
    ['ERROR: Unsupported URL: https://example.com/page', 'generic', 'SOURCE_UNSUPPORTED', 'permanent', undefined],
    ['ERROR: unable to download video data: <urlopen error [Errno 104] Connection reset by peer>', 'youtube', 'DOWNLOAD_FAILED', 'transient', undefined],
  ];
  it.each(cases)('%s', (stderr, source, code, kind, tag) => {
    const error = classifyYtDlpError(stderr, source);
    expect(error.code).toBe(code);
    expect(error.kind).toBe(kind);
    expect(error.details?.processingTag).toBe(tag);
  });

  it('drops the smuggled data yt-dlp appends to some URLs', () => {
    expect(plainUrl('http://127.0.0.1:8765/track1.mp3#__youtubedl_smuggle=%7B%22force_videoid%22%3A+%22a1%22%7D')).toBe('http://127.0.0.1:8765/track1.mp3');
  });
});
