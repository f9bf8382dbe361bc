import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { trackRow } from '../../src/pipeline/context.js';
import { downloadAudio, sha256File } from '../../src/pipeline/download.js';
import type { ResolvedSource } from '../../src/pipeline/resolve.js';
import { startMediaServer } from '../../src/sandbox/media-server.js';
import { makeClip } from '../helpers/audio.js';
import { stageDeps } from '../helpers/pipeline.js';
import { tempDir } from '../helpers/tmp.js';

// The real yt-dlp downloads from the local media site over HTTP: the file that arrives is checked before anything is
// converted, and a 30-second preview of a longer track is refused rather than synced as the track.
describe('downloading the audio', async () => {
  const dir = tempDir('tracksync-download-');
  const media = await startMediaServer({ dir: join(dir, 'served') });
  afterAll(() => media.close());
  // 127.0.0.1 is refused unless allowed (src/net/hosts.ts): only the media server's port is.
  const deps = stageDeps(dir, { env: { TRACKSYNC_ALLOW_PRIVATE_HOSTS: media.hostPort } });
  const row = (fields: Record<string, unknown> = {}) =>
    trackRow({ page: { id: 'page-1' }, fields } as unknown as Parameters<typeof trackRow>[0]);
  const source = (url: string): ResolvedSource => ({ url, kind: 'generic', label: 'Source URL', from: 'sourceUrl' });
  const resolution = (url: string) => ({ source: source(url), spotify: null, search: null, notes: [] });

  it('downloads the file whole, with its hash and what ffprobe says of it', async () => {
    const bytes = await makeClip({ seconds: 8, format: 'mp3' });
    const url = await media.addFile('golden-hour.mp3', bytes);
    const result = await downloadAudio(deps, row(), resolution(url));
    expect(result.bytes).toBe(bytes.length);
    expect(result.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(await sha256File(result.path)).toBe(result.sha256);
    expect(result.probe).toMatchObject({ hasAudio: true, codec: 'mp3' });
    expect(result).toMatchObject({ source: source(url), fallbackFrom: null, notes: [] });
  });

  it('refuses a preview of a longer track, and keeps no partial file of a failed download', async () => {
    const preview = await media.addFile('preview.mp3', await makeClip({ seconds: 30, format: 'mp3' }));
    const error = await downloadAudio(deps, row({ durationSeconds: 200 }), resolution(preview)).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'SOURCE_PREVIEW_ONLY' });
    const missing = await media.addFile('gone.mp3', await makeClip({ seconds: 2, format: 'mp3' }));
    media.setStatus(new URL(missing).pathname, 404);
    await expect(downloadAudio(deps, row(), resolution(missing))).rejects.toMatchObject({ code: 'SOURCE_NOT_FOUND' });
    expect(existsSync(join(deps.workDir, 'download'))).toBe(false);
  });
});
