import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOG_FILE_NAME, RotatingLogFile, defaultLogDir, logFiles } from '../src/log-file.js';
import { tempDir } from './helpers/tmp.js';

// `tracksync logs` reads the files in the order logFiles gives, so the order must be by number (.10 is older than
// .9), and a restarted daemon must count the bytes already in its file, or the file grows past its cap.
// Rotation through the logger as a whole is tested with `tracksync logs` (test/cli/commands/logs.test.ts).
describe('the rotating log file (src/log-file.ts)', () => {
  const root = tempDir();

  it('puts logs in ~/Library/Logs/tracksync on macOS and beside the state elsewhere', () => {
    expect(defaultLogDir('darwin', '/Users/dj')).toBe('/Users/dj/Library/Logs/tracksync');
    expect(defaultLogDir('linux', '/home/dj')).toBe('/home/dj/.local/state/tracksync/logs');
    expect(defaultLogDir('linux', '/home/dj', '/srv/tracksync')).toBe('/srv/tracksync/logs');
  });

  it('lists the log files oldest first, by number, and nothing else in the folder', () => {
    const dir = join(root, 'listed');
    const file = new RotatingLogFile({ dir, maxFileBytes: 1_000, keepFiles: 12 });
    file.close();
    for (const name of ['1', '2', '9', '10', 'x', '0', 'bak'].map((n) => `${LOG_FILE_NAME}.${n}`))
      writeFileSync(join(dir, name), '');
    writeFileSync(join(dir, 'other.log'), '');
    expect(logFiles(dir).map((f) => f.slice(dir.length + 1))).toEqual([
      `${LOG_FILE_NAME}.10`,
      `${LOG_FILE_NAME}.9`,
      `${LOG_FILE_NAME}.2`,
      `${LOG_FILE_NAME}.1`,
      LOG_FILE_NAME,
    ]);
    expect(logFiles(join(root, 'missing'))).toEqual([]);
  });

  it('appends after a restart and counts what the file already holds before rotating', () => {
    const dir = join(root, 'restarted');
    const line = (n: number): string => `${JSON.stringify({ n, pad: 'x'.repeat(40) })}\n`; // 60 bytes
    const first = new RotatingLogFile({ dir, maxFileBytes: 200, keepFiles: 2 });
    first.write(line(1));
    first.write(line(2));
    first.close();
    const second = new RotatingLogFile({ dir, maxFileBytes: 200, keepFiles: 2 });
    second.write(line(3));
    second.write(line(4)); // 240 bytes with this one: the file rotates first
    second.close();
    const read = (f: string): number[] =>
      readFileSync(f, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { n: number }).n);
    expect(logFiles(dir).map(read)).toEqual([[1, 2, 3], [4]]);
  });

  it('keeps only keepFiles old files, dropping the oldest', () => {
    const dir = join(root, 'kept');
    const file = new RotatingLogFile({ dir, maxFileBytes: 10, keepFiles: 2 });
    for (const n of [1, 2, 3, 4, 5]) file.write(`line ${n} ..\n`); // 10 bytes each: one line per file
    file.close();
    expect(logFiles(dir).map((f) => readFileSync(f, 'utf8'))).toEqual(['line 3 ..\n', 'line 4 ..\n', 'line 5 ..\n']);
  });
});
