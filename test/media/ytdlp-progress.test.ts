import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/log.js';
import { YtDlp, parseProgressLine, type DownloadProgress } from '../../src/media/ytdlp.js';
import { startMediaServer } from '../../src/sandbox/media-server.js';
import { downloadText } from '../../src/cli/progress.js';
import { makeClip } from '../helpers/audio.js';
import { tempDir } from '../helpers/tmp.js';

describe("yt-dlp's download progress", () => {
  it('reads the numbers of the progress template, "NA" as unknown', () => {
    expect(parseProgressLine('tracksync-progress  45.0% 1468006 3262236 NA 3250585.6 0')).toEqual({
      percent: 45,
      downloadedBytes: 1468006,
      totalBytes: 3262236,
      bytesPerSecond: 3250585.6,
      etaSeconds: 0,
    });
    expect(parseProgressLine('tracksync-progress   3.1% 102400 NA 3300000 NA NA')).toEqual({
      percent: 3.1,
      downloadedBytes: 102400,
      totalBytes: 3300000,
      bytesPerSecond: null,
      etaSeconds: null,
    });
    expect(parseProgressLine('[download] Destination: x.mp3')).toBeUndefined();
    expect(
      downloadText({
        percent: 45.2,
        downloadedBytes: 1,
        totalBytes: 2,
        bytesPerSecond: 3.1 * 1024 * 1024,
        etaSeconds: 4,
      }),
    ).toBe('45 % 3.1 MiB/s ETA 0:04');
  });

  it('reports the real download live: percent up to 100, bytes up to the file size', async () => {
    const dir = tempDir('tracksync-ytdlp-progress-');
    const media = await startMediaServer({ dir: join(dir, 'served') });
    try {
      const url = await media.addFile('progress.mp3', await makeClip({ seconds: 30 }));
      const size = statSync(join(dir, 'served', 'progress.mp3')).size;
      const env = {
        NOTION_TOKEN: 'ntn_x_123456',
        TRACKS_DB_ID: '27ce73616c2780fbb40efefdd47d6640',
        TRACKSYNC_ALLOW_PRIVATE_HOSTS: new URL(url).host,
      };
      const ytdlp = new YtDlp(loadConfig({ env, cwd: '/' }), silentLogger());
      const reports: DownloadProgress[] = [];
      const target = join(dir, 'out');
      mkdirSync(target);
      await ytdlp.download(url, target, 'generic', { onProgress: (p) => reports.push(p) });
      expect(reports.length).toBeGreaterThan(0);
      const last = reports.at(-1)!;
      expect(last.percent).toBe(100);
      expect(last.downloadedBytes).toBe(size);
      expect(last.totalBytes).toBe(size);
      for (let i = 1; i < reports.length; i += 1)
        expect(reports[i]!.percent).toBeGreaterThanOrEqual(reports[i - 1]!.percent);
    } finally {
      await media.close();
    }
  });
});
