import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, waitFor } from '../../helpers/cli.js';
import { FAST } from '../../helpers/daemon.js';
import { withSandbox } from '../../helpers/notion.js';
import { tempDir } from '../../helpers/tmp.js';

// `tracksync run` is what launchd keeps running: the daemon with its status server, whose /metrics counts the
// daemon's own cycles, until Ctrl-C or SIGTERM stops it cleanly with exit 0 and its lock released.
// A second daemon and kill -9: test/cli/daemon-process.test.ts.
describe('tracksync run (the CLI as a subprocess)', async () => {
  const sandbox = await withSandbox();
  const dir = tempDir('tracksync-run-');
  const stateDir = join(dir, 'state');
  const configPath = join(dir, 'config.json');
  writeFileSync(configPath, JSON.stringify(FAST));
  const env = {
    ...sandbox.env(),
    TRACKSYNC_STATE_DIR: stateDir,
    TRACKSYNC_CONFIG: configPath,
    TRACKSYNC_HTTP_PORT: '0',
  };

  it('serves the status page with metrics of its cycles, and stops on Ctrl-C with exit 0, lock released', async () => {
    const run = cli(['run'], env);
    let log = '';
    run.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    await waitFor(() => log.includes('"msg":"cycle done"'), 'the first cycle', 60_000);
    const started = log
      .split('\n')
      .filter((line) => line.includes('"msg":"tracksync daemon started"'))
      .map((line) => JSON.parse(line) as { statusPage: string; stateDir: string });
    expect(started).toHaveLength(1);
    expect(started[0]!.stateDir).toBe(stateDir);
    const url = started[0]!.statusPage;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
    expect(existsSync(join(stateDir, 'daemon.pid'))).toBe(true);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    // The metrics are attached to this daemon's events: its first cycle is counted.
    expect(Number(/^tracksync_cycles_total (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);

    run.kill('SIGINT');
    const result = await run;
    expect(result.exitCode, log).toBe(0);
    expect(existsSync(join(stateDir, 'daemon.pid'))).toBe(false);
    // The status server went with it.
    await expect(fetch(`${url}/metrics`)).rejects.toThrow();
  }, 120_000);
});
