import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Store } from '../../state/store.js';
import type { Config } from '../config/load.js';
import type { Logger } from '../log.js';

/**
 * At start, what a crash left behind: temp files next to their final names (recorded before they were written) and
 * work folders of items that are finished or unknown. Work folders of items still to do are kept: they resume.
 */
export async function removeLeftovers(
  store: Store,
  config: Config,
  logger: Logger,
): Promise<{ tempFiles: number; workFolders: number }> {
  let tempFiles = 0;
  for (const pending of store.library.listPendingFiles()) {
    await rm(pending.path, { force: true }).catch((error: unknown) =>
      logger.warn({ err: error, path: pending.path }, 'could not remove a leftover temp file'),
    );
    store.library.removePendingFile(pending.path);
    tempFiles += 1;
  }
  let workFolders = 0;
  const workRoot = join(config.stateDir, 'work');
  const entries = await readdir(workRoot).catch(() => [] as string[]);
  for (const entry of entries) {
    const item = /^\d+$/.test(entry) ? store.items.getItem(Number(entry)) : undefined;
    if (item && item.state !== 'done' && item.state !== 'failed') continue;
    await rm(join(workRoot, entry), { recursive: true, force: true });
    workFolders += 1;
  }
  if (tempFiles + workFolders > 0) logger.info({ tempFiles, workFolders }, 'removed what an earlier run left behind');
  return { tempFiles, workFolders };
}
