import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { returnFileName, writeReturnFile, type ReturnHandoff } from '../../src/handoff/return-file.js';
import { problemLine } from '../../src/handoff/report.js';
import { tempDir } from '../helpers/tmp.js';

// Agents reading the legacy handoff folders find tracksync's result by the task id, in a whole file they may read.
describe('the RETURN handoff file', () => {
  const when = new Date('2026-11-24T15:04:05.678Z');
  const input: ReturnHandoff = {
    taskId: 'task-1',
    taskTitle: 'Music Sync: a/b ../c',
    taskUrl: 'https://www.notion.so/task-1',
    status: 'Completed',
    summary: '1 synced, 1 failed',
    tracks: [
      {
        ...problemLine('Solar Echo - Golden Hour', ''),
        succeeded: true,
        outcome: 'synced',
        reason: null,
        bpm: 122,
        key: 'A minor',
        pageUrl: 'https://www.notion.so/row',
        paths: ['/out/Solar Echo - Golden Hour.m4a'],
      },
      problemLine('https://example.com/x', 'the source is private'),
    ],
    when,
  };

  it('is named by time and a safe title that cannot leave the folder', () => {
    expect(returnFileName(input.taskTitle, when)).toBe('20261124T150405Z__RETURN__Music-Sync-a-b-..-c__tracksync.json');
    expect(returnFileName('', when)).toBe('20261124T150405Z__RETURN__task__tracksync.json');
  });

  it('carries the task id, what was done and what failed; gets the folder permissions without execute bits', async () => {
    const dir = tempDir();
    const folder = join(dir, 'handoffs');
    mkdirSync(folder);
    chmodSync(folder, 0o700);
    const path = await writeReturnFile(folder, input);
    expect(readdirSync(folder)).toEqual([returnFileName(input.taskTitle, when)]); // no temp file left behind
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const json = JSON.parse(readFileSync(path, 'utf8'));
    expect(json).toMatchObject({
      type: 'RETURN_HANDOFF',
      notion_task_id: 'task-1',
      original_task: { task_id: 'task-1', status_update: 'Completed' },
      timestamp: '2026-11-24T15:04:05.678Z',
    });
    expect(json.execution_summary.work_completed).toEqual(['Solar Echo - Golden Hour: synced, 122 BPM, A minor']);
    expect(json.execution_summary.deliverables).toEqual([
      {
        type: 'notion_page',
        url: 'https://www.notion.so/row',
        description: 'Music Tracks row of Solar Echo - Golden Hour',
      },
      { type: 'file', path: '/out/Solar Echo - Golden Hour.m4a', description: 'Solar Echo - Golden Hour (m4a)' },
    ]);
    expect(json.execution_summary.issues_found).toEqual(['https://example.com/x: the source is private']);
    expect(json.next_steps).toHaveLength(1);
  });
});
