import { CONSTANTS } from '../config/constants.js';
import type { Logger } from '../log.js';
import { decodeProperty, encodeFields, type FieldValue } from './codecs.js';
import type { DatabaseKey, FieldKey } from './databases.js';
import type { NotionGateway, PageResponse } from './gateway.js';
import type { ResolvedProperty, ResolvedSchema } from './schema.js';

/**
 * Relations as Notion really serves them.
 *
 * Reading: a page object lists at most 25 related pages and sets `has_more` on the property; the rest comes only from
 * the property endpoint, paginated (developers.notion.com/reference/retrieve-a-page, "Limits"). The client's response
 * type for a relation value has no `has_more` field (api-endpoints/common.ts), so it is read here by name.
 *
 * Writing: a PATCH replaces the whole relation with the ids it sends, and one request takes at most 100 ids
 * (developers.notion.com/reference/request-limits). There is no "append" operation. So:
 * - a relation is only ever written from a complete read (never from the 25 a page object shows);
 * - a relation that would hold more than 100 pages is not written at all: any write would have to drop the others.
 *   The link is left to the other side where the relation is two-way (an Execution-Log names its task; the task's
 *   Execution-Logs then shows it), and tracksync logs what it did not link.
 */

/** Notion's limit on the ids of one relation in one request. */
export const MAX_RELATION_IDS_PER_REQUEST = CONSTANTS.text.maxRelationIds;

/** True when the page object shows only the first 25 of this relation. */
export function isTruncated(page: PageResponse, property: ResolvedProperty): boolean {
  const raw = page.properties[property.name] as { has_more?: unknown } | undefined;
  return raw?.has_more === true;
}

/** Every id of a relation: from the page object when it is complete, else from the property endpoint. */
export async function readRelation(
  notion: NotionGateway,
  page: PageResponse,
  property: ResolvedProperty,
): Promise<string[]> {
  if (!isTruncated(page, property)) {
    const value = decodeProperty(page.properties[property.name]);
    return Array.isArray(value) ? [...value] : [];
  }
  const items = await notion.retrievePropertyItems(page.id, property.id);
  return items.flatMap((item) => (item.type === 'relation' ? [item.relation.id] : []));
}

/**
 * The page with every relation among `fields` complete (has_more false), for code that merges or rewrites relations:
 * decoding it afterwards can never yield a truncated list. Costs one request (or more past 100) per truncated relation.
 */
export async function withFullRelations<D extends DatabaseKey>(
  notion: NotionGateway,
  schema: ResolvedSchema<D>,
  page: PageResponse,
  fields?: ReadonlyArray<FieldKey<D>>,
): Promise<PageResponse> {
  const properties = { ...page.properties };
  let changed = false;
  for (const [field, property] of Object.entries(schema.fields) as Array<[FieldKey<D>, ResolvedProperty | undefined]>) {
    if (
      !property ||
      property.type !== 'relation' ||
      (fields && !fields.includes(field)) ||
      !isTruncated(page, property)
    )
      continue;
    const ids = await readRelation(notion, page, property);
    properties[property.name] = {
      ...(page.properties[property.name] as object),
      relation: ids.map((id) => ({ id })),
      has_more: false,
    } as never;
    changed = true;
  }
  return changed ? { ...page, properties } : page;
}

/**
 * `current` plus `add`, order kept, duplicates dropped; undefined when the result would exceed what one request can
 * set (nothing is written then, see above).
 */
export function relationUnion(current: readonly string[], add: readonly string[]): string[] | undefined {
  const norm = (id: string): string => id.replaceAll('-', '').toLowerCase();
  const seen = new Set(current.map(norm));
  const merged = [...current];
  for (const id of add) {
    if (seen.has(norm(id))) continue;
    seen.add(norm(id));
    merged.push(id);
  }
  return merged.length > MAX_RELATION_IDS_PER_REQUEST ? undefined : merged;
}

/**
 * Adds `ids` to a relation of an existing page, from a complete read of it; nothing is ever removed. Returns false
 * (and logs why) when the relation would exceed 100 pages and was left as it is.
 */
export async function addToRelation<D extends DatabaseKey>(
  notion: NotionGateway,
  schema: ResolvedSchema<D>,
  pageId: string,
  field: FieldKey<D>,
  ids: readonly string[],
  logger: Logger,
): Promise<boolean> {
  const property = schema.fields[field] as ResolvedProperty | undefined;
  if (!property) return true;
  const page = await notion.retrievePage(pageId);
  const current = await readRelation(notion, page, property);
  const merged = relationUnion(current, ids);
  if (merged === undefined) {
    logger.warn(
      { pageId, property: property.name, related: current.length, adding: ids.length },
      overLimitMessage(property, current.length),
    );
    return false;
  }
  if (merged.length === current.length) return true;
  await notion.updatePage(
    pageId,
    encodeFields(schema, { [field]: merged } as unknown as Partial<Record<FieldKey<D>, FieldValue>>),
  );
  return true;
}

export function overLimitMessage(property: ResolvedProperty, related: number): string {
  return `"${property.name}" already relates ${related} pages; Notion sets at most ${MAX_RELATION_IDS_PER_REQUEST} per request and a write replaces the whole list, so tracksync leaves it as it is rather than drop links`;
}
