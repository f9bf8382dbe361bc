import { execa, type ResultPromise } from 'execa';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/paths.js';

const BIN = join(packageRoot(), 'bin', 'tracksync.js');

/**
 * The real CLI (the built dist/), as a user runs it; test/global-setup.ts builds dist/ once per run.
 * `withoutRootAccess`:
 * as root, run without the two capabilities that let root ignore file permissions (CAP_DAC_OVERRIDE and
 * CAP_DAC_READ_SEARCH, dropped by util-linux's setpriv), so a test sees what a user without access sees. Not by running
 * as another user: that user may not reach the node binary or this clone at all (CI installs Node under a private
 * mktemp folder), and the run would fail before tracksync starts. No forced kill: execa would
 * otherwise send SIGKILL 5 s after a test's SIGTERM, and a daemon finishing its graceful stop on a loaded CI machine
 * (grace period, then its background work) was killed and reported no exit code. A process that ignored SIGTERM
 * would instead hold its test until the test's own timeout, and fail it there.
 */
export function cli(
  args: string[],
  env: Record<string, string>,
  options: { cwd?: string; input?: string; withoutRootAccess?: boolean } = {},
): ResultPromise<{
  reject: false;
  forceKillAfterDelay: false;
  env: Record<string, string>;
  extendEnv: false;
  cwd: string;
  input: string;
}> {
  const command = [process.execPath, BIN, ...args];
  const [file, ...rest] = options.withoutRootAccess
    ? ['setpriv', '--bounding-set', '-dac_override,-dac_read_search', '--', ...command]
    : command;
  return execa(file!, rest, {
    reject: false,
    forceKillAfterDelay: false,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', TRACKSYNC_LOG_LEVEL: 'info', ...env },
    extendEnv: false,
    cwd: options.cwd ?? packageRoot(),
    input: options.input ?? '',
  });
}

export async function waitFor(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export function readLines(path: string): string[] {
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean) : [];
}
