import { isRoutedToUs } from '../src/app/sources/tasks.js';
import { problemLine, taskOutcome } from '../src/handoff/report.js';
import { RowBudget, readTargets, syncPlaylist, taskLimit, taskText } from './task-sync.js';
import type { Handler } from '../src/engine/contracts.js';
import type { TaskOutcome } from '../src/domain/outcomes.js';

/**
 * "Sync playlist <url>": a SoundCloud set or a Spotify playlist, every track given a row and linked to the playlist.
 */
export const playlistSyncHandler: Handler<'tasks', TaskOutcome> = {
  name: 'playlist-sync',
  source: 'tasks',
  accepts(input, config) {
    if (!isRoutedToUs(input.fields, config.routing)) return false;
    const title = String(input.fields.title ?? '').toLowerCase();
    const text = [input.fields.description, input.fields.nextStep, input.fields.successCriteria]
      .map((v) => (typeof v === 'string' ? v : ''))
      .join('\n');
    const targets = readTargets(text);
    // A playlist task by its title, or a task whose only URLs are playlists.
    return (
      /\b(sync playlist|playlist sync)\b/.test(title) || (targets.playlists.length > 0 && targets.tracks.length === 0)
    );
  },
  async run(ctx) {
    const text = taskText(ctx);
    const targets = readTargets(text);
    if (targets.playlists.length === 0) {
      return taskOutcome(
        [
          problemLine(
            'the task',
            'no SoundCloud set or Spotify playlist URL in the task; put the playlist URL in the Description',
          ),
        ],
        `task "${String(ctx.input.fields.title ?? '')}"`,
      );
    }
    const { limit, asked, note } = taskLimit(text, ctx.config.tasks.maxPlaylistTracks, 'tasks.maxPlaylistTracks');
    const budget = new RowBudget(Math.min(ctx.config.tasks.maxNewRowsPerTask, asked ?? Infinity));
    const lines = [];
    const notes = [...targets.notes, ...(note ? [note] : [])];
    for (const playlist of targets.playlists) {
      const result = await syncPlaylist(ctx, playlist, limit, budget);
      lines.push(...result.lines);
      notes.push(...result.notes);
    }
    const rows = budget.note();
    if (rows) notes.push(rows);
    return taskOutcome(lines, `playlist task "${String(ctx.input.fields.title ?? '')}"`, notes);
  },
};
