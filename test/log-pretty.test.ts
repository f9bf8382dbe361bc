import { prettyPrinter } from '../src/log-pretty.js';

// `tracksync logs` prints the daemon's JSON log for a person: level and message on one line, durations in words; a
// line that is not JSON (a crash trace copied into the log) must still show, unchanged, rather than vanish.
describe('prettyPrinter (src/log-pretty.ts)', () => {
  const pretty = prettyPrinter({ colorize: false });

  it('shows the level, the message and the fields with durations in words, without pid or hostname', () => {
    const line = JSON.stringify({
      level: 40,
      time: new Date(2026, 10, 24, 15, 4, 5).getTime(),
      pid: 4242,
      hostname: 'studio-mac',
      msg: 'download failed, retrying',
      retryInMs: 257_993,
    });
    const out = pretty(line);
    expect(out).toContain('[2026-11-24 15:04:05]');
    expect(out).toContain('WARN');
    expect(out).toContain('download failed, retrying');
    expect(out).toMatch(/retryIn: "in 4 min"/);
    expect(out).not.toContain('257993');
    expect(out).not.toContain('4242');
    expect(out).not.toContain('studio-mac');
    expect(out.endsWith('\n')).toBe(true);
    expect(out).not.toContain('\u001b[');
  });

  it('passes a line that is not JSON through as it is, with its line break', () => {
    expect(pretty('Error: boom\n    at main (dist/src/cli/main.js:12:3)')).toBe(
      'Error: boom\n    at main (dist/src/cli/main.js:12:3)\n',
    );
  });
});
