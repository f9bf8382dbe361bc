import { APIErrorCode, Client } from '@notionhq/client';
import { withSandbox, title, text } from '../helpers/notion.js';

/** The local Notion, driven by the official SDK exactly as tracksync drives the real one. */
describe('local Notion through the official client', async () => {
  const sandbox = await withSandbox();
  const notion = new Client({ auth: sandbox.token, baseUrl: sandbox.url, retry: false, logger: () => undefined });
  const tracks = sandbox.ids.tracks;

  it("discovers a database's data source and serves its schema with the awkward names intact", async () => {
    const database = await notion.databases.retrieve({ database_id: tracks.databaseId.replaceAll('-', '') });
    expect('data_sources' in database && database.data_sources[0]?.id).toBe(tracks.dataSourceId);
    const dataSource = await notion.dataSources.retrieve({ data_source_id: tracks.dataSourceId });
    expect(Object.keys(dataSource.properties)).toContain('Key ');
    expect('properties' in dataSource && dataSource.properties['Downloaded']?.type).toBe('checkbox');
  });

  it('creates, filters, sorts and paginates rows over real HTTP', async () => {
    for (let i = 0; i < 7; i += 1) {
      await notion.pages.create({
        parent: { data_source_id: tracks.dataSourceId },
        properties: {
          Title: title(`Song ${i}`),
          'Artist Name': text(i % 2 ? 'Odd' : 'Even'),
          Tempo: { number: 100 + i },
        },
      });
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await notion.dataSources.query({
        data_source_id: tracks.dataSourceId,
        filter: {
          and: [
            { property: 'Artist Name', rich_text: { equals: 'Odd' } },
            { or: [{ property: 'Tempo', number: { greater_than: 101 } }] },
          ],
        },
        sorts: [{ property: 'Tempo', direction: 'descending' }],
        page_size: 2,
        ...(cursor ? { start_cursor: cursor } : {}),
      });
      for (const row of page.results)
        seen.push(
          (row as unknown as { properties: { Title: { title: Array<{ plain_text: string }> } } }).properties.Title
            .title[0]!.plain_text,
        );
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(['Song 5', 'Song 3']);
  });

  it("answers Notion's errors with Notion's codes", async () => {
    const page = await notion.pages.create({
      parent: { data_source_id: tracks.dataSourceId },
      properties: { Title: title('x') },
    });
    await expect(
      notion.pages.update({ page_id: page.id, properties: { Nope: { checkbox: true } } }),
    ).rejects.toMatchObject({ code: APIErrorCode.ValidationError });
    await expect(
      notion.pages.update({ page_id: page.id, properties: { Tempo: { rich_text: [] } } }),
    ).rejects.toMatchObject({ code: APIErrorCode.ValidationError });
    await expect(
      notion.pages.update({ page_id: page.id, properties: { Title: title('x'.repeat(2001)) } }),
    ).rejects.toThrow(/should be ≤ `2000`/);
    const tasks = sandbox.ids.tasks.dataSourceId;
    await expect(
      notion.pages.create({
        parent: { data_source_id: tasks },
        properties: { 'Task Name': title('t'), Status: { status: { name: 'Not Started' } } },
      }),
    ).rejects.toThrow(/does not exist/);
    await expect(notion.pages.retrieve({ page_id: '11111111-1111-4111-8111-111111111111' })).rejects.toMatchObject({
      code: APIErrorCode.ObjectNotFound,
    });
    const stranger = new Client({ auth: 'wrong', baseUrl: sandbox.url, retry: false, logger: () => undefined });
    await expect(stranger.users.me({})).rejects.toMatchObject({ code: APIErrorCode.Unauthorized, status: 401 });
    await expect(
      notion.dataSources.query({
        data_source_id: tracks.dataSourceId,
        filter: { and: [{ or: [{ and: [{ property: 'Tempo', number: { equals: 1 } }] }] }] } as never,
      }),
    ).rejects.toThrow(/two levels/);
  });

  it('floors timestamps to the minute and bumps last_edited_time on every write', async () => {
    const page = await notion.pages.create({
      parent: { data_source_id: tracks.dataSourceId },
      properties: { Title: title('clock') },
    });
    expect(page.object === 'page' && 'last_edited_time' in page && page.last_edited_time).toMatch(/:00\.000Z$/);
    sandbox.advanceClock(5 * 60_000);
    const updated = await notion.pages.update({ page_id: page.id, properties: { Tempo: { number: 1 } } });
    const before = 'last_edited_time' in page ? Date.parse(page.last_edited_time) : 0;
    const after = 'last_edited_time' in updated ? Date.parse(updated.last_edited_time) : 0;
    expect(after - before).toBeGreaterThanOrEqual(4 * 60_000);
  });

  it('has no v4 databases.query endpoint, as the real 2025-09-03 API', async () => {
    await expect(
      notion.request({ path: `databases/${tracks.databaseId}/query`, method: 'post', body: {} }),
    ).rejects.toMatchObject({ code: APIErrorCode.InvalidRequestURL });
  });
});
