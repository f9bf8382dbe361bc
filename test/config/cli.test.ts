import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { cli } from '../helpers/cli.js';
import { withSandbox } from '../helpers/notion.js';
import { tempDir } from '../helpers/tmp.js';
import { base } from './problems.js';

/** The configuration as a user meets it: the real CLI as a subprocess, its exit code and its words. */
describe('configuration problems through the CLI', async () => {
  const dir = tempDir();
  let n = 0;
  /** A fresh home and state folder per call, so no config file of this machine's user is read. */
  const world = (file?: string): { home: string; env: Record<string, string> } => {
    const home = join(dir, `home-${++n}`);
    mkdirSync(home, { recursive: true });
    const env: Record<string, string> = { ...base, HOME: home, TRACKSYNC_STATE_DIR: join(home, 'state') };
    if (file !== undefined) {
      writeFileSync(join(home, 'config.json'), file);
      env.TRACKSYNC_CONFIG = join(home, 'config.json');
    }
    return { home, env };
  };
  const badCrons = JSON.stringify({
    schedule: { cycleCron: '61 * * * *' },
    feeds: { cron: 'every quarter hour' },
    notifications: { dailySummaryCron: '0 25 * * *' },
  });

  it.each([['run'], ['once']])(
    '`%s` refuses every bad cron expression at once, naming each, with exit 2',
    async (command) => {
      const { env } = world(badCrons);
      const result = await cli([command], env);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain('schedule.cycleCron: is not a valid cron expression');
      expect(result.stderr).toContain('got "61 * * * *"');
      expect(result.stderr).toContain('feeds.cron: is not a valid cron expression');
      expect(result.stderr).toContain('got "every quarter hour"');
      expect(result.stderr).toContain('notifications.dailySummaryCron: is not a valid cron expression');
      expect(result.stderr).toContain('got "0 25 * * *"');
    },
  );

  it('`doctor` reports every bad cron as a FAIL line, still checks the tools, and exits 2', async () => {
    const { env } = world(badCrons);
    const result = await cli(['doctor', '--json'], env);
    expect(result.exitCode).toBe(2);
    const report = JSON.parse(result.stdout) as { checks: Array<{ name: string; status: string; detail: string }> };
    const failures = report.checks
      .filter((c) => c.name === 'configuration' && c.status === 'fail')
      .map((c) => c.detail);
    expect(failures).toHaveLength(3);
    for (const key of ['schedule.cycleCron', 'feeds.cron', 'notifications.dailySummaryCron']) {
      expect(failures.some((f) => f.includes(`${key}: is not a valid cron expression`))).toBe(true);
    }
    expect(report.checks.find((c) => c.name === 'ffmpeg')?.status).toBe('ok');
  });

  it('`doctor` reports a state directory that is a file as a FAIL line with the fix, and still checks the tools', async () => {
    const { home, env } = world();
    const file = join(home, 'state-is-a-file');
    writeFileSync(file, 'not a folder');
    const result = await cli(['doctor', '--json'], { ...env, TRACKSYNC_STATE_DIR: file });
    expect(result.exitCode).toBe(2);
    const report = JSON.parse(result.stdout) as { checks: Array<{ name: string; status: string; detail: string }> };
    expect(report.checks.find((c) => c.name === 'state directory')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining(`the state directory ${file} is a file, not a folder: move it aside`),
    });
    expect(report.checks.find((c) => c.name === 'ffmpeg')?.status).toBe('ok');
  });

  it('names an unknown key and the valid key nearest to it', async () => {
    const { env } = world(JSON.stringify({ schedule: { cron: '* * * * *' }, concurency: { maxItems: 2 } }));
    const result = await cli(['once'], env);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(
      `config file ${env.TRACKSYNC_CONFIG}: unknown key "schedule.cron"; did you mean "schedule.cycleCron"?`,
    );
    expect(result.stderr).toContain('unknown key "concurency"; did you mean "concurrency"?');
  });

  it('names the file, line and column of a JSON syntax error', async () => {
    // A trailing comma after the last key of "claims", on line 3: JSON allows none.
    const { env } = world('{\n  "claims": {\n    "settleMs": 200,\n  }\n}\n');
    const result = await cli(['once'], env);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`config file ${env.TRACKSYNC_CONFIG}: not valid JSON at line 4, column 3`);
  });

  it('names the key, the value and what was expected for a value of the wrong type', async () => {
    const { env } = world(JSON.stringify({ concurrency: { maxItems: '2' }, media: { formats: { wav: 'no' } } }));
    const result = await cli(['once'], env);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(
      'concurrency.maxItems: expected a whole number; got "2" (text: write it without the quotes)',
    );
    expect(result.stderr).toContain('media.formats.wav: expected true or false; got "no"');
  });

  it('finds the config file at the conventional place: $XDG_CONFIG_HOME/tracksync, else ~/.config/tracksync', async () => {
    const settings = JSON.stringify({ concurrency: { maxItems: 0 } });
    const { home, env } = world();
    const inHome = join(home, '.config', 'tracksync', 'config.json');
    mkdirSync(join(inHome, '..'), { recursive: true });
    writeFileSync(inHome, settings);
    const found = await cli(['once'], env);
    expect(found.exitCode).toBe(2);
    expect(found.stderr).toContain(
      `config file ${inHome}: concurrency.maxItems: expected a whole number above 0; got 0`,
    );

    const xdg = join(home, 'xdg');
    const inXdg = join(xdg, 'tracksync', 'config.json');
    mkdirSync(join(inXdg, '..'), { recursive: true });
    writeFileSync(inXdg, settings);
    const viaXdg = await cli(['once'], { ...env, XDG_CONFIG_HOME: xdg });
    expect(viaXdg.exitCode).toBe(2);
    expect(viaXdg.stderr).toContain(`config file ${inXdg}: concurrency.maxItems`);
    expect(viaXdg.stderr).not.toContain(inHome);

    // TRACKSYNC_CONFIG names another file: the conventional one is not read.
    const named = join(home, 'named.json');
    writeFileSync(named, JSON.stringify({ concurrency: { claimBatchSize: 0 } }));
    const viaVariable = await cli(['once'], { ...env, TRACKSYNC_CONFIG: named });
    expect(viaVariable.stderr).toContain(`config file ${named}: concurrency.claimBatchSize`);
    expect(viaVariable.stderr).not.toContain('concurrency.maxItems');
  });

  describe('with a Notion to start against', async () => {
    const sandbox = await withSandbox();
    let blocker: Server | undefined;
    afterAll(() => blocker?.close());

    it('`run` exits 2 when the status server port is in use, naming the setting and the fix', async () => {
      blocker = createServer();
      const port = await new Promise<number>((resolve) =>
        blocker!.listen(0, '127.0.0.1', () => resolve((blocker!.address() as { port: number }).port)),
      );
      const { home } = world();
      const env = {
        ...sandbox.env(),
        HOME: home,
        TRACKSYNC_STATE_DIR: join(home, 'state'),
        TRACKSYNC_HTTP_PORT: String(port),
      };
      const result = await cli(['run'], env);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain(`TRACKSYNC_HTTP_PORT / http.port ${port} is in use by another program`);
      expect(result.stderr).toContain('set TRACKSYNC_HTTP_PORT (or http.port in the config file) to a free port');
      // The daemon let go of its state: the next command on the same folder is not refused as a second daemon.
      const again = await cli(['once'], { ...env, TRACKSYNC_HTTP_PORT: 'off' });
      expect(again.exitCode).toBe(0);
    });
  });
});
