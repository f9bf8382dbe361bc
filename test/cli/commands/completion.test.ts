import { execa } from 'execa';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildProgram, optionTable } from '../../../src/cli/program.js';
import { cli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';

/** The command tree as the CLI builds it: every command path and its long options. */
const commands = optionTable(buildProgram(async () => {}));

describe('tracksync completion (the CLI as a subprocess)', () => {
  const dir = tempDir('tracksync-completion-');

  it('completes commands, subcommands and options in bash from the generated script', async () => {
    const script = await cli(['completion', 'bash'], {});
    expect(script.exitCode).toBe(0);
    const file = join(dir, 'tracksync.bash');
    writeFileSync(file, script.stdout);
    // bash's programmable completion, driven as the shell does on Tab: COMP_WORDS/COMP_CWORD set, the function called.
    const complete = async (...words: string[]): Promise<string[]> => {
      const line = ['tracksync', ...words];
      const program = `source ${JSON.stringify(file)}; COMP_WORDS=(${line.map((w) => JSON.stringify(w)).join(' ')}); COMP_CWORD=${line.length - 1}; _tracksync; printf '%s\\n' "\${COMPREPLY[@]}"`;
      const result = await execa('bash', ['-c', program]);
      return result.stdout.split('\n').filter(Boolean);
    };
    expect(await complete('sy')).toEqual(['sync']);
    expect(await complete('library', '')).toEqual(expect.arrayContaining(['scan', 'stats', 'dupes']));
    expect(await complete('once', '--l')).toEqual(['--limit']);
    expect(await complete('playlists', 'export', '--f')).toEqual(['--force']);
  });

  it('generates zsh and fish scripts from the same tree', async () => {
    const zsh = await cli(['completion', 'zsh'], {});
    expect(zsh.exitCode).toBe(0);
    expect(zsh.stdout.startsWith('#compdef tracksync')).toBe(true);
    const fish = await cli(['completion', 'fish'], {});
    expect(fish.exitCode).toBe(0);
    for (const { path, options } of commands) {
      const name = path.split(' ').at(-1)!;
      expect(zsh.stdout, path).toContain(`'${name}:`);
      expect(fish.stdout, path).toContain(` -a ${name} `);
      for (const option of options) expect(fish.stdout, `${path} ${option}`).toContain(`-l ${option.slice(2)}`);
    }
    const unknown = await cli(['completion', 'powershell'], {});
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('choose bash, zsh or fish');
  });
});
