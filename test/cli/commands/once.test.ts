import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli } from '../../helpers/cli.js';
import { FAST } from '../../helpers/daemon.js';
import { text, title, withSandbox } from '../../helpers/notion.js';
import { tempDir } from '../../helpers/tmp.js';

// `tracksync once` is one cycle by hand (and the scripted way to sync: its --json is read by scripts): it reports what
// Notion held and what it processed, exits 0 when the cycle ran, and refuses modes and limits it does not know.
describe('tracksync once (the CLI as a subprocess)', async () => {
  const sandbox = await withSandbox();
  const dir = tempDir('tracksync-once-');
  const configPath = join(dir, 'config.json');
  writeFileSync(configPath, JSON.stringify(FAST));
  const env = (state: string) => ({
    ...sandbox.env(),
    TRACKSYNC_STATE_DIR: join(dir, state),
    TRACKSYNC_CONFIG: configPath,
    TRACKSYNC_LOG_DIR: join(dir, 'logs'),
    TRACKSYNC_HTTP_PORT: 'off',
  });

  it('with nothing to do: says so in a note, prints no table, exits 0; --json gives the cycle summary', async () => {
    const plain = await cli(['once'], env('empty'));
    expect(plain.exitCode, plain.stderr).toBe(0);
    expect(plain.stderr).toMatch(/0 changed row\(s\) in Notion, 0 processed; \d+ Notion request\(s\)/);
    expect(plain.stdout).not.toContain('track');
    const json = await cli(['once', '--json'], env('empty'));
    expect(json.exitCode, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({
      cycle: expect.any(Number),
      polled: 0,
      queued: 0,
      claimed: 0,
      notionRequests: expect.any(Number),
      warnings: [],
      tracks: [],
    });
  }, 60_000);

  it('--mode single processes one row of several, and reports it with the reason it failed', async () => {
    for (const name of ['First', 'Second'])
      sandbox.workspace.createPage({
        parent: { data_source_id: sandbox.ids.tracks.dataSourceId },
        properties: {
          Title: title(name),
          'Artist Name': text('Once Band'),
          // A loopback address is refused before any download (SOURCE_FORBIDDEN): the row fails at once, with why.
          'Source URL': { url: `http://127.0.0.1:9/${name}.mp3` },
        },
      });
    const result = await cli(['once', '--mode', 'single', '--json'], env('single'));
    expect(result.exitCode, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as {
      polled: number;
      claimed: number;
      tracks: Array<{ label: string; succeeded: boolean; reason: string }>;
    };
    expect(report.polled).toBe(2);
    expect(report.claimed).toBe(1);
    expect(report.tracks).toHaveLength(1);
    expect(report.tracks[0]!.label).toMatch(/^Once Band - (First|Second)$/);
    expect(report.tracks[0]).toMatchObject({ succeeded: false, reason: expect.stringContaining('[SOURCE_FORBIDDEN]') });
  }, 120_000);

  it('refuses an unknown mode and a limit that is not a whole number, with exit 2', async () => {
    const mode = await cli(['once', '--mode', 'twice'], env('bad'));
    expect(mode.exitCode).toBe(2);
    expect(mode.stderr).toContain('single, batch, all, reprocess');
    const limit = await cli(['once', '--limit', 'many'], env('bad'));
    expect(limit.exitCode).toBe(2);
    expect(limit.stderr).toContain('--limit');
  });
});
