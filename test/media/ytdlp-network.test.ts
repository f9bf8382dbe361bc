import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { loadConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/log.js';
import { YtDlp } from '../../src/media/ytdlp.js';
import { closedPort } from '../helpers/net.js';
import { tempDir } from '../helpers/tmp.js';

/** The real yt-dlp against hosts that cannot be reached: the failure says so and names the host. */
describe('yt-dlp when a host cannot be reached', () => {
  const dir = tempDir('tracksync-ytdlp-network-');

  it('a closed port on 127.0.0.1 and a name that does not resolve are "network unreachable", naming the host', async () => {
    const port = await closedPort();
    // 127.0.0.1 is refused unless allowed (src/net/hosts.ts): the closed port is allowed, so the connection is tried.
    const env = {
      NOTION_TOKEN: 'ntn_x_123456',
      TRACKS_DB_ID: '27ce73616c2780fbb40efefdd47d6640',
      TRACKSYNC_ALLOW_PRIVATE_HOSTS: `127.0.0.1:${port}`,
    };
    const ytdlp = new YtDlp(loadConfig({ env, cwd: '/' }), silentLogger());
    const cases: Array<[string, string, RegExp]> = [
      [`http://127.0.0.1:${port}/track.mp3`, `127.0.0.1:${port}`, /refused the connection/],
      ['http://something.invalid/track.mp3', 'something.invalid', /cannot be found \(DNS\)/],
    ];
    for (const [i, [url, host, why]] of cases.entries()) {
      const target = join(dir, `case-${i}`);
      mkdirSync(target);
      const download = await ytdlp.download(url, target, 'generic').then(
        () => undefined,
        (error: unknown) => error as { code: string; message: string },
      );
      expect(download?.code, download?.message).toBe('NETWORK_UNREACHABLE');
      expect(download!.message).toMatch(/^network unreachable: /);
      expect(download!.message).toContain(host);
      expect(download!.message).toMatch(why);
      const metadata = await ytdlp.metadata(url, 'generic').then(
        () => undefined,
        (error: unknown) => error as { code: string; message: string },
      );
      expect(metadata).toMatchObject({ code: 'NETWORK_UNREACHABLE', message: expect.stringContaining(host) });
    }
  });
});
