import { musicSyncHandler } from './music-sync.js';
import { musicTrackHandler } from './music-track.js';
import { playlistSyncHandler } from './playlist-sync.js';
import type { Handler } from '../src/engine/contracts.js';

/**
 * The handlers tracksync ships with, in the order they are asked (the first that accepts an item gets it): playlist
 * tasks before general music-sync tasks. User handlers from the config file come before all of them.
 */
export function builtInHandlers(): Handler[] {
  return [musicTrackHandler, playlistSyncHandler, musicSyncHandler()] as Handler[];
}
