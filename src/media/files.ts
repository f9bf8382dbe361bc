import { copyFile, mkdir, open, rename, rm, stat } from 'node:fs/promises';

/**
 * The file-system calls placement makes in the output folders, as one injected boundary (default: node:fs/promises).
 * A full disk is the failure these folders meet in real life (an external drive, a 256 GB Mac); the fault suite fills a
 * real 1 MiB tmpfs where the machine lets it mount one, and otherwise gives the daemon these calls with a disk that
 * fills after a number of bytes (test/faults/disk-full.test.ts).
 */
export interface PlacementFiles {
  readonly copyFile: typeof copyFile;
  readonly open: typeof open;
  readonly rename: typeof rename;
  readonly rm: typeof rm;
  readonly mkdir: typeof mkdir;
  readonly stat: typeof stat;
}

export const nodeFiles: PlacementFiles = { copyFile, open, rename, rm, mkdir, stat };
