import { eagleImportHandler } from './eagle-import.js';
import { linksHandler } from './links.js';
import { musicSyncHandler } from './music-sync.js';
import { musicTrackHandler } from './music-track.js';
import { playlistSyncHandler } from './playlist-sync.js';
import type { Handler } from '../src/engine/contracts.js';

/**
 * The handlers tracksync ships with, in the order they are asked (the first that accepts an item gets it): playlist
 * tasks before general music-sync tasks. User handlers from the config file come before all of them. The last two serve
 * local queues of follow-up work on a synced row (src/app/sources/follow-ups.ts), never polled pages.
 */
export function builtInHandlers(): Handler[] {
  return [musicTrackHandler, playlistSyncHandler, musicSyncHandler(), linksHandler, eagleImportHandler] as Handler[];
}
