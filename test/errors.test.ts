import {
  ConfigError,
  KIND_OF_CODE,
  TrackSyncError,
  coerceError,
  isAbortError,
  messageOf,
  rawDetail,
  registerSecrets,
  scrubSecrets,
  toolSummary,
} from '../src/errors.js';

// The scheduler acts only on an error's kind, decided here once from its code; secrets must never reach a message
// that is logged, stored or written to Notion; and a tool's crash must reach a person as one short line.
describe('errors, their kinds and what they may say (src/errors.ts)', () => {
  it('gives each code its one kind, and lets a call site override it', () => {
    expect(new TrackSyncError('DISK_FULL', 'disk full').kind).toBe('transient');
    expect(new TrackSyncError('SOURCE_PRIVATE', 'private').kind).toBe('permanent');
    expect(new TrackSyncError('NOTION_RATE_LIMITED', '429', { retryAfterMs: 2_000 })).toMatchObject({
      kind: 'rate_limited',
      retryAfterMs: 2_000,
    });
    expect(new TrackSyncError('INTERNAL', 'x', { kind: 'permanent' }).kind).toBe('permanent');
    for (const kind of Object.values(KIND_OF_CODE)) expect(['transient', 'rate_limited', 'permanent']).toContain(kind);
  });

  it('classifies anything thrown once: system errors by their code, aborts as ABORTED, the rest as INTERNAL', () => {
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    expect(coerceError(enospc)).toMatchObject({ code: 'DISK_FULL', kind: 'transient', cause: enospc });
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(coerceError(reset).code).toBe('NOTION_NETWORK');
    const abort = Object.assign(new Error('The operation was aborted'), { name: 'AbortError' });
    expect(coerceError(abort)).toMatchObject({ code: 'ABORTED', kind: 'transient' });
    expect(isAbortError({ isCanceled: true })).toBe(true);
    expect(coerceError('a plain string')).toMatchObject({ code: 'INTERNAL', message: 'a plain string' });
    const already = new TrackSyncError('SOURCE_DRM', 'DRM protected');
    expect(coerceError(already)).toBe(already);
    expect(messageOf({ status: 500 })).toBe('{"status":500}');
  });

  it('a ConfigError lists every problem, one per line, under its heading', () => {
    const error = new ConfigError(['notion.token is missing', 'poll.intervalMs must be >= 1000, got 5']);
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.problems).toHaveLength(2);
    expect(error.message).toBe(
      'tracksync cannot start: the configuration has problems:\n' +
        '  - notion.token is missing\n' +
        '  - poll.intervalMs must be >= 1000, got 5',
    );
  });

  it('scrubs a registered secret from messages and details, as is, URL-encoded and inside base64', () => {
    const secret = 'ntn_s3cret+token/with spaces';
    registerSecrets([secret, 'abc']);
    const basic = Buffer.from(`user:${secret}`).toString('base64');
    const error = new TrackSyncError(
      'EAGLE_FAILED',
      `GET /api?token=${encodeURIComponent(secret)} failed; sent ${secret}; Authorization: Basic ${basic}`,
      { details: { url: `http://127.0.0.1:41595/?token=${secret}`, nested: [{ header: basic }] } },
    );
    expect(error.message).not.toContain(secret);
    expect(error.message).not.toContain(encodeURIComponent(secret));
    expect(error.message).toContain('[redacted]');
    expect(JSON.stringify(error.details)).not.toContain(secret);
    expect(JSON.stringify(error.details)).toContain('[redacted]');
    // Shorter than six characters: not scrubbed, or ordinary words ("abc") would vanish from every message.
    expect(scrubSecrets('abc def')).toBe('abc def');
  });

  it('reduces a tool’s output to its last ERROR line, else a traceback to the exception name, else the last line', () => {
    expect(toolSummary('[youtube] abc: Downloading\nERROR: [youtube] abc: Video unavailable\nmore\n', 'yt-dlp')).toBe(
      '[youtube] abc: Video unavailable',
    );
    const traceback = [
      'Traceback (most recent call last):',
      '  File "/usr/lib/yt_dlp/__main__.py", line 17, in <module>',
      '    yt_dlp.main()',
      "KeyError: 'formats'",
    ].join('\n');
    expect(toolSummary(traceback, 'yt-dlp')).toBe('yt-dlp crashed (KeyError)');
    expect(toolSummary('line one\r\nInvalid data found when processing input\n\n', 'ffmpeg')).toBe(
      'Invalid data found when processing input',
    );
    expect(toolSummary(`ERROR: ${'x'.repeat(300)}`, 'yt-dlp')).toHaveLength(160);
  });

  it('finds the raw tool output along the cause chain, for status --verbose', () => {
    const inner = new TrackSyncError('DOWNLOAD_FAILED', 'download failed', { details: { stderrTail: 'HTTP 403' } });
    const outer = new TrackSyncError('INTERNAL', 'the pipeline failed', { cause: inner });
    expect(rawDetail(outer)).toBe('HTTP 403');
    expect(rawDetail(new Error('no details'))).toBeUndefined();
  });
});
