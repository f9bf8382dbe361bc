import { execa } from 'execa';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../src/paths.js';

// Migrations and the plist template are found from the package root, and the same code runs from src/ (tests) and
// from dist/src/ (the installed CLI): both must find the same folder.
describe('packageRoot (src/paths.ts)', () => {
  it('finds the folder with package.json and state/migrations, from src/ and from the built dist/', async () => {
    const root = packageRoot();
    expect((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string }).name).toBe('tracksync');
    expect(existsSync(join(root, 'state', 'migrations'))).toBe(true);
    const built = join(root, 'dist', 'src', 'paths.js');
    const fromDist = await execa(process.execPath, [
      '--input-type=module',
      '-e',
      `import { packageRoot } from ${JSON.stringify(built)}; process.stdout.write(packageRoot());`,
    ]);
    expect(fromDist.stdout).toBe(root);
  });
});
