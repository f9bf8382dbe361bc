import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { loadSecrets, secretsFile, storeSecret } from '../../src/config/secrets.js';
import { ConfigError } from '../../src/errors.js';
import { cli } from '../helpers/cli.js';
import { standIn } from '../helpers/standins.js';
import { tempDir } from '../helpers/tmp.js';

const TRACKS = '27ce73616c2780fbb40efefdd47d6640';

describe('secrets', () => {
  const root = tempDir();

  it('reads NOTION_TOKEN from the 0600 secrets file in the state directory; the environment still wins', () => {
    const stateDir = join(root, 'file-state');
    storeSecret(stateDir, 'NOTION_TOKEN', 'ntn_from_the_secrets_file', { os: 'linux' });
    expect(statSync(secretsFile(stateDir)).mode & 0o777).toBe(0o600);
    const env = { TRACKS_DB_ID: TRACKS, TRACKSYNC_STATE_DIR: stateDir };
    const config = loadConfig({ env, cwd: root, platform: 'linux' });
    expect(config.notion.token).toBe('ntn_from_the_secrets_file');
    expect(config.secrets).toContain('ntn_from_the_secrets_file');
    expect(
      loadConfig({ env: { ...env, NOTION_TOKEN: 'ntn_from_env' }, cwd: root, platform: 'linux' }).notion.token,
    ).toBe('ntn_from_env');
  });

  it('refuses a secrets file other users can read, naming the file and the fix', () => {
    const stateDir = join(root, 'open-state');
    mkdirSync(stateDir, { recursive: true });
    writeFileSync(secretsFile(stateDir), 'NOTION_TOKEN=ntn_world_readable\n', { mode: 0o644 });
    chmodSync(secretsFile(stateDir), 0o644);
    let problems: readonly string[] = [];
    try {
      loadConfig({ env: { TRACKS_DB_ID: TRACKS, TRACKSYNC_STATE_DIR: stateDir }, cwd: root, platform: 'linux' });
    } catch (error) {
      problems = (error as ConfigError).problems;
    }
    expect(problems.join('\n')).toContain(`${secretsFile(stateDir)} is readable by others (mode 644)`);
    expect(problems.join('\n')).toContain(`chmod 600 ${secretsFile(stateDir)}`);
    expect(problems.join('\n')).not.toContain('ntn_world_readable');
  });

  it('on macOS reads and stores secrets in the Keychain with argument arrays (service "tracksync", account = the name)', () => {
    const keychain = standIn('security', join(root, 'keychain'));
    const stateDir = join(root, 'mac-state');
    expect(
      storeSecret(stateDir, 'SPOTIFY_CLIENT_SECRET', 'spotify secret with "quotes" $HOME', {
        os: 'darwin',
        securityBin: keychain.bin,
      }),
    ).toContain('Keychain');
    expect(keychain.json<Record<string, string>>('keychain.json', {})['tracksync/SPOTIFY_CLIENT_SECRET']).toBe(
      'spotify secret with "quotes" $HOME',
    );
    expect(() => statSync(secretsFile(stateDir))).toThrow();
    const found = loadSecrets(stateDir, {}, 'darwin', keychain.bin);
    expect(found).toEqual({ SPOTIFY_CLIENT_SECRET: 'spotify secret with "quotes" $HOME' });
    expect(
      keychain
        .calls()
        .filter((c) => c[0] === 'find-generic-password')
        .map((c) => c[4]),
    ).toContain('NOTION_TOKEN');
    // Not consulted on Linux, and not for names the environment already sets.
    const before = keychain.calls().length;
    expect(loadSecrets(stateDir, {}, 'linux', keychain.bin)).toEqual({});
    expect(
      loadSecrets(
        stateDir,
        {
          SPOTIFY_CLIENT_SECRET: 'x',
          NOTION_TOKEN: 'y',
          SPOTIFY_REFRESH_TOKEN: 'z',
          EAGLE_TOKEN: 'e',
          NOTION_WEBHOOK_TOKEN: 'w',
          TRACKSYNC_HTTP_TOKEN: 't',
        },
        'darwin',
        keychain.bin,
      ),
    ).toEqual({});
    expect(keychain.calls().length).toBe(before);
  });

  it('`tracksync secrets set` reads the value from standard input, never echoes it, `secrets list` shows where each comes from, `secrets get` prints one on request', async () => {
    const stateDir = join(root, 'cli-state');
    const env = { TRACKSYNC_STATE_DIR: stateDir };
    const set = await cli(['secrets', 'set', 'NOTION_TOKEN'], env, { input: 'ntn_typed_on_stdin_123456\n', cwd: root });
    expect(set.exitCode).toBe(0);
    expect(set.stdout).toContain(`NOTION_TOKEN stored in ${secretsFile(stateDir)}`);
    expect(set.stdout + set.stderr).not.toContain('ntn_typed_on_stdin_123456');
    expect(statSync(secretsFile(stateDir)).mode & 0o777).toBe(0o600);

    const list = await cli(['secrets', 'list'], { ...env, EAGLE_TOKEN: 'eagle-token-from-env' }, { cwd: root });
    expect(list.exitCode).toBe(0);
    expect(list.stdout).toMatch(
      new RegExp(`NOTION_TOKEN\\s+${secretsFile(stateDir).replaceAll('/', '\\/')}\\s+ntn_…\\(25 chars\\)`),
    );
    expect(list.stdout).toMatch(/EAGLE_TOKEN\s+environment\s+eagl…/);
    expect(list.stdout).toMatch(/SPOTIFY_CLIENT_SECRET\s+-\s+unset/);
    expect(list.stdout).not.toContain('ntn_typed_on_stdin_123456');

    const get = await cli(['secrets', 'get', 'NOTION_TOKEN'], env, { cwd: root });
    expect(get.stdout.trim()).toBe('ntn_typed_on_stdin_123456');
    const missing = await cli(['secrets', 'get', 'NOTION_WEBHOOK_TOKEN'], env, { cwd: root });
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain('NOTION_WEBHOOK_TOKEN is not set anywhere');

    const unknown = await cli(['secrets', 'set', 'PASSWORD'], env, { input: 'x\n', cwd: root });
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('"PASSWORD" is not a secret tracksync reads; use one of NOTION_TOKEN');
    const empty = await cli(['secrets', 'set', 'EAGLE_TOKEN'], env, { input: '', cwd: root });
    expect(empty.exitCode).toBe(2);
    expect(empty.stderr).toContain('no value for EAGLE_TOKEN on standard input');
  });
});
