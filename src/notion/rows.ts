import { encodeFields, readText, type FieldValue } from './codecs.js';
import type { DatabaseKey, FieldKey } from './databases.js';
import type { BlockRequest, NotionFilter, NotionGateway, PageResponse } from './gateway.js';
import type { ResolvedProperty, ResolvedSchema } from './schema.js';

/**
 * Typed rows at the Notion boundary: filters built from a resolved property, the first page a query finds, and a row
 * created exactly once from semantic values. The SDK's filter and property types are unions keyed by the property's
 * type, which a property known only at run time (the live schema) cannot satisfy statically: the casts to them
 * happen here, once, instead of at every call site.
 */

type Values<D extends DatabaseKey> = Partial<Record<FieldKey<D>, FieldValue>>;

/** A filter on one property: `{ property, [type]: condition }`, the type taken from the live schema. */
export function propertyFilter(property: ResolvedProperty, condition: Record<string, unknown>): NotionFilter {
  return { property: property.name, [property.type]: condition } as unknown as NotionFilter;
}

/** Every filter must match (one filter as it is). */
export function allOf(...filters: NotionFilter[]): NotionFilter {
  return (filters.length === 1 ? filters[0] : { and: filters }) as NotionFilter;
}

/** Any filter may match. */
export function anyOf(...filters: NotionFilter[]): NotionFilter {
  return (filters.length === 1 ? filters[0] : { or: filters }) as NotionFilter;
}

/** Pages edited at or after `since` (an ISO time). */
export function editedSince(since: string): NotionFilter {
  return onOrAfter('last_edited_time', since);
}

/** Pages whose timestamp (created or last edited) is at or after `since` (an ISO time). */
export function onOrAfter(timestamp: 'last_edited_time' | 'created_time', since: string): NotionFilter {
  return { timestamp, [timestamp]: { on_or_after: since } } as unknown as NotionFilter;
}

/**
 * `filter` narrowed by one more term. Notion allows two levels of nesting in a compound filter
 * (developers.notion.com/reference/post-database-query-filter, "Compound filter conditions"): a filter that is an
 * `and` takes the term among its own terms rather than nesting one level deeper.
 */
export function narrowedBy(filter: NotionFilter | undefined, term: NotionFilter): NotionFilter {
  if (filter === undefined) return term;
  if ('and' in filter && Array.isArray(filter.and)) return allOf(...(filter.and as NotionFilter[]), term);
  return allOf(filter, term);
}

/**
 * The first page (oldest first) that the filter finds and `matches` accepts. Notion's filters only narrow: whether a
 * title filter ignores case is not documented (docs/notion-contract.md, "Filters narrow; the comparison is ours"), so
 * the exact comparison is the caller's.
 */
export async function findFirst<D extends DatabaseKey>(
  notion: NotionGateway,
  schema: ResolvedSchema<D>,
  filter: NotionFilter,
  matches: (page: PageResponse) => boolean = () => true,
  options: { filterProperties?: readonly string[] } = {},
): Promise<PageResponse | undefined> {
  for await (const page of notion.queryPages(schema.dataSourceId, { filter, sort: 'created_time', ...options }))
    if (matches(page)) return page;
  return undefined;
}

/** The first row whose title field is exactly `text` (the filter narrows; the comparison is exact). */
export function findByTitle<D extends DatabaseKey>(
  notion: NotionGateway,
  schema: ResolvedSchema<D>,
  field: FieldKey<D>,
  text: string,
  also?: NotionFilter,
): Promise<PageResponse | undefined> {
  const property = schema.fields[field];
  if (!property) return Promise.resolve(undefined);
  const title = propertyFilter(property, { equals: text });
  return findFirst(notion, schema, also ? allOf(title, also) : title, (page) => readText(schema, page, field) === text);
}

/**
 * Creates a row of `schema` with semantic `values`, exactly once (notion/creates.ts): `key` names what is created
 * across retries and restarts, `find` looks for it after a create whose answer was lost (given the intent's marker,
 * for pages that carry one in their text), `children` is the page's body.
 */
export function createRow<D extends DatabaseKey>(
  notion: NotionGateway,
  schema: ResolvedSchema<D>,
  spec: {
    readonly key: string;
    readonly values: Values<D> | ((marker: string) => Values<D>);
    readonly find: (marker: string) => Promise<PageResponse | undefined>;
    readonly children?: readonly BlockRequest[];
  },
): Promise<{ page: PageResponse; created: boolean }> {
  return notion.createOnce({
    key: spec.key,
    parameters: (marker) => ({
      parent: { data_source_id: schema.dataSourceId },
      properties: encodeFields(schema, typeof spec.values === 'function' ? spec.values(marker) : spec.values),
      ...(spec.children ? { children: [...spec.children] } : {}),
    }),
    find: spec.find,
  });
}
