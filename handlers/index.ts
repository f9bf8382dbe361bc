import type { Handler } from './types.js';

/** The handlers tracksync ships with, in the order they are asked. User handlers from the config file come after. */
export function builtInHandlers(): Handler[] {
  return [];
}
