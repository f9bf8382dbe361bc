import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli } from '../../helpers/cli.js';
import { FAST } from '../../helpers/daemon.js';
import { withSandbox } from '../../helpers/notion.js';
import { tempDir } from '../../helpers/tmp.js';

// `tracksync feeds` reads the configured feeds now. A person without a feed learns which setting adds one; a feed
// that cannot be read is reported with its reason (the others still run), in the table and in --json, and the command
// still exits 0: the problem is the feed's, shown where the DJ looks. The table of a feed that lists tracks:
// test/cli/progress.test.ts.
describe('tracksync feeds (the CLI as a subprocess)', async () => {
  const sandbox = await withSandbox();
  const dir = tempDir('tracksync-feeds-');
  const config = (name: string, file: object): string => {
    const path = join(dir, `${name}.json`);
    writeFileSync(path, JSON.stringify({ ...FAST, ...file }));
    return path;
  };
  const env = (configPath: string, extra: Record<string, string> = {}) => ({
    ...sandbox.env(),
    TRACKSYNC_STATE_DIR: join(dir, 'state'),
    TRACKSYNC_CONFIG: configPath,
    TRACKSYNC_LOG_DIR: join(dir, 'logs'),
    TRACKSYNC_HTTP_PORT: 'off',
    ...extra,
  });

  it('without a feed, names the settings that add one', async () => {
    const result = await cli(['feeds'], env(config('none', {})));
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('No feed is configured: set SOUNDCLOUD_PROFILE, SPOTIFY_REFRESH_TOKEN');
    const json = await cli(['feeds', '--json'], env(config('none', {})));
    expect(JSON.parse(json.stdout)).toEqual({ feeds: [] });
  }, 60_000);

  it('reports a feed it cannot read with the reason, and exits 0', async () => {
    // A loopback address is refused before any request (tracksync fetches nothing local that Notion text names).
    const path = config('refused', { feeds: { soundcloudLikesUrl: 'http://127.0.0.1:9/likes?q={profile}' } });
    const result = await cli(['feeds', '--json'], env(path, { SOUNDCLOUD_PROFILE: 'feeds-band' }));
    expect(result.exitCode, result.stderr).toBe(0);
    const { feeds } = JSON.parse(result.stdout) as { feeds: Array<Record<string, unknown>> };
    expect(feeds).toEqual([
      expect.objectContaining({
        feed: 'SoundCloud likes of feeds-band',
        listed: 0,
        created: 0,
        error: expect.any(String),
      }),
    ]);
    expect(feeds[0]!.error).toContain('127.0.0.1');
    const table = await cli(['feeds'], env(path, { SOUNDCLOUD_PROFILE: 'feeds-band' }));
    expect(table.exitCode, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/feed\s+listed\s+new rows\s+already known\s+problem/);
    expect(table.stdout).toMatch(/SoundCloud likes of feeds-band\s+0\s+0\s+0\s+\S/);
  }, 60_000);
});
