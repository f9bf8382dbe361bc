import { randomUUID } from 'node:crypto';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeTextAtomically } from '../text-file.js';
import type { TrackLine } from './report.js';

/**
 * The RETURN handoff file of the legacy agent system (docs/legacy-bugs.md, "RETURN handoff files", shape D), so agents
 * that read handoff
 * folders see tracksync's results. Unlike every legacy RETURN file, it carries the Notion task id in a stable place:
 * `notion_task_id` (and `original_task.task_id`).
 */

export interface ReturnHandoff {
  readonly taskId: string;
  readonly taskTitle: string;
  readonly taskUrl: string;
  readonly status: string;
  readonly summary: string;
  readonly tracks: readonly TrackLine[];
  readonly when: Date;
}

/** `<UTC yyyymmddThhmmssZ>__RETURN__<title, spaces and "/" as "-", at most 40>__tracksync.json` */
export function returnFileName(title: string, when: Date): string {
  const stamp = when
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const safeTitle =
    title
      .replace(/[\s/\\:]+/g, '-')
      .replace(/[^\p{L}\p{N}._-]/gu, '')
      .slice(0, 40) || 'task';
  return `${stamp}__RETURN__${safeTitle}__tracksync.json`;
}

export function returnHandoff(input: ReturnHandoff): Record<string, unknown> {
  const done = input.tracks.filter((t) => t.succeeded);
  const failed = input.tracks.filter((t) => !t.succeeded);
  return {
    return_handoff_id: randomUUID(),
    timestamp: input.when.toISOString(),
    type: 'RETURN_HANDOFF',
    notion_task_id: input.taskId,
    executing_agent: 'tracksync',
    originating_agent: null,
    original_task: {
      task_id: input.taskId,
      task_title: input.taskTitle,
      task_url: input.taskUrl,
      status_update: input.status,
    },
    execution_summary: {
      work_completed: done.map(
        (t) => `${t.label}: ${t.outcome}${t.bpm !== null ? `, ${t.bpm} BPM` : ''}${t.key ? `, ${t.key}` : ''}`,
      ),
      deliverables: done.flatMap((t) => [
        ...(t.pageUrl ? [{ type: 'notion_page', url: t.pageUrl, description: `Music Tracks row of ${t.label}` }] : []),
        ...t.paths.map((path) => ({ type: 'file', path, description: `${t.label} (${path.split('.').pop()})` })),
      ]),
      findings: [input.summary],
      recommendations: [],
      issues_found: failed.map((t) => `${t.label}: ${t.reason ?? t.outcome}`),
    },
    next_steps:
      failed.length > 0
        ? ['Check the failed tracks listed in issues_found; tracksync retries transient failures by itself.']
        : [],
    archive_rule: 'Archive once read.',
  };
}

/**
 * Written as a temp file in the same folder, fsynced, then renamed: readers never see half a file. The file gets the
 * folder's permissions without the execute bits (a 0770 folder shared with the agents' group gives 0660 files, a
 * private 0700 folder 0600 files), whatever this process's umask says.
 */
export async function writeReturnFile(folder: string, input: ReturnHandoff): Promise<string> {
  await mkdir(folder, { recursive: true });
  const mode = (await stat(folder)).mode & 0o666;
  const path = join(folder, returnFileName(input.taskTitle, input.when));
  await writeTextAtomically(path, `${JSON.stringify(returnHandoff(input), null, 2)}\n`, { mode });
  return path;
}
