import { join } from 'node:path';
import { Store } from '../../state/store.js';
import { systemClock } from '../../src/clock.js';
import { silentLogger } from '../../src/log.js';
import { Poller, type PollTarget } from '../../src/notion/poller.js';
import { gatewayFor, text, title, withSandbox } from '../helpers/notion.js';
import { tempDir } from '../helpers/tmp.js';

describe('incremental polling', async () => {
  const sandbox = await withSandbox();
  const notion = gatewayFor(sandbox);
  const store = Store.open(join(tempDir(), 'state.sqlite'));
  afterAll(() => store.close());
  const ds = sandbox.ids.tracks.dataSourceId;
  const poller = new Poller({
    notion,
    store,
    clock: systemClock,
    logger: silentLogger(),
    fullReconcileIntervalMs: 6 * 3600_000,
    cursorOverlapMs: 60_000,
  });
  const target: PollTarget = {
    dataSourceId: ds,
    eligibilityFilter: () => ({ property: 'Downloaded', checkbox: { equals: false } }) as never,
    contentHash: (page) => JSON.stringify(page.properties),
  };
  const poll = async () => {
    const result = await poller.poll(target);
    result.commit();
    return result.changed.map(
      (p) => (p.properties.Title as { title: Array<{ plain_text: string }> }).title[0]?.plain_text,
    );
  };
  const create = (name: string) =>
    notion.createPage({
      parent: { data_source_id: ds },
      properties: { Title: title(name), 'Artist Name': text('a') } as never,
    });

  it('sees an edit made later in the same minute, and nothing twice', async () => {
    const a = await create('A');
    expect(await poll()).toEqual(['A']);
    // Same minute: last_edited_time of B equals the cursor minute; a strict "after" filter would miss it.
    await create('B');
    expect(await poll()).toEqual(['B']);
    expect(await poll()).toEqual([]);
    // An edit to A in that same minute: same timestamp, different content.
    await notion.updatePage(a.id, { Tempo: { number: 120 } });
    expect(await poll()).toEqual(['A']);
  });

  it('follows the cursor into the next minutes and lets rows that leave the filter go', async () => {
    sandbox.advanceClock(61_000);
    const c = await create('C');
    expect(await poll()).toEqual(['C']);
    sandbox.advanceClock(3 * 60_000);
    await notion.updatePage(c.id, { Downloaded: { checkbox: true } });
    await create('D');
    expect(await poll()).toEqual(['D']);
  });

  it('costs one request per idle poll, however many rows the database holds', async () => {
    for (let i = 0; i < 150; i += 1)
      await notion.updatePage((await create(`done ${i}`)).id, { Downloaded: { checkbox: true } });
    sandbox.advanceClock(2 * 60_000);
    await poll(); // settles the cursor past the bulk insert
    const before = sandbox.requests().length;
    expect(await poll()).toEqual([]);
    expect(sandbox.requests().length - before).toBe(1);
  });

  it('runs a full reconcile when one is due: every eligible row, whatever its timestamp', async () => {
    // (pages = all rows returned; changed = those the poller had not seen with this content)
    const full = await poller.poll(target, { full: true });
    full.commit();
    expect(full.full).toBe(true);
    // Notion returns the three eligible rows; rows that left the filter (C, the "done" rows) are not among them.
    expect(full.returned).toBe(3);
    // D is still in the cursor's remembered window with the same content, so it is not reported again; A and B, which
    // the cursor passed long ago, are (the daemon then drops them by their unchanged hash in SQLite).
    expect(full.pages).toHaveLength(3);
    const titles = full.changed
      .map((p) => (p.properties.Title as { title: Array<{ plain_text: string }> }).title[0]?.plain_text)
      .sort();
    expect(titles).toEqual(['A', 'B']);
  });
});
