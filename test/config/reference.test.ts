import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { settingKeys, withReference } from '../../src/config/reference.js';
import { ENVIRONMENT } from '../../src/config/schema.js';
import { packageRoot } from '../../src/paths.js';
import { tempDir } from '../helpers/tmp.js';
import { base } from './problems.js';

/** The README's Configuration section and the schema cannot drift apart. */
describe("the README's Configuration section", () => {
  const readme = readFileSync(join(packageRoot(), 'README.md'), 'utf8');
  const start = readme.indexOf('## Configuration\n');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const dir = tempDir();

  it('holds the reference generated from the schema, unchanged (run `npm run docs:config` after a schema change)', () => {
    const regenerated = withReference(readme);
    expect(regenerated).toBeDefined();
    expect(regenerated === readme).toBe(true);
  });

  it('names every environment variable and every key of the schema, and no variable or key the schema lacks', () => {
    for (const variable of ENVIRONMENT) expect(section).toContain(`\`${variable.name}\``);
    const keys = settingKeys().map((k) => k.path);
    for (const key of keys) expect(section).toContain(`\`${key}\``);
    // Variables that choose the file rather than set a setting.
    const locators = new Set(['TRACKSYNC_CONFIG', 'XDG_CONFIG_HOME', 'XDG_STATE_HOME', 'HOME']);
    const named = new Set([...section.matchAll(/`([A-Z][A-Z0-9_]{2,})(?:=[^`]*)?`/g)].map((m) => m[1]!));
    const known = new Set(ENVIRONMENT.map((e) => e.name as string));
    expect([...named].filter((n) => !known.has(n) && !locators.has(n))).toEqual([]);
    // Backquoted dotted keys (`section.key`), in the tables and the text, are all keys of the schema.
    const dotted = [...section.matchAll(/`([a-z][A-Za-z]*(?:\.[a-z][A-Za-z0-9]*)+)`/g)].map((m) => m[1]!);
    expect(dotted.length).toBeGreaterThan(100);
    const notFiles = dotted.filter((d) => !/\.(json|js|ts|env|m3u8|xml)$/.test(d));
    expect(notFiles.filter((d) => !keys.includes(d))).toEqual([]);
  });

  it('shows an example config file the schema accepts', () => {
    const example = /```json\n([\s\S]*?)```/.exec(section)?.[1];
    expect(example).toBeDefined();
    const path = join(dir, 'config.json');
    writeFileSync(path, example!);
    const config = loadConfig({
      env: { ...base, TRACKSYNC_CONFIG: path },
      cwd: dir,
      platform: 'darwin',
      home: dir,
    });
    // The file's values arrive, not the defaults.
    expect(config.playlists.sortProperty).toBe('Set Order');
    expect(config.feeds.cron).toBe('*/15 * * * *');
    expect(config.handlers).toEqual([join(dir, 'my-handler.js')]);
  });
});
