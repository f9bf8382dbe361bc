import { APIErrorCode, Client } from '@notionhq/client';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { seedWorkspace } from '../../src/sandbox/seed.js';
import { DEFAULT_AGGREGATION_DELAY_MS, WebhookSender } from '../../src/sandbox/webhooks.js';
import { Workspace } from '../../src/sandbox/workspace.js';
import { waitFor } from '../helpers/cli.js';
import { withSandbox, title } from '../helpers/notion.js';

/**
 * The local Notion behaves as the real one where tracksync was caught out by a kinder imitation (issue 12). Each case
 * is driven through the official client over HTTP, exactly as tracksync drives api.notion.com.
 */
describe('local Notion: the behaviours of the real service', async () => {
  const sandbox = await withSandbox();
  const notion = new Client({
    auth: sandbox.token,
    baseUrl: sandbox.url,
    notionVersion: '2025-09-03',
    retry: false,
    logger: () => undefined,
  });
  const { tracks, artists, tasks, agents } = sandbox.ids;
  const artist = (name: string): string =>
    sandbox.workspace.createPage({
      parent: { data_source_id: artists.dataSourceId },
      properties: { Name: title(name) },
    }).id;
  type RelationValue = { relation: Array<{ id: string }>; has_more: boolean; id: string };

  it('shows at most 25 related pages in page objects, with has_more, and the whole list through the property endpoint', async () => {
    const ids = Array.from({ length: 32 }, (_, i) => artist(`Related ${i}`));
    const page = await notion.pages.create({
      parent: { data_source_id: tracks.dataSourceId },
      properties: { Title: title('Many artists'), Artist: { relation: ids.map((id) => ({ id })) } },
    });
    const retrieved = (await notion.pages.retrieve({ page_id: page.id })) as unknown as {
      properties: Record<string, RelationValue>;
    };
    expect(retrieved.properties.Artist!.relation.map((r) => r.id)).toEqual(ids.slice(0, 25));
    expect(retrieved.properties.Artist!.has_more).toBe(true);
    const queried = await notion.dataSources.query({
      data_source_id: tracks.dataSourceId,
      filter: { property: 'Title', title: { equals: 'Many artists' } },
    });
    expect(
      (queried.results[0] as unknown as { properties: Record<string, RelationValue> }).properties.Artist!.has_more,
    ).toBe(true);

    const propertyId = retrieved.properties.Artist!.id;
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const response = await notion.pages.properties.retrieve({
        page_id: page.id,
        property_id: propertyId,
        page_size: 10,
        ...(cursor ? { start_cursor: cursor } : {}),
      });
      expect(response.object).toBe('list');
      if (response.object !== 'list') break;
      expect(response.type).toBe('property_item');
      expect(response.property_item).toMatchObject({ type: 'relation', id: propertyId });
      for (const item of response.results) {
        expect(item).toMatchObject({ object: 'property_item', type: 'relation' });
        if (item.type === 'relation') seen.push(item.relation.id);
      }
      expect(response.property_item.next_url === null).toBe(!response.has_more);
      cursor = response.next_cursor ?? undefined;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(4);
    expect(seen).toEqual(ids);
    // Non-paginated properties come back as one property_item.
    const downloaded = await notion.pages.properties.retrieve({
      page_id: page.id,
      property_id: (retrieved.properties as Record<string, { id: string }>).Downloaded!.id,
    });
    expect(downloaded).toMatchObject({ object: 'property_item', type: 'checkbox', checkbox: false });
  });

  it('refuses more than 100 related pages in one write', async () => {
    const ids = Array.from({ length: 101 }, (_, i) => artist(`Crowd ${i}`));
    await expect(
      notion.pages.create({
        parent: { data_source_id: tracks.dataSourceId },
        properties: { Title: title('Crowd'), Artist: { relation: ids.map((id) => ({ id })) } },
      }),
    ).rejects.toThrow(/should be ≤ `100`/);
  });

  it('compares text filters case-sensitively and refuses an unknown select option in strict mode', async () => {
    await notion.pages.create({
      parent: { data_source_id: tasks.dataSourceId },
      properties: { 'Task Name': title('Music Track Sync for Friday') },
    });
    const byTitle = (contains: string) =>
      notion.dataSources.query({
        data_source_id: tasks.dataSourceId,
        filter: { property: 'Task Name', title: { contains } },
      });
    expect((await byTitle('music track sync')).results).toHaveLength(0);
    expect((await byTitle('Music Track Sync')).results).toHaveLength(1);
    await expect(
      notion.dataSources.query({
        data_source_id: tasks.dataSourceId,
        filter: { property: 'Task Type', select: { equals: 'DJ Prep' } },
      }),
    ).rejects.toMatchObject({ code: APIErrorCode.ValidationError });
  });

  it('ignores case and matches nothing for an unknown option in lenient mode', async () => {
    const lenient = await withSandbox({ filterMode: 'lenient' });
    const client = new Client({ auth: lenient.token, baseUrl: lenient.url, retry: false, logger: () => undefined });
    await client.pages.create({
      parent: { data_source_id: lenient.ids.tasks.dataSourceId },
      properties: { 'Task Name': title('Music Track Sync') },
    });
    const found = await client.dataSources.query({
      data_source_id: lenient.ids.tasks.dataSourceId,
      filter: { property: 'Task Name', title: { equals: 'music track sync' } },
    });
    expect(found.results).toHaveLength(1);
    const none = await client.dataSources.query({
      data_source_id: lenient.ids.tasks.dataSourceId,
      filter: { property: 'Task Type', select: { equals: 'DJ Prep' } },
    });
    expect(none.results).toHaveLength(0);
  });

  it('returns relations into a database not shared with the integration as empty, and 404 for that database', async () => {
    const agent = sandbox.workspace.createPage({
      parent: { data_source_id: agents.dataSourceId },
      properties: { Name: title('Hidden agent') },
    }).id;
    const task = await notion.pages.create({
      parent: { data_source_id: tasks.dataSourceId },
      properties: { 'Task Name': title('Assigned'), 'Assigned-Agent': { relation: [{ id: agent }] } },
    });
    sandbox.workspace.setShared(agents.databaseId, false);
    try {
      const page = (await notion.pages.retrieve({ page_id: task.id })) as unknown as {
        properties: Record<string, RelationValue>;
      };
      expect(page.properties['Assigned-Agent']!.relation).toEqual([]);
      await expect(notion.dataSources.retrieve({ data_source_id: agents.dataSourceId })).rejects.toMatchObject({
        code: APIErrorCode.ObjectNotFound,
      });
      await expect(notion.pages.retrieve({ page_id: agent })).rejects.toMatchObject({
        code: APIErrorCode.ObjectNotFound,
      });
    } finally {
      sandbox.workspace.setShared(agents.databaseId, true);
    }
  });

  it('returns date-times normalised to an offset, with time_zone null', async () => {
    const page = await notion.pages.create({
      parent: { data_source_id: tracks.dataSourceId },
      properties: {
        Title: title('dated'),
        'Processed At': { date: { start: '2026-11-24T16:04:05.123+01:00' } },
        'Release Date': { date: { start: '2021-03-05' } },
      },
    });
    const read = (await notion.pages.retrieve({ page_id: page.id })) as unknown as {
      properties: Record<string, { date: { start: string; time_zone: string | null } }>;
    };
    expect(read.properties['Processed At']!.date).toMatchObject({
      start: '2026-11-24T15:04:05.123+00:00',
      time_zone: null,
    });
    expect(read.properties['Release Date']!.date.start).toBe('2021-03-05');
  });

  it('can hide a new page from queries for a while, though it exists', async () => {
    sandbox.workspace.setQueryVisibilityDelay(60_000);
    try {
      const page = await notion.pages.create({
        parent: { data_source_id: tracks.dataSourceId },
        properties: { Title: title('Fresh row') },
      });
      const query = () =>
        notion.dataSources.query({
          data_source_id: tracks.dataSourceId,
          filter: { property: 'Title', title: { equals: 'Fresh row' } },
        });
      expect((await query()).results).toHaveLength(0);
      expect((await notion.pages.retrieve({ page_id: page.id })).id).toBe(page.id);
      sandbox.advanceClock(61_000);
      expect((await query()).results).toHaveLength(1);
    } finally {
      sandbox.workspace.setQueryVisibilityDelay(0);
    }
  });

  it('refuses to create blocks (pages included) past the workspace block limit, and still allows edits', async () => {
    const page = await notion.pages.create({
      parent: { data_source_id: tracks.dataSourceId },
      properties: { Title: title('Before the limit') },
    });
    sandbox.workspace.setBlockLimitReached(true);
    try {
      await expect(
        notion.blocks.children.append({
          block_id: page.id,
          children: [{ paragraph: { rich_text: [{ text: { content: 'x' } }] } }],
        }),
      ).rejects.toThrow(/block limit/);
      await expect(
        notion.pages.create({ parent: { data_source_id: tracks.dataSourceId }, properties: { Title: title('After') } }),
      ).rejects.toThrow(/block limit/);
      await notion.pages.update({ page_id: page.id, properties: { Tempo: { number: 120 } } });
    } finally {
      sandbox.workspace.setBlockLimitReached(false);
    }
  });

  it('holds a database with several data sources', async () => {
    const second = sandbox.workspace.addDataSource(tracks.databaseId, {
      title: 'Archive 2019',
      properties: [{ name: 'Title', type: 'title' }],
    });
    const database = await notion.databases.retrieve({ database_id: tracks.databaseId });
    expect('data_sources' in database && database.data_sources.map((d) => d.name)).toEqual([
      'Music Tracks',
      'Archive 2019',
    ]);
    await expect(
      notion.pages.create({ parent: { database_id: tracks.databaseId }, properties: { Title: title('ambiguous') } }),
    ).rejects.toMatchObject({ code: APIErrorCode.ValidationError });
    expect(second).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('trims page objects to the properties named in filter_properties', async () => {
    const page = await notion.pages.create({
      parent: { data_source_id: tracks.dataSourceId },
      properties: {
        Title: title('trimmed'),
        'WAV Fingerprint': { rich_text: [{ text: { content: 'AQAA'.repeat(400) } }] },
      },
    });
    const schema = await notion.dataSources.retrieve({ data_source_id: tracks.dataSourceId });
    const downloadedId = (schema.properties as Record<string, { id: string }>).Downloaded!.id;
    const result = await notion.dataSources.query({
      data_source_id: tracks.dataSourceId,
      filter_properties: ['title', downloadedId],
      filter: { property: 'Title', title: { equals: 'trimmed' } },
    });
    expect(Object.keys((result.results[0] as unknown as { properties: object }).properties).sort()).toEqual([
      'Downloaded',
      'Title',
    ]);
    const retrieved = await notion.pages.retrieve({ page_id: page.id, filter_properties: [downloadedId] });
    expect(Object.keys((retrieved as unknown as { properties: object }).properties)).toEqual(['Downloaded']);
  });

  it('answers only the API version it emulates', async () => {
    const newer = new Client({
      auth: sandbox.token,
      baseUrl: sandbox.url,
      notionVersion: '2026-03-11',
      retry: false,
      logger: () => undefined,
    });
    await expect(newer.users.me({})).rejects.toMatchObject({ code: APIErrorCode.ValidationError });
  });
});

describe('local Notion webhooks: delivered within the documented minute, not at once', () => {
  it('holds page events for a minute by default and joins later events of the same page into one delivery', async () => {
    const received: string[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push(body);
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const timers: Array<{ fn: () => void; ms: number }> = [];
    const workspace = new Workspace({ now: () => Date.now() });
    const ids = seedWorkspace(workspace, { seed: true, sampleRows: false });
    const sender = new WebhookSender(workspace, { set: (fn, ms) => timers.push({ fn, ms }), clear: () => undefined });
    try {
      await sender.subscribe({ url });
      const page = workspace.createPage({
        parent: { data_source_id: ids.tracks.dataSourceId },
        properties: { Title: title('hooked') },
      });
      workspace.updatePage(page.id, { properties: { Tempo: { number: 1 } } });
      workspace.updatePage(page.id, { properties: { Downloaded: { checkbox: true } } });
      expect(timers.map((t) => t.ms)).toEqual([DEFAULT_AGGREGATION_DELAY_MS, DEFAULT_AGGREGATION_DELAY_MS]);
      expect(DEFAULT_AGGREGATION_DELAY_MS).toBe(60_000);
      const handshakes = received.length;
      timers[1]!.fn(); // the minute of the properties_updated event is over
      await waitFor(() => received.length > handshakes, 'the aggregated delivery');
      const delivery = JSON.parse(received[received.length - 1]!) as {
        type: string;
        data: { updated_properties: string[] };
      };
      expect(delivery.type).toBe('page.properties_updated');
      expect(delivery.data.updated_properties).toHaveLength(2);
      await sender.subscribe({ url, aggregationDelayMs: 200 });
      workspace.updatePage(page.id, { properties: { Tempo: { number: 2 } } });
      expect(timers.at(-1)!.ms).toBe(200);
    } finally {
      await sender.close();
      server.close();
    }
  });
});
