import { join } from 'node:path';
import { parse as parsePlist } from 'plist';
import { CONSTANTS } from '../../src/config/constants.js';
import { agentPaths, buildPlist, plistInput } from '../../src/launchd/agent.js';
import { packageRoot } from '../../src/paths.js';

// The plist is the daemon's whole world under launchd: it gets no shell, so the environment, PATH and absolute paths
// must be baked in, secrets never, and a folder named with "&" or "<" must still give a plist launchd can parse.
describe('the LaunchAgent plist (src/launchd/agent.ts)', () => {
  const config = {
    launchd: { label: 'com.example.tracksync', throttleIntervalSeconds: 30 },
    shutdown: { graceMs: 10_000, abortWaitMs: 5_500 },
  };

  it('keeps the plist and the logs where macOS expects them', () => {
    expect(agentPaths('/Users/dj', 'com.example.tracksync')).toEqual({
      plist: '/Users/dj/Library/LaunchAgents/com.example.tracksync.plist',
      logDir: '/Users/dj/Library/Logs/tracksync',
      stdout: '/Users/dj/Library/Logs/tracksync/launchd.out.log',
      stderr: '/Users/dj/Library/Logs/tracksync/launchd.err.log',
    });
  });

  it('bakes in the non-secret settings, an absolute config path and a PATH that starts with this node', () => {
    const input = plistInput({
      config: config as never,
      env: {
        TRACKS_DB_ID: '27ce7361d5e34a2f8a0b7f2c9d1e4a55',
        NOTION_TOKEN: 'ntn_never_in_a_plist',
        TRACKSYNC_CONFIG: 'conf/tracksync.json',
        TRACKSYNC_LOG_LEVEL: '',
        UNRELATED: 'not a setting',
      },
      cwd: '/Users/dj/Music Work',
      home: '/Users/dj',
      node: '/opt/homebrew/bin/node',
    });
    expect(input.environment).toMatchObject({
      TRACKS_DB_ID: '27ce7361d5e34a2f8a0b7f2c9d1e4a55',
      TRACKSYNC_CONFIG: '/Users/dj/Music Work/conf/tracksync.json',
      TRACKSYNC_LOG_DIR: '/Users/dj/Library/Logs/tracksync',
    });
    expect(Object.keys(input.environment)).not.toContain('NOTION_TOKEN');
    expect(Object.keys(input.environment)).not.toContain('TRACKSYNC_LOG_LEVEL');
    expect(Object.keys(input.environment)).not.toContain('UNRELATED');
    const path = input.environment.PATH!.split(':');
    expect(path[0]).toBe('/opt/homebrew/bin');
    expect(path.filter((p) => p === '/opt/homebrew/bin')).toHaveLength(1);
    // launchd must wait longer than the daemon's clean shutdown (15.5 s, rounded up) before it SIGKILLs.
    expect(input.exitTimeoutSeconds).toBe(16 + CONSTANTS.launchd.exitTimeoutMarginSeconds);
    expect(input.cli).toBe(join(packageRoot(), 'bin', 'tracksync.js'));
  });

  it('escapes every value, so the plist parses back to exactly the input', () => {
    const input = plistInput({
      config: config as never,
      env: { TRACKS_DB_ID: '27ce7361d5e34a2f8a0b7f2c9d1e4a55' },
      cwd: `/Users/dj/Beats & <Edits> "2026" it's`,
      home: '/Users/dj',
      node: '/usr/local/bin/node',
    });
    const parsed = parsePlist(buildPlist(input)) as Record<string, unknown>;
    expect(parsed).toMatchObject({
      Label: 'com.example.tracksync',
      ProgramArguments: ['/usr/local/bin/node', input.cli, 'run'],
      WorkingDirectory: `/Users/dj/Beats & <Edits> "2026" it's`,
      EnvironmentVariables: input.environment,
      ThrottleInterval: 30,
      ExitTimeOut: input.exitTimeoutSeconds,
      StandardErrorPath: '/Users/dj/Library/Logs/tracksync/launchd.err.log',
    });
  });

  it('refuses a control character, which XML cannot hold at all', () => {
    const input = plistInput({ config: config as never, env: {}, cwd: '/Users/dj/bad\u0001dir', home: '/Users/dj' });
    expect(() => buildPlist(input)).toThrow(/control character .* cannot go into a plist/);
  });
});
