import type { RunOutcome } from '../engine/contracts.js';

/**
 * The words an item's outcome can be, per handler: stored as `items.outcome`, sent in the `item:done` event, shown by
 * `tracksync status`, the status page and the task reports (src/handoff/report.ts gives each its words). A handler is
 * typed with its own union (`Handler<'tracks', TrackOutcome>`), so an outcome no one reads cannot be returned.
 */

/** The track pipeline on a Music Tracks row (handlers/music-track.ts). */
export type TrackOutcome =
  /** Downloaded, analysed, converted and placed. */
  | 'synced'
  /** The files were already on disk (a duplicate, or files a person put there): taken over, not downloaded again. */
  | 'adopted'
  /** No audio source was found: the metadata the services know is written, with no files. */
  | 'metadata-only'
  /** The row duplicated another one: merged into it and moved to the trash. */
  | 'merged';

/** A music task on Agent-Tasks (handlers/music-sync.ts, playlist-sync.ts): the status the task was given. */
export type TaskOutcome = 'completed' | 'failed' | 'blocked';

/** A follow-up on a synced row: its links looked for (handlers/links.ts), its Eagle import done (eagle-import.ts). */
export type FollowUpOutcome = 'links' | 'imported';

/** A job of the app (src/app/music.ts): the playlists exported, the feeds read. */
export type JobOutcome = 'exported' | 'read';

export type HandlerOutcome = TrackOutcome | TaskOutcome | FollowUpOutcome | JobOutcome;

/** Every outcome a person can read: a handler's, or what the engine says of a run that did not reach one. */
export type Outcome = HandlerOutcome | RunOutcome;
