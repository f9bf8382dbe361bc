import type { EagleQueueStore } from '../../state/store.js';
import type { Clock } from '../clock.js';
import { TrackSyncError, coerceError } from '../errors.js';
import type { Logger } from '../log.js';
import { eagleTags, type EagleClient, type TrackTagsForEagle } from '../services/eagle.js';

/** What an Eagle import needs; kept in eagle_pending when Eagle is not running, so the import can happen later. */
export interface EagleImport {
  readonly path: string;
  readonly name: string;
  readonly website: string;
  readonly playlist: string | null;
  readonly tags: TrackTagsForEagle;
}

/** Imports one file into Playlists/<playlist or "Uncategorized"> (the legacy folder layout) and returns the item id. */
export async function importIntoEagle(eagle: EagleClient, item: EagleImport): Promise<string> {
  const folderId = await eagle.folderId(['Playlists', item.playlist ?? 'Uncategorized']);
  return eagle.import({
    path: item.path,
    name: item.name,
    website: item.website,
    tags: eagleTags(item.tags),
    folderId,
  });
}

/**
 * The import as a pipeline step: Eagle not answering is not a failure of the track (the import waits in eagle_pending
 * and the daemon retries it when Eagle is back); returns the item id, or null when it waits or Eagle is not in use.
 */
export async function importOrDefer(
  deps: { eagle: EagleClient; store: EagleQueueStore; clock: Clock; logger: Logger },
  pageId: string,
  item: EagleImport,
): Promise<string | null> {
  const { eagle } = deps;
  if (!eagle.explicit && !(await eagle.available())) return null; // no Eagle on this Mac: nothing to do
  try {
    if (!(await eagle.available())) throw new TrackSyncError('EAGLE_UNAVAILABLE', 'Eagle is not running');
    return await importIntoEagle(eagle, item);
  } catch (raw) {
    const error = coerceError(raw);
    if (error.code !== 'EAGLE_UNAVAILABLE' && error.code !== 'EAGLE_FAILED') throw error;
    deps.store.addEaglePending(pageId, item.path, item, deps.clock.now());
    deps.logger.warn({ err: error }, 'Eagle import deferred; the daemon retries it when Eagle answers');
    return null;
  }
}
