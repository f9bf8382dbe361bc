import type { Enqueue } from '../engine/contracts.js';
import { TrackSyncError, coerceError } from '../errors.js';
import type { Logger } from '../log.js';
import { eagleTags, type EagleClient, type TrackTagsForEagle } from '../services/eagle.js';

/** What an Eagle import needs; queued with the item when Eagle is not running, so the import can happen later. */
export interface EagleImport {
  readonly path: string;
  readonly name: string;
  readonly website: string;
  readonly playlist: string | null;
  readonly tags: TrackTagsForEagle;
}

/** The local queue deferred imports wait on (served by handlers/eagle-import.ts). */
export const EAGLE_IMPORT_QUEUE = 'eagle-import';

/** Whether a queued item's input is an Eagle import (it was written by this version or an earlier one). */
export function isEagleImport(value: unknown): value is EagleImport {
  const v = value as Partial<EagleImport> | null;
  return typeof v?.path === 'string' && typeof v.name === 'string' && typeof v.tags === 'object' && v.tags !== null;
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
 * The import as a pipeline step: Eagle not answering is not a failure of the track (the import is queued on the
 * eagle-import queue, handlers/eagle-import.ts, and done when Eagle answers); returns the item id, or null when it
 * waits or Eagle is not in use.
 */
export async function importOrDefer(
  deps: { eagle: EagleClient; enqueue: Enqueue; logger: Logger },
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
    deps.enqueue({ queue: EAGLE_IMPORT_QUEUE, pageId, title: item.name, data: item });
    deps.logger.warn({ err: error }, 'Eagle import deferred; the daemon imports it when Eagle answers');
    return null;
  }
}
