import { blockText } from '../../src/notion/blocks.js';
import { outcomeWords, problemLine, reportBlocks, taskOutcome, type TrackLine } from '../../src/handoff/report.js';

// The task's status and summary are what the person who filed it reads first: Completed only when something synced,
// Blocked when a person must act, Failed otherwise; each failure named with its reason.
const synced: TrackLine = {
  ...problemLine('Solar Echo - Golden Hour', ''),
  succeeded: true,
  outcome: 'synced',
  reason: null,
  bpm: 122,
  key: 'A minor',
  camelot: '8A',
  pageUrl: 'https://www.notion.so/row',
  paths: ['/out/Solar Echo - Golden Hour.m4a'],
};

describe('task outcome and report', () => {
  it('completes a task when some tracks synced, and names the ones that did not', () => {
    const result = taskOutcome([synced, problemLine('https://x.test/a', 'the source is private')], 'task "T"');
    expect(result.taskStatus).toBe('completed');
    expect(result.summary).toContain(
      'Synced 1 of 2 track(s) of task "T"; not synced: https://x.test/a (the source is private)',
    );
    expect(result.details).toMatchObject({ errorCount: 1 });
  });

  it('blocks a task that needs a person, fails one that does not, and fails an empty one with its notes', () => {
    const blocking = taskOutcome([problemLine('playlist', 'not yours', true), problemLine('b', 'gone')], 'task "T"');
    expect(blocking.taskStatus).toBe('blocked');
    expect(blocking.summary).toMatch(/^Blocked: none of the 2 track\(s\)/);
    expect(taskOutcome([problemLine('b', 'gone')], 'x').taskStatus).toBe('failed');
    const empty = taskOutcome([], 'task "T"', ['No URL was found.']);
    expect(empty).toMatchObject({ taskStatus: 'failed', summary: 'Nothing to sync for task "T". No URL was found.' });
  });

  it('reports each track with its facts and files, then the notes', () => {
    const text = reportBlocks([synced, problemLine('b', 'gone')], ['a note']).map(blockText);
    expect(text).toEqual([
      '1 of 2 track(s) synced.',
      'Solar Echo - Golden Hour · synced · 122 BPM · A minor (8A)',
      '    /out/Solar Echo - Golden Hour.m4a',
      'b · failed · reason: gone',
      'Notes',
      'a note',
    ]);
  });

  it('says every outcome in words, and an unknown one with spaces for its dashes', () => {
    expect(outcomeWords('adopted')).toBe('files already on disk, adopted');
    expect(outcomeWords('from-a-plugin')).toBe('from a plugin');
  });
});
