import { execa } from 'execa';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { secretsFile } from '../../../src/config/secrets.js';
import { packageRoot } from '../../../src/paths.js';
import { cli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';

describe('tracksync secrets set (the CLI as a subprocess)', () => {
  const dir = tempDir('tracksync-secrets-');
  const stateDir = join(dir, 'state');
  const env = { TRACKSYNC_STATE_DIR: stateDir };

  it('--file PATH reads the value from the first line of a file, and names a missing file', async () => {
    const file = join(dir, 'token.txt');
    writeFileSync(file, 'eagle-token-from-a-file\n');
    const stored = await cli(['secrets', 'set', 'EAGLE_TOKEN', '--file', file, '--secrets-file'], env, { cwd: dir });
    expect(stored.exitCode, stored.stderr).toBe(0);
    expect(stored.stdout).not.toContain('eagle-token-from-a-file');
    expect((await cli(['secrets', 'get', 'EAGLE_TOKEN'], env, { cwd: dir })).stdout).toBe('eagle-token-from-a-file');
    const missing = await cli(['secrets', 'set', 'EAGLE_TOKEN', '--file', 'nope.txt'], env, { cwd: dir });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain(`--file: no file at ${join(dir, 'nope.txt')}`);
  });

  it('on a terminal, asks at a prompt that does not echo what is typed', async () => {
    const secret = 'typed-secret-value-8842';
    const command = [
      process.execPath,
      join(packageRoot(), 'bin', 'tracksync.js'),
      'secrets',
      'set',
      'SPOTIFY_CLIENT_SECRET',
      '--secrets-file',
    ]
      .map((a) => `'${a}'`)
      .join(' ');
    // util-linux script(1) gives the CLI a pseudo-terminal; what we write to script's input is what a person types.
    const child = execa('script', ['-qefc', command, '/dev/null'], {
      env: { PATH: process.env.PATH ?? '', HOME: dir, ...env },
      extendEnv: false,
      cwd: dir,
      stdin: 'pipe',
      reject: false,
    });
    let output = '';
    let typed = false;
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      // Typed only once the prompt shows: the CLI has switched echo off before printing it (secrets.ts).
      if (!typed && output.includes('typing is not shown')) {
        typed = true;
        child.stdin!.write(`${secret}\r`);
      }
    });
    const result = await child;
    expect(result.exitCode, output).toBe(0);
    expect(output).toContain('SPOTIFY_CLIENT_SECRET (typing is not shown; Enter when done):');
    expect(output).toContain('SPOTIFY_CLIENT_SECRET stored in');
    expect(output).not.toContain(secret);
    expect(readFileSync(secretsFile(stateDir), 'utf8')).toContain(secret);
  });
});
