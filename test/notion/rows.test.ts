import { decodeProperty } from '../../src/notion/codecs.js';
import type { NotionFilter } from '../../src/notion/gateway.js';
import {
  allOf,
  anyOf,
  createRow,
  editedSince,
  findByTitle,
  narrowedBy,
  propertyFilter,
} from '../../src/notion/rows.js';
import { gatewayFor, seededSchema, withSandbox } from '../helpers/notion.js';

// Rows are found and created through here against the local Notion over real HTTP: a create is sent once per key,
// and a title lookup is exact whatever the filter's own comparison does.
describe('typed rows', async () => {
  const sandbox = await withSandbox();
  const notion = gatewayFor(sandbox);
  const artists = seededSchema('artists');
  const name = artists.fields.name!.name;

  it('creates a row once per key, and finds it by its exact title, not one that differs only in case', async () => {
    const find = () => findByTitle(notion, artists, 'name', 'Solar Echo');
    const first = await createRow(notion, artists, { key: 'artists:solar', values: { name: 'Solar Echo' }, find });
    const again = await createRow(notion, artists, { key: 'artists:solar', values: { name: 'Solar Echo' }, find });
    expect(first.created).toBe(true);
    expect(again).toMatchObject({ created: false, page: { id: first.page.id } });
    await createRow(notion, artists, {
      key: 'artists:lower',
      values: { name: 'solar echo' },
      find: () => findByTitle(notion, artists, 'name', 'solar echo'),
    });
    const titles = sandbox.workspace.allPages(artists.dataSourceId).map((p) => decodeProperty(p.properties[name]));
    expect(titles.sort()).toEqual(['Solar Echo', 'solar echo']);
    expect((await findByTitle(notion, artists, 'name', 'solar echo'))?.id).not.toBe(first.page.id);
    expect((await findByTitle(notion, artists, 'name', 'Solar Echo'))?.id).toBe(first.page.id);
    expect(await findByTitle(notion, artists, 'name', 'Nobody')).toBeUndefined();
  });

  it('keeps compound filters within the two levels Notion accepts', () => {
    const a = propertyFilter(artists.fields.name!, { equals: 'a' });
    const b = editedSince('2026-11-24T00:00:00.000Z');
    expect(a).toEqual({ property: name, title: { equals: 'a' } });
    expect(allOf(a)).toBe(a);
    expect(anyOf(a, b)).toEqual({ or: [a, b] });
    const narrowed = narrowedBy(allOf(a, anyOf(a, b)), b) as { and: NotionFilter[] };
    expect(narrowed.and).toHaveLength(3); // the term joins the and, it does not nest one level deeper
    expect(narrowedBy(undefined, b)).toBe(b);
    expect(narrowedBy(a, b)).toEqual({ and: [a, b] });
  });
});
