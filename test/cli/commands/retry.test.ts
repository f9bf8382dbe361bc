import { join } from 'node:path';
import { Store } from '../../../state/store.js';
import { cli } from '../../helpers/cli.js';
import { text, title, withSandbox } from '../../helpers/notion.js';
import { tempDir } from '../../helpers/tmp.js';

// `tracksync retry` is how a person says "try that row again now" after fixing its cause: the item given up on is
// queued with its attempts forgotten, an item being processed is left alone, and an unknown row is named.
describe('tracksync retry (the CLI as a subprocess)', async () => {
  const sandbox = await withSandbox();
  const dir = tempDir('tracksync-retry-');
  const stateDir = join(dir, 'state');
  const env = { ...sandbox.env(), TRACKSYNC_STATE_DIR: stateDir, TRACKSYNC_LOG_DIR: join(dir, 'logs') };
  const withStore = <T>(fn: (store: Store) => T): T => {
    const store = Store.open(join(stateDir, 'tracksync.sqlite'));
    try {
      return fn(store);
    } finally {
      store.close();
    }
  };
  const row = (name: string, url: string): string =>
    sandbox.workspace.createPage({
      parent: { data_source_id: sandbox.ids.tracks.dataSourceId },
      properties: { Title: title(name), 'Artist Name': text('Retry Band'), 'Source URL': { url } },
    }).id;
  const item = (pageId: string, name: string) =>
    withStore((store) =>
      store.items.upsertPolledItem({
        source: 'tracks',
        pageId,
        dataSourceId: sandbox.ids.tracks.dataSourceId,
        handler: 'track',
        title: `Retry Band - ${name}`,
        inputHash: 'h',
        now: Date.now(),
      }),
    );

  it('queues a row given up on again, found by its track URL, with its attempts and error forgotten', async () => {
    const url = 'https://soundcloud.com/retry-band/gone';
    const pageId = row('Gone', url);
    const { id } = item(pageId, 'Gone');
    withStore((store) => {
      store.items.failItem(id, { code: 'SOURCE_NOT_FOUND', kind: 'permanent', message: 'gone' }, 'h', Date.now());
    });
    const result = await cli(['retry', url], env);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('requeued: Retry Band - Gone (tracks, was failed: SOURCE_NOT_FOUND)');
    const after = withStore((store) => store.items.getItem(id)!);
    expect(after).toMatchObject({ state: 'queued', attempts: 0, last_error_code: null });
  });

  it('leaves an item another process is working on alone, and says so', async () => {
    const pageId = row('Busy', 'https://soundcloud.com/retry-band/busy');
    const { id } = item(pageId, 'Busy');
    withStore((store) =>
      store.items.claimItemById({ id, owner: 'other', bootId: 'other-boot', now: Date.now(), leaseMs: 600_000 }),
    );
    const result = await cli(['retry', pageId], env);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('Retry Band - Busy is being processed right now; nothing to do');
    expect(withStore((store) => store.items.getItem(id)!.state)).toBe('claimed');
  });

  it('names a row tracksync has no record of, and asks for a target when none is given (exit 2)', async () => {
    const pageId = row('Never Seen', 'https://soundcloud.com/retry-band/never');
    const unknown = await cli(['retry', pageId], env);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain(`tracksync has no record of page ${pageId}`);
    const none = await cli(['retry'], env);
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain("missing required argument 'page'");
  });
});
