import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../src/config/load.js';
import type { Handler, ItemInput, JobHandler } from '../../src/engine/contracts.js';
import { HandlerRegistry, loadUserHandlers } from '../../src/engine/registry.js';
import { ConfigError } from '../../src/errors.js';
import { packageRoot } from '../../src/paths.js';
import { tempDir } from '../helpers/tmp.js';

const config = {} as Config;
const handler = (name: string, source: 'tracks' | 'tasks', accepts: (input: ItemInput) => boolean): Handler =>
  ({ name, source, accepts, run: async () => ({ outcome: 'done' }) }) as Handler;
const input = (source: 'tracks' | 'tasks', title: string): ItemInput =>
  ({ source, page: {} as ItemInput['page'], fields: { title } }) as ItemInput;

describe('the handler registry (src/engine/registry.ts)', () => {
  it('gives an item to the first handler of its source that accepts it', () => {
    const registry = new HandlerRegistry([
      handler('mine', 'tracks', (i) => String(i.fields.title).startsWith('Mine:')),
      handler('music-track', 'tracks', () => true),
      handler('music-sync', 'tasks', () => true),
    ]);
    expect(registry.find(input('tracks', 'Mine: a song'), config)?.name).toBe('mine');
    expect(registry.find(input('tracks', 'a song'), config)?.name).toBe('music-track');
    expect(registry.find(input('tasks', 'Mine: a task'), config)?.name).toBe('music-sync');
    expect(registry.queues()).toEqual(['tracks', 'tasks']);
    expect(registry.byName('music-sync')).toMatchObject({ source: 'tasks' });
  });

  it('leaves an item no handler accepts to nobody', () => {
    const registry = new HandlerRegistry([handler('picky', 'tracks', () => false)]);
    expect(registry.find(input('tracks', 'anything'), config)).toBeUndefined();
    expect(registry.find(input('tasks', 'anything'), config)).toBeUndefined();
  });

  it('keeps job handlers to their job queues: never given a page, each queue served once', () => {
    const job: JobHandler = {
      kind: 'job',
      name: 'exporter',
      queue: 'playlist-export',
      run: async () => ({ outcome: 'x' }),
    };
    const registry = new HandlerRegistry([handler('music-track', 'tracks', () => true), job]);
    // A page of Music Tracks goes to its page handler, whatever job handlers there are.
    expect(registry.find(input('tracks', 'a song'), config)?.name).toBe('music-track');
    expect(registry.queues()).toEqual(['tracks', 'playlist-export']);
    expect(registry.jobQueues()).toEqual(['playlist-export']);
    expect(registry.forQueue('playlist-export')).toBe(job);
  });

  it('refuses two handlers with one name, naming it', () => {
    expect(
      () => new HandlerRegistry([handler('twin', 'tracks', () => true), handler('twin', 'tasks', () => true)]),
    ).toThrow(ConfigError);
    expect(
      () => new HandlerRegistry([handler('twin', 'tracks', () => true), handler('twin', 'tasks', () => true)]),
    ).toThrow(/two handlers are named "twin"/);
  });

  it("loads the user's handler modules, and names every module that is not a handler", async () => {
    const good = join(packageRoot(), 'test', 'fixtures', 'handlers', 'logging-track.mjs');
    const [loaded] = await loadUserHandlers([good]);
    expect(loaded).toMatchObject({ name: 'logging-track', source: 'tracks' });

    const dir = tempDir();
    const notAHandler = join(dir, 'not-a-handler.mjs');
    writeFileSync(
      notAHandler,
      "export default { name: 'x', source: 'albums', accepts: () => true, run: async () => ({}) };\n",
    );
    const broken = join(dir, 'broken.mjs');
    writeFileSync(broken, 'export default {\n');
    const error = await loadUserHandlers([notAHandler, broken]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      expect.stringContaining(`handler module "${notAHandler}": its default export is not a handler`),
      expect.stringContaining(`handler module "${broken}" failed to load`),
    ]);
  });
});
