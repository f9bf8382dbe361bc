import { execa } from 'execa';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LOG_FILE_NAME, logFiles } from '../../../src/log-file.js';
import { createLogger } from '../../../src/log.js';
import { packageRoot } from '../../../src/paths.js';
import { cli, waitFor } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';

describe('log files and tracksync logs', () => {
  const root = tempDir();

  it('rotates the JSON log by size, keeps the configured number of old files, scrubs secrets, owner-only', () => {
    const dir = join(root, 'rotating');
    const logger = createLogger({
      level: 'info',
      secrets: ['ntn_secret_in_a_message'],
      file: { dir, maxFileBytes: 4_096, keepFiles: 3 },
    });
    for (let i = 1; i <= 400; i++) logger.info({ i }, `line ${i} with ntn_secret_in_a_message`);
    const files = logFiles(dir);
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual([
      `${LOG_FILE_NAME}.3`,
      `${LOG_FILE_NAME}.2`,
      `${LOG_FILE_NAME}.1`,
      LOG_FILE_NAME,
    ]);
    for (const file of files) {
      expect(statSync(file).size).toBeLessThanOrEqual(4_096);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(readFileSync(file, 'utf8')).not.toContain('ntn_secret_in_a_message');
    }
    const lines = files
      .flatMap((f) => readFileSync(f, 'utf8').split('\n').filter(Boolean))
      .map((l) => (JSON.parse(l) as { i: number }).i);
    // The newest lines are all there, in order; the oldest were rotated away.
    expect(lines.at(-1)).toBe(400);
    expect(lines).toEqual(Array.from({ length: lines.length }, (_, k) => 400 - lines.length + 1 + k));
    expect(lines[0]).toBeGreaterThan(1);
  });

  it('shows the last lines pretty-printed (or raw with --json), and explains an empty folder', async () => {
    const dir = join(root, 'shown');
    const logger = createLogger({ level: 'info', file: { dir, maxFileBytes: 1_000_000, keepFiles: 2 } });
    for (let i = 1; i <= 30; i++) logger.info({ item: i }, `cycle ${i} done`);
    logger.error({ code: 'DOWNLOAD_FAILED' }, 'the download failed');
    const pretty = await cli(['logs', '-n', '3'], { TRACKSYNC_LOG_DIR: dir });
    expect(pretty.exitCode).toBe(0);
    expect(pretty.stdout).toMatch(/INFO.*cycle 29 done/);
    expect(pretty.stdout).toMatch(/ERROR.*the download failed/);
    expect(pretty.stdout).toContain('code: "DOWNLOAD_FAILED"');
    expect(pretty.stdout).not.toContain('cycle 28 done');
    const json = await cli(['logs', '-n', '2', '--json'], { TRACKSYNC_LOG_DIR: dir });
    expect(
      json.stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { msg: string }).msg),
    ).toEqual(['cycle 30 done', 'the download failed']);
    const empty = await cli(['logs'], { TRACKSYNC_LOG_DIR: join(root, 'nothing') });
    expect(empty.exitCode).toBe(1);
    expect(empty.stderr).toContain(`no log files in ${join(root, 'nothing')}`);
  });

  it('logs -f follows new lines across a rotation until interrupted', async () => {
    const dir = join(root, 'followed');
    // Five files of 2 KiB hold all 25 lines (~4.5 KB): a follower that polls late on a loaded machine still finds every
    // rotated file (with two, a burst could rotate the oldest away before it was read).
    const logger = createLogger({ level: 'info', file: { dir, maxFileBytes: 2_048, keepFiles: 5 } });
    logger.info('before following');
    const follower = execa(process.execPath, [join(packageRoot(), 'bin', 'tracksync.js'), 'logs', '-f', '-n', '1'], {
      env: { TRACKSYNC_LOG_DIR: dir },
      reject: false,
    });
    let out = '';
    follower.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await waitFor(() => out.includes('before following'), 'the first line');
    // ~25 lines of ~180 bytes: at least one rotation at 2 KiB.
    for (let i = 1; i <= 25; i++) logger.info({ padding: 'x'.repeat(80) }, `followed ${i}`);
    await waitFor(() => out.includes('followed 25'), 'the last line', 10_000);
    expect(logFiles(dir).length).toBeGreaterThan(1);
    for (let i = 1; i <= 25; i++) expect(out).toMatch(new RegExp(`followed ${i}\\n`));
    follower.kill('SIGINT');
    expect((await follower).exitCode).toBe(0);
  });
});
