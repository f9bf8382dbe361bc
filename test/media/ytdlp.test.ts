import { classifyYtDlpError, plainUrl } from '../../src/media/ytdlp.js';

/** yt-dlp's own wording for each failure (its extractors' raise_geo_restricted, DRM and bot-check errors). */
describe('classifyYtDlpError', () => {
  const cases: Array<[string, 'soundcloud' | 'youtube' | 'generic', string, string, string | undefined]> = [
    [
      'ERROR: [soundcloud] 1234: Unable to download JSON metadata: HTTP Error 404: Not Found',
      'soundcloud',
      'SOURCE_NOT_FOUND',
      'permanent',
      'SC_404',
    ],
    [
      'ERROR: [generic] None: Unable to download webpage: HTTP Error 404: File not found',
      'generic',
      'SOURCE_NOT_FOUND',
      'permanent',
      undefined,
    ],
    [
      'ERROR: [youtube] abc: Video unavailable. This video has been removed by the uploader',
      'youtube',
      'SOURCE_NOT_FOUND',
      'permanent',
      undefined,
    ],
    [
      'ERROR: [soundcloud] This video is not available from your location due to geo restriction',
      'soundcloud',
      'SOURCE_GEO_BLOCKED',
      'permanent',
      'SC_Geo_Blocked',
    ],
    [
      'ERROR: [youtube] abc: The uploader has not made this video available in your country',
      'youtube',
      'SOURCE_GEO_BLOCKED',
      'permanent',
      undefined,
    ],
    ['ERROR: [soundcloud] 2363103443: This video is DRM protected', 'soundcloud', 'SOURCE_DRM', 'permanent', undefined],
    [
      "ERROR: [youtube] abc: Sign in to confirm you're not a bot. Use --cookies-from-browser or --cookies for the authentication.",
      'youtube',
      'SOURCE_RATE_LIMITED',
      'rate_limited',
      undefined,
    ],
    [
      'ERROR: [generic] None: Unable to download webpage: HTTP Error 429: Too Many Requests',
      'generic',
      'SOURCE_RATE_LIMITED',
      'rate_limited',
      undefined,
    ],
    [
      "ERROR: [youtube] abc: Private video. Sign in if you've been granted access to this video",
      'youtube',
      'SOURCE_PRIVATE',
      'permanent',
      undefined,
    ],
    ['ERROR: Unsupported URL: https://example.com/page', 'generic', 'SOURCE_UNSUPPORTED', 'permanent', undefined],
    [
      'ERROR: unable to download video data: <urlopen error [Errno 104] Connection reset by peer>',
      'youtube',
      'DOWNLOAD_FAILED',
      'transient',
      undefined,
    ],
  ];
  it.each(cases)('%s', (stderr, source, code, kind, tag) => {
    const error = classifyYtDlpError(stderr, source);
    expect(error.code).toBe(code);
    expect(error.kind).toBe(kind);
    expect(error.details?.processingTag).toBe(tag);
  });

  // yt-dlp's words when a host cannot be reached: 2023 releases (urllib: "<urlopen error [Errno ...]>"), current ones
  // (urllib3/requests: NameResolutionError, NewConnectionError), on Linux and on macOS (other errno numbers and texts).
  const network: Array<[string, string, string, RegExp]> = [
    [
      "ERROR: [generic] None: Unable to download webpage: <urlopen error [Errno -2] Name or service not known> (caused by URLError(gaierror(-2, 'Name or service not known')))",
      'https://something.invalid/a.mp3',
      'something.invalid',
      /cannot be found \(DNS\)/,
    ],
    [
      "ERROR: [generic] None: Unable to download webpage: <urlopen error [Errno 8] nodename nor servname provided, or not known> (caused by URLError(gaierror(8, 'nodename nor servname provided, or not known')))",
      'https://gone.example/a',
      'gone.example',
      /DNS/,
    ],
    [
      "ERROR: [generic] Unable to download webpage: HTTPSConnectionPool(host='cdn.example.net', port=443): Max retries exceeded with url: /x (Caused by NameResolutionError(\"<urllib3.connection.HTTPSConnection object at 0x10>: Failed to resolve 'cdn.example.net' ([Errno 8] nodename nor servname provided, or not known)\"))",
      'https://www.example.net/page',
      'cdn.example.net',
      /DNS/,
    ],
    [
      "ERROR: [generic] None: Unable to download webpage: <urlopen error [Errno 111] Connection refused> (caused by URLError(ConnectionRefusedError(111, 'Connection refused')))",
      'http://127.0.0.1:9/a.mp3',
      '127.0.0.1:9',
      /refused the connection/,
    ],
    [
      "ERROR: [generic] Unable to download webpage: HTTPConnectionPool(host='127.0.0.1', port=8123): Max retries exceeded (Caused by NewConnectionError('<urllib3.connection.HTTPConnection object at 0x1>: Failed to establish a new connection: [Errno 61] Connection refused'))",
      'http://127.0.0.1:8123/a',
      '127.0.0.1:8123',
      /refused the connection/,
    ],
    [
      "ERROR: [youtube] abc: Unable to download API page: <urlopen error [Errno 51] Network is unreachable> (caused by URLError(OSError(51, 'Network is unreachable')))",
      'https://www.youtube.com/watch?v=abcdefghijk',
      'www.youtube.com',
      /no route/,
    ],
    [
      'ERROR: [soundcloud] Unable to download JSON metadata: <urlopen error [Errno 65] No route to host>',
      'https://soundcloud.com/a/b',
      'soundcloud.com',
      /no route/,
    ],
    [
      'ERROR: [youtube:search] Unable to download API page: <urlopen error [Errno -3] Temporary failure in name resolution>',
      'ytsearch5:artist title',
      'www.youtube.com',
      /DNS/,
    ],
  ];
  it.each(network)('network: %s', (stderr, target, host, why) => {
    const error = classifyYtDlpError(stderr, 'generic', { target });
    expect(error.code).toBe('NETWORK_UNREACHABLE');
    expect(error.kind).toBe('transient');
    expect(error.message).toMatch(/^network unreachable: /);
    expect(error.message).toContain(host);
    expect(error.message).toMatch(why);
    expect(error.message).not.toMatch(/outdated|update yt-dlp/i);
  });

  it('names the yt-dlp version when an extractor failed, and only then', () => {
    const extractor = classifyYtDlpError(
      'ERROR: [youtube] abc: Unable to extract uploader id; please report this issue on https://github.com/yt-dlp/yt-dlp/issues?q= . Confirm you are on the latest version using yt-dlp -U',
      'youtube',
      { version: '2023.03.04' },
    );
    expect(extractor.code).toBe('DOWNLOAD_FAILED');
    expect(extractor.message).toContain('yt-dlp 2023.03.04');
    expect(extractor.message).toMatch(/extractor/);
    expect(extractor.details?.ytDlpVersion).toBe('2023.03.04');
    const other = classifyYtDlpError(
      'ERROR: unable to download video data: <urlopen error [Errno 104] Connection reset by peer>',
      'youtube',
      { version: '2023.03.04' },
    );
    expect(other.message).not.toContain('2023.03.04');
  });

  it('drops the smuggled data yt-dlp appends to some URLs', () => {
    expect(plainUrl('http://127.0.0.1:8765/track1.mp3#__youtubedl_smuggle=%7B%22force_videoid%22%3A+%22a1%22%7D')).toBe(
      'http://127.0.0.1:8765/track1.mp3',
    );
  });
});
