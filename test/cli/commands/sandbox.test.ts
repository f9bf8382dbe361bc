import { execa } from 'execa';
import { join } from 'node:path';
import { packageRoot } from '../../../src/paths.js';
import { cli } from '../../helpers/cli.js';

/**
 * The README's sandbox section, followed through the CLI: `tracksync sandbox` in one process, its export lines pasted
 * into the environment of `tracksync once` and of the `tracksync sync` line it printed. Every source is on 127.0.0.1.
 */
describe('tracksync sandbox: every sample row syncs with no internet', () => {
  it('prints the environment and the commands, and following them syncs every sample row and the sync example', async () => {
    const sandbox = execa(process.execPath, [join(packageRoot(), 'bin', 'tracksync.js'), 'sandbox', '--port', '0'], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' },
      extendEnv: false,
      reject: false,
    });
    try {
      let printed = '';
      await new Promise<void>((resolve, reject) => {
        sandbox.stdout!.on('data', (chunk: Buffer) => {
          printed += chunk.toString('utf8');
          if (printed.includes('# Press Ctrl-C')) resolve();
        });
        sandbox.once('exit', () => reject(new Error(`tracksync sandbox exited early:\n${printed}`)));
      });
      // The lines a person pastes: the exports (as a shell reads them back), then the two commands.
      const env: Record<string, string> = {};
      for (const [, key, value] of printed.matchAll(/^export ([A-Z_]+)=(.*)$/gm))
        env[key!] = value!.replace(/^'(.*)'$/, '$1').replaceAll("'\\''", "'");
      for (const key of [
        'NOTION_API_BASE_URL',
        'SPOTIFY_API_BASE_URL',
        'TRACKSYNC_ALLOW_PRIVATE_HOSTS',
        'TRACKSYNC_CONFIG',
        'TRACKSYNC_STATE_DIR',
        'OUT_DIR',
      ])
        expect(env[key], key).toBeDefined();
      for (const value of Object.values(env).filter((v) => /^https?:/.test(v)))
        expect(new URL(value).hostname).toBe('127.0.0.1');
      expect(printed).toMatch(/^tracksync once$/m);
      const syncLine = printed.match(/^tracksync sync (http:\/\/127\.0\.0\.1:\d+\/\S+)$/m);
      expect(syncLine).not.toBeNull();
      for (const row of [
        'Sandbox Artist - Night Drive',
        'Tide Pool - Morning Swim',
        'Low Tide - Harbour Lights',
        'Sandbox Artist - Old Favourite',
      ])
        expect(printed).toContain(`#   ${row}: `);

      const once = await cli(['once'], env);
      expect(once.exitCode, once.stderr).toBe(0);
      for (const title of ['Night Drive', 'Morning Swim', 'Harbour Lights'])
        expect(once.stdout).toMatch(
          new RegExp(`${title}\\s+\\d+(\\.\\d)?\\s+\\S+ (Major|Minor)\\s+\\d{1,2}[AB]\\s+.*\\ssynced\\s`),
        );
      expect(once.stdout).not.toContain('Old Favourite');
      expect(once.stdout).not.toMatch(/failed/);

      const sync = await cli(['sync', syncLine![1]!], env);
      expect(sync.exitCode, sync.stderr).toBe(0);
      expect(sync.stdout).toMatch(/late-train\s+118(\.\d)?\s+G Major\s+9B\s+Source URL\s+synced/);
    } finally {
      sandbox.kill('SIGINT');
      await sandbox;
    }
  }, 300_000);
});
