import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { packageRoot } from '../src/paths.js';

/**
 * Builds dist/ once before any test runs: tests that spawn the CLI run the built code (bin/tracksync.js), so
 * `npx vitest run test/x` works in a fresh clone. The build is incremental (dist/.tsbuildinfo): a few seconds when
 * nothing changed.
 */
export default function buildOnce(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: packageRoot(), stdio: 'inherit' });
}
