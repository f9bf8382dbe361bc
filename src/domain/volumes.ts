import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * A folder on an external volume is used only when the volume is mounted: creating /Volumes/VIBES/... on the system
 * disk
 * while the drive is unplugged would scatter files where the user never looks (the legacy code exited at import time).
 */
export function unmountedVolume(folder: string): string | undefined {
  const match = resolve(folder).match(/^\/Volumes\/([^/]+)/);
  if (!match) return undefined;
  const mount = `/Volumes/${match[1]}`;
  return existsSync(mount) ? undefined : mount;
}
