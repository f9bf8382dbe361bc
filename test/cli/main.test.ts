import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../../src/cli/main.js';
import { tempDir } from '../helpers/tmp.js';

// The exit code is what launchd, scripts and the shell see: 0 done (help included), 2 when the user must change
// something (with the command named and where to read its usage), never a stack trace for a mistake of the user's.
// main() in this process, with its own streams; the built CLI as a subprocess: test/cli/program.test.ts.
describe('the CLI entry point (src/cli/main.ts)', () => {
  const dir = tempDir('tracksync-main-');
  const stateDir = join(dir, 'state');
  const run = async (argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const env = {
      TRACKSYNC_STATE_DIR: stateDir,
      NOTION_TOKEN: 'secret_main_test',
      TRACKS_DB_ID: '0123456789abcdef0123456789abcdef',
    };
    const code = await main(argv, { stdout, stderr, env, cwd: dir });
    return { code, stdout: String(stdout.read() ?? ''), stderr: String(stderr.read() ?? '') };
  };

  it('help at every depth: "help <group> <command>" prints what "<group> <command> --help" prints, exit 0', async () => {
    const viaHelp = await run(['help', 'playlists', 'export']);
    const viaFlag = await run(['playlists', 'export', '--help']);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toContain('Usage: tracksync playlists export');
    expect(viaHelp.stdout).toBe(viaFlag.stdout);
    expect(existsSync(stateDir)).toBe(false);
  });

  it('no command: the usage on standard error, exit 2', async () => {
    const none = await run([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Usage: tracksync');
    expect(none.stdout).toBe('');
  });

  it('a usage error names the command and where its usage is, exit 2', async () => {
    const bad = await run(['webhooks', 'listen', '--minutes', '0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      'tracksync webhooks listen: --minutes must be a number of minutes from 1 to 60; got "0"\n' +
        'Run "tracksync help webhooks listen" for its usage.\n',
    );
  });

  it('--config is resolved from the working directory and reported like TRACKSYNC_CONFIG, exit 2 without a stack', async () => {
    const missing = await run(['once', '--config', 'nope.json']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('tracksync once: tracksync cannot start: the configuration has problems');
    expect(missing.stderr).toContain(`TRACKSYNC_CONFIG: there is no file at "${join(dir, 'nope.json')}"`);
    expect(missing.stderr).not.toMatch(/\n\s+at /);
  });
});
