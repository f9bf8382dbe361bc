import { TrackSyncError } from '../../src/errors.js';
import { gatewayFor, text, title, withSandbox } from '../helpers/notion.js';

describe('NotionGateway against the local Notion', async () => {
  const sandbox = await withSandbox({ queryRowCap: 120 });
  const ds = sandbox.ids.tracks.dataSourceId;
  afterEach(() => sandbox.setFaults([]));

  it('reads every row past the first 100 and past the 10,000-row cap (scaled down to 120 here)', async () => {
    const notion = gatewayFor(sandbox);
    for (let i = 0; i < 260; i += 1) {
      await notion.createPage({
        parent: { data_source_id: ds },
        properties: { Title: title(`Row ${i}`), 'Artist Name': text('pagination') } as never,
      });
      if (i % 50 === 49) sandbox.advanceClock(60_000); // rows in different minutes, so the windows can advance
    }
    const ids = new Set<string>();
    for await (const page of notion.queryPages(ds, {
      filter: { property: 'Artist Name', rich_text: { equals: 'pagination' } } as never,
      sort: 'last_edited_time',
    }))
      ids.add(page.id);
    expect(ids.size).toBe(260);
  });

  it('waits out a 429 with Retry-After and retries a 500 on a query', async () => {
    const notion = gatewayFor(sandbox);
    sandbox.setFaults([
      { path: '/data_sources/.*/query', status: 429, retryAfterSeconds: 1, times: 1 },
      { path: '/data_sources/.*/query', status: 500, times: 2 },
    ]);
    const started = Date.now();
    const rows = [];
    for await (const page of notion.queryPages(ds, { sort: 'created_time' })) rows.push(page);
    expect(rows.length).toBeGreaterThan(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(notion.rateLimitedCount).toBe(1);
  });

  it('does not send an update again when a timed-out PATCH had in fact landed', async () => {
    const notion = gatewayFor(sandbox, { requestTimeoutMs: 200 });
    const page = await notion.createPage({
      parent: { data_source_id: ds },
      properties: { Title: title('slow write') } as never,
    });
    sandbox.setFaults([{ method: 'PATCH', path: `/pages/${page.id}`, delayResponseMs: 400, times: 1 }]);
    const before = sandbox.requests().length;
    const updated = await notion.updatePage(
      page.id,
      { Tempo: { number: 128 } },
      (p) => (p.properties.Tempo as { number: number | null }).number === 128,
    );
    expect((updated.properties.Tempo as { number: number }).number).toBe(128);
    const patches = sandbox
      .requests()
      .slice(before)
      .filter((r) => r.method === 'PATCH');
    expect(patches).toHaveLength(1);
  });

  it('sends the update again when the timed-out PATCH had not landed', async () => {
    const notion = gatewayFor(sandbox, { requestTimeoutMs: 200 });
    const page = await notion.createPage({
      parent: { data_source_id: ds },
      properties: { Title: title('lost write') } as never,
    });
    sandbox.setFaults([{ method: 'PATCH', path: `/pages/${page.id}`, delayMs: 400, status: 503, times: 1 }]);
    const updated = await notion.updatePage(
      page.id,
      { Tempo: { number: 99 } },
      (p) => (p.properties.Tempo as { number: number | null }).number === 99,
    );
    expect((updated.properties.Tempo as { number: number }).number).toBe(99);
  });

  it('never retries a create blindly, and classifies permanent errors at once', async () => {
    const notion = gatewayFor(sandbox);
    sandbox.setFaults([{ method: 'POST', path: '^/pages$', status: 503, times: 1 }]);
    await expect(
      notion.createPage({ parent: { data_source_id: ds }, properties: { Title: title('x') } as never }),
    ).rejects.toMatchObject({ code: 'NOTION_UNAVAILABLE', kind: 'transient' });
    const error = await notion.updatePage('11111111-1111-4111-8111-111111111111', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrackSyncError);
    expect(error).toMatchObject({ code: 'NOTION_NOT_FOUND', kind: 'permanent' });
    expect((error as Error).message).toContain('share the page or database with the integration');
  });

  it('turns a Cloudflare HTML 502 and a dropped connection into transient errors that are retried', async () => {
    const notion = gatewayFor(sandbox);
    sandbox.setFaults([
      { method: 'GET', path: '^/data_sources/', status: 502, times: 1 },
      { method: 'GET', path: '^/data_sources/', drop: true, times: 1 },
    ]);
    const dataSource = await notion.retrieveDataSource(ds);
    expect(dataSource.id).toBe(ds);
  });
});
