import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cachedRoot: string | undefined;

/**
 * The repository (package) root, found by walking up from this file. The same code runs from src/ under the test
 * runner and from dist/src/ when built, so assets (migrations, the plist template) are located from here.
 */
export function packageRoot(): string {
  if (cachedRoot !== undefined) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i += 1) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'state', 'migrations'))) {
      cachedRoot = dir;
      return dir;
    }
    dir = dirname(dir);
  }
  throw new Error(`cannot find the tracksync package root above ${fileURLToPath(import.meta.url)}`);
}
