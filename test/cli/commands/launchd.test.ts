import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse as parsePlist } from 'plist';
import { packageRoot } from '../../../src/paths.js';
import { storeSecret } from '../../../src/config/secrets.js';
import { cli } from '../../helpers/cli.js';
import { standIn } from '../../helpers/standins.js';
import { tempDir } from '../../helpers/tmp.js';

const TRACKS = '27ce73616c2780fbb40efefdd47d6640';
const LABEL = 'com.tracksync.daemon';

describe('tracksync launchd', () => {
  const root = tempDir();
  // A working directory with characters XML must escape, and a config path relative to it.
  const work = join(root, 'Tom & Jerry <music>');
  const home = join(root, 'home');
  const stateDir = join(root, 'state');
  mkdirSync(work, { recursive: true });
  writeFileSync(join(work, 'tracksync.json'), JSON.stringify({ shutdown: { graceMs: 40_000, abortWaitMs: 5_000 } }));
  const launchctl = standIn('launchctl', join(root, 'bin'));
  const uid = process.getuid!();
  const env = {
    HOME: home,
    PATH: `${launchctl.dir}:${dirname(process.execPath)}:/usr/bin:/bin`,
    TRACKS_DB_ID: TRACKS,
    OUT_DIR: join(root, 'Music'),
    TRACKSYNC_STATE_DIR: stateDir,
    TRACKSYNC_CONFIG: 'tracksync.json',
    SPOTIFY_CLIENT_SECRET: 'spotify-secret-in-shell-1234',
  };

  it('prints a plist that parses and holds every key a LaunchAgent needs, and no secret', async () => {
    const result = await cli(
      ['launchd', 'print'],
      { ...env, NOTION_TOKEN: 'ntn_shell_token_1234567890' },
      { cwd: work },
    );
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const agent = parsePlist(result.stdout) as Record<string, unknown>;
    expect(agent.Label).toBe(LABEL);
    expect(agent.ProgramArguments).toEqual([process.execPath, join(packageRoot(), 'bin', 'tracksync.js'), 'run']);
    expect(agent.WorkingDirectory).toBe(work);
    const environment = agent.EnvironmentVariables as Record<string, string>;
    const path = environment.PATH!.split(':');
    expect(path[0]).toBe(dirname(process.execPath));
    expect(path).toContain('/opt/homebrew/bin');
    expect(path).toContain('/usr/local/bin');
    expect(environment).toMatchObject({
      TRACKS_DB_ID: TRACKS,
      OUT_DIR: env.OUT_DIR,
      TRACKSYNC_STATE_DIR: stateDir,
      TRACKSYNC_CONFIG: join(work, 'tracksync.json'),
      TRACKSYNC_LOG_DIR: join(home, 'Library', 'Logs', 'tracksync'),
    });
    expect(environment.NOTION_TOKEN).toBeUndefined();
    expect(environment.SPOTIFY_CLIENT_SECRET).toBeUndefined();
    expect(result.stdout).not.toContain('ntn_shell_token');
    expect(result.stdout).not.toContain('spotify-secret-in-shell');
    expect(agent.RunAtLoad).toBe(true);
    expect(agent.KeepAlive).toEqual({ SuccessfulExit: false });
    expect(agent.ThrottleInterval).toBe(30);
    // Longer than the configured shutdown: 40 s grace + 5 s abort wait.
    expect(agent.ExitTimeOut).toBeGreaterThan(45);
    expect(agent.ProcessType).toBe('Background');
    expect(agent.LowPriorityIO).toBe(true);
    expect(agent.StandardOutPath).toBe(join(home, 'Library', 'Logs', 'tracksync', 'launchd.out.log'));
    expect(agent.StandardErrorPath).toBe(join(home, 'Library', 'Logs', 'tracksync', 'launchd.err.log'));
  });

  it('refuses to install when NOTION_TOKEN exists only in the shell, which launchd does not pass on', async () => {
    const result = await cli(
      ['launchd', 'install'],
      { ...env, NOTION_TOKEN: 'ntn_shell_token_1234567890' },
      { cwd: work },
    );
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('NOTION_TOKEN is set in this shell only');
    expect(result.stderr).toContain('tracksync secrets set NOTION_TOKEN');
    expect(existsSync(join(home, 'Library', 'LaunchAgents', `${LABEL}.plist`))).toBe(false);
    expect(launchctl.calls()).toEqual([]);
  });

  it('installs, reports, restarts, reinstalls and removes the agent with launchctl bootstrap, print, kickstart -k and bootout', async () => {
    storeSecret(stateDir, 'NOTION_TOKEN', 'ntn_stored_token_1234567890', { os: 'linux' });
    const plistPath = join(home, 'Library', 'LaunchAgents', `${LABEL}.plist`);

    const installed = await cli(['launchd', 'install'], env, { cwd: work });
    expect(installed.stderr).toBe('');
    expect(installed.exitCode).toBe(0);
    expect(installed.stdout).toContain(`Installed ${LABEL}: ${plistPath}`);
    expect(installed.stdout).toContain('SPOTIFY_CLIENT_SECRET is set in this shell only');
    expect((parsePlist(readFileSync(plistPath, 'utf8')) as { Label: string }).Label).toBe(LABEL);
    expect(readFileSync(plistPath, 'utf8')).not.toContain('ntn_stored_token');
    expect(existsSync(join(home, 'Library', 'Logs', 'tracksync'))).toBe(true);
    expect(launchctl.calls()).toEqual([
      ['bootout', `gui/${uid}/${LABEL}`],
      ['bootstrap', `gui/${uid}`, plistPath],
    ]);

    const status = await cli(['launchd', 'status'], env, { cwd: work });
    expect(status.exitCode).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`${LABEL}: loaded, running \\(pid \\d+\\)`));
    const json = JSON.parse((await cli(['launchd', 'status', '--json'], env, { cwd: work })).stdout) as {
      loaded: boolean;
      installed: boolean;
      pid: number;
      runs: number;
    };
    expect(json).toMatchObject({ loaded: true, installed: true, runs: 1 });

    const restarted = await cli(['launchd', 'restart'], env, { cwd: work });
    expect(restarted.exitCode).toBe(0);
    expect(launchctl.calls().at(-1)).toEqual(['kickstart', '-k', `gui/${uid}/${LABEL}`]);
    expect((await cli(['launchd', 'status'], env, { cwd: work })).stdout).toContain('last exit code: 0');

    const again = await cli(['launchd', 'install'], env, { cwd: work });
    expect(again.stdout).toContain(`Reinstalled ${LABEL}`);

    const removed = await cli(['launchd', 'uninstall'], env, { cwd: work });
    expect(removed.exitCode).toBe(0);
    expect(removed.stdout).toContain(`Stopped and removed ${LABEL}`);
    expect(launchctl.calls().at(-1)).toEqual(['bootout', `gui/${uid}/${LABEL}`]);
    expect(existsSync(plistPath)).toBe(false);

    const after = await cli(['launchd', 'status'], env, { cwd: work });
    expect(after.exitCode).toBe(3);
    expect(after.stdout).toContain(`${LABEL}: not loaded`);
    expect(after.stdout).toContain('not installed: run "tracksync launchd install"');
  });

  it('refuses to install where there is no launchctl, before writing anything', async () => {
    const bare = join(root, 'home-without-launchd');
    const result = await cli(
      ['launchd', 'install'],
      { ...env, HOME: bare, PATH: dirname(process.execPath) },
      { cwd: work },
    );
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(
      '"launchctl" was not found on PATH: LaunchAgents exist on macOS only, so nothing was installed',
    );
    expect(existsSync(join(bare, 'Library'))).toBe(false);
  });

  it('warns when the environment it would bake in points at a local sandbox, and says how to undo it', async () => {
    const sandboxHome = join(root, 'home-sandbox');
    const local = {
      NOTION_API_BASE_URL: 'http://127.0.0.1:7718',
      SPOTIFY_API_BASE_URL: 'http://127.0.0.1:7719/v1',
      TRACKSYNC_ALLOW_PRIVATE_HOSTS: '127.0.0.1:7720',
    };
    const result = await cli(['launchd', 'install'], { ...env, ...local, HOME: sandboxHome }, { cwd: work });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toMatch(
      /^WARN NOTION_API_BASE_URL=http:\/\/127\.0\.0\.1:7718 is a server on this machine \(the sandbox\?\)/m,
    );
    expect(result.stderr).toMatch(/^WARN SPOTIFY_API_BASE_URL=http:\/\/127\.0\.0\.1:7719\/v1 /m);
    expect(result.stderr).toMatch(/^WARN TRACKSYNC_ALLOW_PRIVATE_HOSTS=127\.0\.0\.1:7720 /m);
    expect(result.stderr).toContain('run "tracksync launchd install" again');
    expect((await cli(['launchd', 'uninstall'], { ...env, HOME: sandboxHome }, { cwd: work })).exitCode).toBe(0);
  });

  it('explains that LaunchAgents are macOS only when there is no launchctl', async () => {
    const result = await cli(['launchd', 'status'], { ...env, PATH: dirname(process.execPath) }, { cwd: work });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('"launchctl" was not found; LaunchAgents exist on macOS only');
  });
});
