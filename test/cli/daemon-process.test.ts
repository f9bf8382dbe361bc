import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Store } from '../../state/store.js';
import { decodeProperty } from '../../src/notion/codecs.js';
import { packageRoot } from '../../src/paths.js';
import { cli, readLines, waitFor } from '../helpers/cli.js';
import { text, title, withSandbox } from '../helpers/notion.js';
import { tempDir } from '../helpers/tmp.js';

describe('the tracksync process', async () => {
  const sandbox = await withSandbox();
  const dir = tempDir();
  const configPath = join(dir, 'config.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      handlers: [join(packageRoot(), 'test/fixtures/handlers/logging-track.mjs')],
      claims: { settleMs: 50 },
      shutdown: { graceMs: 300, abortWaitMs: 3000 },
      links: { enabled: false },
    }),
  );
  const log = join(dir, 'handler.log');
  const env = (extra: Record<string, string> = {}) => ({
    ...sandbox.env(),
    TRACKSYNC_STATE_DIR: join(dir, 'state'),
    TRACKSYNC_CONFIG: configPath,
    TEST_HANDLER_LOG: log,
    TRACKSYNC_HTTP_PORT: '0',
    ...extra,
  });
  const field = (id: string, name: string) => decodeProperty(sandbox.workspace.retrievePage(id).properties[name]);
  const track = (name: string) =>
    sandbox.workspace.createPage({
      parent: { data_source_id: sandbox.ids.tracks.dataSourceId },
      properties: { Title: title(name), 'Artist Name': text('A'), 'Source URL': { url: 'http://127.0.0.1/x.wav' } },
    }).id;

  it('exits 2 naming each bad setting, and 2 for an unknown command', async () => {
    const bad = await cli(['once'], { TRACKS_DB_ID: '27ce7361', TRACKSYNC_STATE_DIR: join(dir, 'x') });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('NOTION_TOKEN: is not set');
    expect(bad.stderr).toContain('TRACKS_DB_ID: expected a Notion database id');
    const unknown = await cli(['frobnicate'], {});
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
    const schema = await cli(['once'], { ...env(), TRACKS_DB_ID: '00000000-0000-4000-8000-000000000000' });
    expect(schema.exitCode).toBe(2);
    expect(schema.stderr).toContain('Music Tracks (TRACKS_DB_ID=00000000-0000-4000-8000-000000000000)');
  });

  it('after kill -9 in the middle of an item, a restart finishes it exactly once and leaves no lock', async () => {
    const id = track('CLI: crash me');
    const daemon = cli(['run'], env({ TEST_HANDLER_SLEEP_MS: '60000' }));
    await waitFor(() => readLines(log).some((l) => l.startsWith(`start ${id}`)), 'the handler to start');
    expect(String(field(id, 'Processing Lock'))).toMatch(/^\d+:[^:]+:[0-9a-f]{8}:/);
    daemon.kill('SIGKILL');
    await daemon;

    const again = await cli(['once'], env({ TEST_HANDLER_SLEEP_MS: '0' }));
    expect(again.exitCode).toBe(0);
    expect(field(id, 'Downloaded')).toBe(true);
    expect(field(id, 'Tempo')).toBe(124);
    expect(field(id, 'Processing Lock')).toBe('');
    expect(readLines(log).filter((l) => l.startsWith(`done ${id}`))).toHaveLength(1);
    const store = Store.open(join(dir, 'state', 'tracksync.sqlite'));
    expect(store.items.getItemByPage('tracks', id)).toMatchObject({ state: 'done', attempts: 2 });
    store.close();
  });

  it('refuses a second daemon on the same state directory, and stops on SIGTERM with exit 0, giving the row back', async () => {
    const id = track('CLI: interrupted');
    const daemon = cli(['run'], env({ TEST_HANDLER_SLEEP_MS: '60000' }));
    await waitFor(() => readLines(log).some((l) => l.startsWith(`start ${id}`)), 'the handler to start');
    const second = await cli(['once'], env());
    expect(second.exitCode).toBe(2);
    expect(second.stderr).toMatch(/another tracksync \(pid \d+\) is already running on this state directory/);
    // status names the running daemon and what it is doing, by the row's title.
    const status = await cli(['status'], env());
    expect(status.exitCode).toBe(0);
    expect(status.stdout).toMatch(
      new RegExp(
        `^Daemon: running, pid ${daemon.pid}, since \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d \\((just now|\\d+ s ago)\\)$`,
        'm',
      ),
    );
    expect(status.stdout).toMatch(/In flight \(1\):\n {2}"A - CLI: interrupted": .+, for \d+ s \(attempt 1\)/);
    daemon.kill('SIGTERM');
    const result = await daemon;
    expect(result.exitCode, `${result.signal} ${result.stderr.slice(-3000)}`).toBe(0);
    expect(field(id, 'Processing Lock')).toBe('');
    expect(field(id, 'Downloaded')).toBe(false);
    expect(result.stderr).toContain('item released for shutdown');
    const after = await cli(['status', '--json'], env());
    expect(JSON.parse(after.stdout)).toMatchObject({ daemon: { running: false } });
  });
});
