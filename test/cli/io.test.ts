import { PassThrough } from 'node:stream';
import { colorsFor, mark, note, table, type CliIO } from '../../src/cli/io.js';

// What every command prints goes through these: colour only on a terminal and never with NO_COLOR, --no-color or
// TERM=dumb (https://no-color.org), tables that line up whatever the colour codes, and notes that -q silences.
describe('the CLI output helpers (src/cli/io.ts)', () => {
  const terminal = (): PassThrough => Object.assign(new PassThrough(), { isTTY: true });
  const io = (stdout: NodeJS.WritableStream, extra: Partial<CliIO> = {}): CliIO => ({
    stdout,
    stderr: new PassThrough(),
    env: {},
    cwd: '/',
    ...extra,
  });

  it('colours on a terminal only, and never with NO_COLOR, --no-color or TERM=dumb', () => {
    expect(colorsFor(io(terminal())).red('x')).not.toBe('x');
    expect(colorsFor(io(new PassThrough())).red('x')).toBe('x');
    expect(colorsFor(io(terminal(), { env: { NO_COLOR: '1' } })).red('x')).toBe('x');
    expect(colorsFor(io(terminal(), { env: { TERM: 'dumb' } })).red('x')).toBe('x');
    expect(colorsFor(io(terminal(), { color: false })).red('x')).toBe('x');
    // NO_COLOR set but empty does not count (no-color.org: "present and not an empty string").
    expect(colorsFor(io(terminal(), { env: { NO_COLOR: '' } })).red('x')).not.toBe('x');
  });

  it('marks checks with words of one width, so doctor lines align', () => {
    const plain = io(new PassThrough());
    expect(['ok', 'warn', 'fail', 'skip'].map((s) => mark(plain, s as 'ok'))).toEqual(['OK  ', 'WARN', 'FAIL', '-   ']);
  });

  it('pads table columns to their widest cell as seen on screen, colour codes taking no room', () => {
    const red = colorsFor(io(terminal())).red;
    const text = table([
      ['track', 'BPM', 'outcome'],
      ['Jóga', '124', red('failed')],
      ['A longer title', '', 'synced'],
    ]);
    const visible = text.replace(/\u001b\[[0-9;]*m/g, '').split('\n');
    expect(visible).toEqual([
      'track           BPM  outcome',
      'Jóga            124  failed',
      'A longer title       synced',
    ]);
  });

  it('prints notes on standard error, and none with -q', () => {
    const loud = io(new PassThrough());
    note(loud, 'Syncing 3 rows');
    expect((loud.stderr as PassThrough).read()?.toString()).toBe('Syncing 3 rows\n');
    const quiet = io(new PassThrough(), { quiet: true });
    note(quiet, 'Syncing 3 rows');
    expect((quiet.stderr as PassThrough).read()).toBeNull();
  });
});
