import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The daemon's JSON log file with size-based rotation: tracksync.log, then tracksync.log.1 (newest) to .N. Written
 * synchronously, line by line, so the last lines before a crash are on disk (pino-roll writes from a worker thread and
 * loses its buffer when the process dies, which is exactly the moment the log matters).
 */

export const LOG_FILE_NAME = 'tracksync.log';

/** Where logs go by default: ~/Library/Logs/tracksync on macOS (Console.app shows it), else beside the state. */
export function defaultLogDir(os: NodeJS.Platform, home: string = homedir(), stateDir?: string): string {
  if (os === 'darwin') return join(home, 'Library', 'Logs', 'tracksync');
  return join(stateDir ?? join(home, '.local', 'state', 'tracksync'), 'logs');
}

/** The log files, oldest first: tracksync.log.N … tracksync.log.1, tracksync.log. */
export function logFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const rotated = readdirSync(dir)
    .map((name) => ({
      name,
      n: name.startsWith(`${LOG_FILE_NAME}.`) ? Number(name.slice(LOG_FILE_NAME.length + 1)) : NaN,
    }))
    .filter((f) => Number.isInteger(f.n) && f.n > 0)
    .sort((a, b) => b.n - a.n)
    .map((f) => join(dir, f.name));
  return existsSync(join(dir, LOG_FILE_NAME)) ? [...rotated, join(dir, LOG_FILE_NAME)] : rotated;
}

export class RotatingLogFile {
  readonly #path: string;
  readonly #dir: string;
  readonly #maxFileBytes: number;
  readonly #keepFiles: number;
  #fd: number;
  #size: number;

  constructor(options: { dir: string; maxFileBytes: number; keepFiles: number }) {
    this.#dir = options.dir;
    this.#path = join(options.dir, LOG_FILE_NAME);
    this.#maxFileBytes = options.maxFileBytes;
    this.#keepFiles = options.keepFiles;
    mkdirSync(options.dir, { recursive: true });
    this.#fd = openSync(this.#path, 'a', 0o600);
    this.#size = fstatSync(this.#fd).size;
  }

  /** pino's destination interface: one call per JSON line. */
  write(line: string): boolean {
    const bytes = Buffer.byteLength(line);
    if (this.#size > 0 && this.#size + bytes > this.#maxFileBytes) this.#rotate();
    writeSync(this.#fd, line);
    this.#size += bytes;
    return true;
  }

  close(): void {
    closeSync(this.#fd);
  }

  #rotate(): void {
    closeSync(this.#fd);
    rmSync(join(this.#dir, `${LOG_FILE_NAME}.${this.#keepFiles}`), { force: true });
    for (let i = this.#keepFiles - 1; i >= 1; i--) {
      const from = join(this.#dir, `${LOG_FILE_NAME}.${i}`);
      if (existsSync(from)) renameSync(from, join(this.#dir, `${LOG_FILE_NAME}.${i + 1}`));
    }
    renameSync(this.#path, join(this.#dir, `${LOG_FILE_NAME}.1`));
    this.#fd = openSync(this.#path, 'a', 0o600);
    this.#size = 0;
  }
}
