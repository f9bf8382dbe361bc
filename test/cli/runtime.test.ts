import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { CliIO } from '../../src/cli/io.js';
import { commandLogger, loadRuntime } from '../../src/cli/runtime.js';
import { tempDir } from '../helpers/tmp.js';

// Where a command's log lines go decides what a person sees: never between the results of a command (they go to the
// log file `tracksync logs` reads), on standard error with -v, only warnings with --json (stdout stays parseable), and
// the daemon's to its log folder as a service's. A secret never reaches any of them.
describe('the runtime of a command (src/cli/runtime.ts)', () => {
  const dir = tempDir('tracksync-runtime-');
  const io = (env: Record<string, string> = {}, extra: Partial<CliIO> = {}) => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    return {
      io: {
        stdout,
        stderr,
        env: {
          NOTION_TOKEN: 'secret_runtime_token_value',
          TRACKS_DB_ID: '0123456789abcdef0123456789abcdef',
          TRACKSYNC_STATE_DIR: join(dir, 'state'),
          ...env,
        },
        cwd: dir,
        ...extra,
      } satisfies CliIO,
      out: () => String(stdout.read() ?? ''),
      err: () => String(stderr.read() ?? ''),
    };
  };
  const logFile = (logDir: string): string => readFileSync(join(logDir, 'tracksync.log'), 'utf8');

  it('a command logs to the log file, not to its output; secrets are redacted there', () => {
    const logDir = join(dir, 'logs-plain');
    const { io: plain, out, err } = io({ TRACKSYNC_LOG_DIR: logDir });
    const { config, logger } = loadRuntime(plain);
    expect(config.stateDir).toBe(join(dir, 'state'));
    logger.info({ token: 'secret_runtime_token_value' }, 'plain line');
    expect(out()).toBe('');
    expect(err()).toBe('');
    const file = logFile(logDir);
    expect(file).toContain('"msg":"plain line"');
    expect(file).not.toContain('secret_runtime_token_value');
  });

  it('-v: log lines (debug too) on standard error; --json: only warnings there, standard output untouched', () => {
    const verbose = io({}, { verbose: true });
    const v = loadRuntime(verbose.io).logger;
    v.debug('debug line');
    expect(verbose.err()).toContain('debug line');
    expect(verbose.out()).toBe('');
    const json = io();
    const j = loadRuntime(json.io, { json: true }).logger;
    j.info('info line');
    j.warn('warn line');
    const err = json.err();
    expect(err).toContain('"msg":"warn line"');
    expect(err).not.toContain('info line');
    expect(json.out()).toBe('');
  });

  it('a log folder that cannot be written: warnings still reach the person on standard error', () => {
    writeFileSync(join(dir, 'a-file'), '');
    const blocked = io({ TRACKSYNC_LOG_DIR: join(dir, 'a-file', 'logs') });
    const { logger } = loadRuntime(blocked.io);
    logger.warn('still seen');
    expect(blocked.err()).toContain('still seen');
  });

  it('the daemon logs to its log folder when one is set', () => {
    const logDir = join(dir, 'logs-daemon');
    const daemon = io({ TRACKSYNC_LOG_DIR: logDir });
    const { config } = loadRuntime(daemon.io);
    const logger = commandLogger(config, daemon.io, { daemon: true });
    logger.info('daemon line');
    expect(logFile(logDir)).toContain('"msg":"daemon line"');
    expect(daemon.err()).toBe('');
  });
});
