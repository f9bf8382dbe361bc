import { randomUUID } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Clock } from './clock.js';
import { coerceError } from './errors.js';

/**
 * Writes a text file so that readers see the old file or the new one, never half of one: a temp file in the same
 * folder, fsynced, then renamed over the target. With `store`, the temp file is recorded first (pending_files), so a
 * crash between the two leaves nothing behind after the next start (daemon/leftovers.ts). With `mode`, the file gets
 * exactly that mode whatever the process's umask (the RETURN handoff file takes its folder's); else the umask applies.
 */
/** Where a temp file is recorded before it is written (state/library.ts implements it). */
export interface PendingFiles {
  addPendingFile(path: string, itemId: number | null, now: number): void;
  removePendingFile(path: string): void;
}

export async function writeTextAtomically(
  path: string,
  text: string,
  options: { store?: PendingFiles; clock?: Clock; mode?: number } = {},
): Promise<void> {
  const temp = join(dirname(path), `.${basename(path).slice(0, 60)}.tracksync-${randomUUID().slice(0, 8)}.tmp`);
  options.store?.addPendingFile(temp, null, (options.clock ?? { now: Date.now }).now());
  try {
    const handle = await open(temp, 'wx', options.mode === undefined ? 0o666 : 0o600);
    try {
      if (options.mode !== undefined) await handle.chmod(options.mode);
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw coerceError(error);
  } finally {
    options.store?.removePendingFile(temp);
  }
}
