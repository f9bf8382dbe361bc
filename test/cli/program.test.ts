import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildProgram, optionTable } from '../../src/cli/program.js';
import { packageRoot } from '../../src/paths.js';
import { cli } from '../helpers/cli.js';

/** The command tree as the CLI builds it: every command path and its long options. */
const commands = optionTable(buildProgram(async () => {}));

describe('tracksync help, --version and suggestions (the CLI as a subprocess)', () => {
  // A state directory the commands would create if they did anything: --help must leave it absent.
  const dir = mkdtempSync(join(tmpdir(), 'tracksync-help-'));
  const stateDir = join(dir, 'state');
  const env = {
    TRACKSYNC_STATE_DIR: stateDir,
    NOTION_TOKEN: 'secret_help_test',
    TRACKS_DB_ID: '0123456789abcdef0123456789abcdef',
  };

  it('prints usage, options and an example for every command and subcommand, exits 0 and does nothing else', async () => {
    expect(commands.length).toBeGreaterThan(20);
    for (const { path } of commands) {
      const words = path.split(' ');
      const viaFlag = await cli([...words, '--help'], env);
      expect(viaFlag.exitCode, path).toBe(0);
      expect(viaFlag.stdout, path).toContain(`Usage: tracksync ${path}`);
      expect(viaFlag.stdout, path).toContain('Example:');
      expect(viaFlag.stdout, path).toContain('--quiet');
      const viaHelp = await cli(['help', ...words], env);
      expect(viaHelp.exitCode, path).toBe(0);
      expect(viaHelp.stdout, path).toBe(viaFlag.stdout);
    }
    // `run --help` did not start the daemon: no state directory, no lock, no log.
    expect(existsSync(stateDir)).toBe(false);
  }, 400_000);

  it('prints the version of the package', async () => {
    const version = (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string })
      .version;
    const result = await cli(['--version'], {});
    expect(result.exitCode).toBe(0);
    expect(result.stdout.trim()).toBe(version);
  });

  it('suggests the closest command and option, with exit 2', async () => {
    const command = await cli(['snyc', 'https://soundcloud.com/a/b'], env);
    expect(command.exitCode).toBe(2);
    expect(command.stderr).toContain("unknown command 'snyc'");
    expect(command.stderr).toContain('(Did you mean sync?)');
    const option = await cli(['once', '--limt', '3'], env);
    expect(option.exitCode).toBe(2);
    expect(option.stderr).toContain("unknown option '--limt'");
    expect(option.stderr).toContain('(Did you mean --limit?)');
    const sub = await cli(['library', 'scna'], env);
    expect(sub.exitCode).toBe(2);
    expect(sub.stderr).toContain('(Did you mean scan?)');
    const bad = await cli(['once', '--mode', 'sometimes'], env);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('single, batch, all, reprocess');
    const none = await cli([], env);
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain('Usage: tracksync');
    expect(existsSync(stateDir)).toBe(false);
  });

  it('lists in the README the same commands and options as the help', () => {
    const readme = readFileSync(join(packageRoot(), 'README.md'), 'utf8');
    const section = readme.slice(
      readme.indexOf('\n## CLI\n'),
      readme.indexOf('\n## ', readme.indexOf('\n## CLI\n') + 5),
    );
    const documented = new Map<string, string[]>();
    for (const row of section.split('\n').filter((l) => l.startsWith('| `tracksync '))) {
      const cell = row.slice(3, row.indexOf('`', 3));
      const words = cell.replace(/^tracksync /, '').split(' ');
      const path = words
        .slice(
          0,
          words.findIndex((w) => /^[<[-]/.test(w)) === -1 ? words.length : words.findIndex((w) => /^[<[-]/.test(w)),
        )
        .join(' ');
      documented.set(path, [...cell.matchAll(/--[a-z][a-z-]*/g)].map((m) => m[0]).sort());
    }
    const helped = new Map(commands.map((c) => [c.path, [...c.options].sort()]));
    expect([...documented.keys()].sort()).toEqual([...helped.keys()].sort());
    for (const [path, options] of helped) expect(documented.get(path), path).toEqual(options);
    // The options every command takes are named once, under the table.
    for (const global of ['--quiet', '--verbose', '--config', '--no-color', '--version', '--help'])
      expect(section).toContain(global);
  });
});
