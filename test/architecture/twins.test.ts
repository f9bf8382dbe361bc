import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { packageRoot } from '../../src/paths.js';

const root = packageRoot();

/**
 * Tests mirror files (issue 13, docs/architecture.md): every module with logic has its test file at its twin path,
 * src/a/b.ts -> test/a/b.test.ts, handlers/x.ts -> test/handlers/x.test.ts, state/x.ts -> test/state/x.test.ts, so
 * the next engineer finds a module's tests without searching. A module without a twin is listed here with why.
 * src/sandbox/ is left out: the local imitations of Notion, Spotify, Eagle and the media site are what every other
 * test runs against, and test/sandbox/ checks their fidelity to the real services as a whole.
 */
const WITHOUT_TWIN: Readonly<Record<string, string>> = {
  'src/config/constants.ts': 'constants only (the numbers that are not settings)',
  'src/domain/outcomes.ts': 'types only (the handlers’ outcome words)',
  'src/engine/contracts.ts': 'types only (the engine’s contracts) and a one-line type guard',
  'src/media/files.ts': 'an interface and node:fs/promises bound to it (the file-system boundary)',
  'src/notion/databases.ts': 'the declarative Notion contract; test/notion/schema.test.ts resolves it against schemas',
  'state/rows.ts': 'types only (the SQLite rows)',
};

function modules(): string[] {
  return ['src', 'handlers', 'state']
    .flatMap((dir) =>
      readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
        .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
        .map((e) => relative(root, join(e.parentPath, e.name))),
    )
    .filter((path) => !path.startsWith('src/sandbox/'));
}

function twinOf(path: string): string {
  const bare = path.replace(/\.ts$/, '.test.ts');
  return join('test', bare.startsWith('src/') ? bare.slice('src/'.length) : bare);
}

describe('the test tree mirrors the source tree', () => {
  it('gives every module its test file at its twin path, or a reason in this file', () => {
    const missing = modules().filter((m) => !(m in WITHOUT_TWIN) && !existsSync(join(root, twinOf(m))));
    expect(missing.map((m) => `${m}: no ${twinOf(m)}`)).toEqual([]);
  });

  it('keeps no stale reason: each listed module exists and still has no twin', () => {
    const stale = Object.keys(WITHOUT_TWIN).filter(
      (m) => !existsSync(join(root, m)) || existsSync(join(root, twinOf(m))),
    );
    expect(stale).toEqual([]);
  });
});
