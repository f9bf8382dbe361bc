import { musicTrackHandler } from './music-track.js';
import type { Handler } from './types.js';

/** The handlers tracksync ships with, in the order they are asked. User handlers from the config file come before them. */
export function builtInHandlers(): Handler[] {
  return [musicTrackHandler as Handler];
}
