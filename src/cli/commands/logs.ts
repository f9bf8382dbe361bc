import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { homedir, platform } from 'node:os';
import { dirname, join } from 'node:path';
import { CONSTANTS } from '../../config/constants.js';
import { stateDirFrom } from '../../config/load.js';
import { LOG_FILE_NAME, defaultLogDir, logFiles } from '../../log-file.js';
import { prettyPrinter } from '../../log-pretty.js';
import { colorsFor, print, type CliIO } from '../io.js';
import { onStopSignal } from '../signals.js';
import { usageError } from '../usage.js';

/** How often `logs -f` looks for new lines: a quarter second feels live and costs one stat call. */
const FOLLOW_POLL_MS = 250;

/**
 * `tracksync logs [-f] [-n N] [--json]`: the daemon's log files (TRACKSYNC_LOG_DIR, ~/Library/Logs/tracksync under
 * launchd), pretty-printed; --json prints the raw lines. -f keeps following across rotations until Ctrl-C.
 */
export async function logsCommand(
  _args: string[],
  values: { follow?: boolean; lines?: string; json?: boolean },
  io: CliIO,
): Promise<number> {
  const lines = values.lines === undefined ? CONSTANTS.logs.tailLines : Number(values.lines);
  if (!Number.isInteger(lines) || lines < 0)
    throw usageError(`-n expects a number of lines (0 or more); got "${values.lines}"`);
  const os = io.platform ?? platform();
  const dir = io.env.TRACKSYNC_LOG_DIR || defaultLogDir(os, io.env.HOME ?? homedir(), stateDirFrom(io.env, io.cwd, os));
  // Durations and times in words ("retryIn: in 4 min"), colours on a terminal only (NO_COLOR respected).
  const pretty = prettyPrinter({ colorize: colorsFor(io).isColorSupported });
  const show = (line: string): void => {
    if (line === '') return;
    if (values.json) return print(io.stdout, line);
    io.stdout.write(pretty(line));
  };

  const files = logFiles(dir);
  if (files.length === 0 && !values.follow) {
    print(
      io.stderr,
      `tracksync logs: no log files in ${dir}. The daemon writes them there when it runs under launchd ("tracksync launchd install") or with TRACKSYNC_LOG_DIR set; otherwise its logs go to standard error.`,
    );
    return 1;
  }
  // With -f, the current file is opened and its length fixed before the tail is read: a line written while the tail
  // is printed is then followed, not lost (the tail reads the current file only up to that length).
  const current = join(dir, LOG_FILE_NAME);
  const start = values.follow && existsSync(current) ? { fd: openSync(current, 'r'), position: 0 } : undefined;
  if (start) start.position = fstatSync(start.fd).size;
  const tail: string[] = [];
  for (let i = files.length - 1; i >= 0 && tail.length < lines; i--) {
    const text = start && files[i] === current ? readPrefix(start.fd, start.position) : readFileSync(files[i]!, 'utf8');
    const fileLines = text.split('\n').filter(Boolean);
    tail.unshift(...fileLines.slice(Math.max(0, fileLines.length - (lines - tail.length))));
  }
  for (const line of tail) show(line);
  if (!values.follow) return 0;
  await follow(current, show, start);
  return 0;
}

/** The first `length` bytes of an open file, as text. */
function readPrefix(fd: number, length: number): string {
  const buffer = Buffer.alloc(length);
  const read = readSync(fd, buffer, 0, length, 0);
  return buffer.subarray(0, read).toString('utf8');
}

/**
 * Prints lines appended to `path` until SIGINT/SIGTERM. On a rotation (a new inode at `path`) it finishes the file it
 * had open, then reads every file rotated after it (a burst of lines can rotate twice between two polls), then the new
 * file from its start.
 */
async function follow(
  path: string,
  show: (line: string) => void,
  start?: { fd: number; position: number },
): Promise<void> {
  let fd: number | undefined = start?.fd;
  let position = start?.position ?? 0;
  let partial = '';
  const open = (file: string, fromEnd: boolean): void => {
    fd = openSync(file, 'r');
    position = fromEnd ? fstatSync(fd).size : 0;
    partial = '';
  };
  const drain = (): void => {
    if (fd === undefined) return;
    const buffer = Buffer.alloc(64 * 1024);
    for (;;) {
      const read = readSync(fd, buffer, 0, buffer.length, position);
      if (read === 0) break;
      position += read;
      const parts = (partial + buffer.subarray(0, read).toString('utf8')).split('\n');
      partial = parts.pop()!;
      for (const line of parts) show(line);
    }
  };
  const close = (): void => {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
  };
  if (fd === undefined && existsSync(path)) open(path, true);
  let stopped = false;
  const dispose = onStopSignal(() => {
    stopped = true;
  });
  try {
    while (!stopped) {
      drain();
      const current = existsSync(path) ? statSync(path) : undefined;
      if (fd === undefined) {
        if (current) open(path, false);
      } else if (current && current.size < position && current.ino === fstatSync(fd).ino) {
        close(); // truncated in place
        open(path, false);
      } else if (!current || current.ino !== fstatSync(fd).ino) {
        const ino = fstatSync(fd).ino;
        drain();
        close();
        const rotated = logFiles(dirname(path)).filter((f) => f !== path);
        const mine = rotated.findIndex((f) => statSync(f).ino === ino);
        for (const file of mine === -1 ? [] : rotated.slice(mine + 1)) {
          open(file, false);
          drain();
          close();
        }
        if (current) open(path, false);
      }
      await new Promise((resolve) => setTimeout(resolve, FOLLOW_POLL_MS));
    }
  } finally {
    dispose();
    close();
  }
}
