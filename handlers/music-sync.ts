import { isRoutedToUs } from '../src/app/sources/tasks.js';
import { taskOutcome, type TrackLine } from '../src/handoff/report.js';
import {
  DEFAULT_FALLBACKS,
  RowBudget,
  readTargets,
  runFallbackChain,
  syncPlaylist,
  syncUrl,
  taskLimit,
  taskText,
  type FallbackSource,
} from './task-sync.js';
import type { Handler } from '../src/engine/contracts.js';
import type { TaskOutcome } from '../src/domain/outcomes.js';

/**
 * A "Music Track Sync" task: every URL in its Description, Next Required Step or Success Criteria is synced (found or
 * created in Music Tracks, then run through the track pipeline now); playlists among them are expanded; a task with no
 * URL runs the fallback chain. The result is handed back on the task: status, summary, report.
 */
export function musicSyncHandler(
  fallbacks: readonly FallbackSource[] = DEFAULT_FALLBACKS,
): Handler<'tasks', TaskOutcome> {
  return {
    name: 'music-sync',
    source: 'tasks',
    accepts: (input, config) => isRoutedToUs(input.fields, config.routing),
    async run(ctx) {
      const text = taskText(ctx);
      const { limit, asked, note } = taskLimit(text, ctx.config.tasks.maxTracksPerTask);
      // A "limit" in the text lowers every cap of the task, the rows it may create included.
      const budget = new RowBudget(Math.min(ctx.config.tasks.maxNewRowsPerTask, asked ?? Infinity));
      const targets = readTargets(text);
      const lines: TrackLine[] = [...targets.problems];
      const notes = [...targets.notes, ...(note ? [note] : [])];
      for (const playlist of targets.playlists) {
        const result = await syncPlaylist(ctx, playlist, Math.min(limit, ctx.config.tasks.maxPlaylistTracks), budget);
        lines.push(...result.lines);
        notes.push(...result.notes);
      }
      for (const target of targets.tracks.slice(0, limit)) lines.push(await syncUrl(ctx, target, budget));
      if (targets.tracks.length > limit)
        notes.push(`The task lists ${targets.tracks.length} tracks; the first ${limit} were synced (limit).`);
      if (targets.tracks.length === 0 && targets.playlists.length === 0 && targets.problems.length === 0) {
        const chain = await runFallbackChain(ctx, fallbacks, limit, budget);
        lines.push(...chain.lines);
        notes.push(...chain.notes);
      }
      const rows = budget.note();
      if (rows) notes.push(rows);
      return taskOutcome(lines, `task "${String(ctx.input.fields.title ?? '')}"`, notes);
    },
  };
}
