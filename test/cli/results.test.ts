import { PassThrough } from 'node:stream';
import { printResults } from '../../src/cli/results.js';
import type { TrackLine } from '../../src/handoff/report.js';

// The table `once` and `sync` end with is what the DJ reads: what was measured, where the audio came from, what
// happened to each row in words (with the reason for a failure), and the full path of every file to open.
describe('the result table (src/cli/results.ts)', () => {
  const run = (lines: TrackLine[], terminal = false): string => {
    const stdout = Object.assign(new PassThrough(), terminal ? { isTTY: true } : {});
    printResults({ stdout, stderr: new PassThrough(), env: {}, cwd: '/' }, lines);
    return String(stdout.read() ?? '');
  };
  const line = (extra: Partial<TrackLine>): TrackLine => ({
    label: 'Band - Song',
    pageUrl: null,
    pageId: null,
    succeeded: true,
    outcome: 'synced',
    bpm: 124,
    key: 'A Minor',
    camelot: '8A',
    paths: [],
    reason: null,
    source: 'SoundCloud',
    blocking: false,
    ...extra,
  });

  it('prints nothing when nothing was processed', () => {
    expect(run([])).toBe('');
  });

  it('one row per track with BPM, key, Camelot, source, outcome in words and the file formats; then each path', () => {
    const out = run([
      line({ paths: ['/music/Band - Song.m4a', '/music/Band - Song.aiff'] }),
      line({
        label: 'Other - Gone',
        succeeded: false,
        outcome: 'failed',
        bpm: null,
        key: '',
        camelot: '',
        source: '',
        reason: 'the source was removed [SOURCE_NOT_FOUND]',
      }),
    ]);
    const rows = out.split('\n');
    expect(rows[1]).toMatch(/^track\s+BPM\s+key\s+Camelot\s+source\s+outcome\s+files$/);
    expect(out).toMatch(/Band - Song\s+124\s+A Minor\s+8A\s+SoundCloud\s+synced\s+m4a, aiff/);
    // A row without a measurement leaves the cell empty (not "null"); no files shows "-".
    expect(out).toMatch(/Other - Gone\s+failed: the source was removed \[SOURCE_NOT_FOUND\]\s+-/);
    expect(out).not.toContain('null');
    expect(out).toContain('Files:\n  /music/Band - Song.m4a\n  /music/Band - Song.aiff\n');
  });

  it('says outcomes in words, and leaves out the Files list when no file was written', () => {
    const out = run([line({ outcome: 'metadata-only', succeeded: true })]);
    expect(out).toContain('no audio source found (metadata written)');
    expect(out).not.toContain('Files:');
  });

  it('colours successes green and failures red on a terminal only', () => {
    const lines = [line({}), line({ label: 'X', succeeded: false, outcome: 'failed', reason: 'no' })];
    expect(run(lines, true)).toMatch(/\u001b\[32msynced\u001b\[39m[\s\S]*\u001b\[31mfailed: no\u001b\[39m/);
    expect(run(lines)).not.toContain('\u001b[');
  });
});
