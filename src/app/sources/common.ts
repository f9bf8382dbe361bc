import { createHash } from 'node:crypto';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config/load.js';
import type { Logger } from '../../log.js';
import { decodeProperty, type FieldValue } from '../../notion/codecs.js';
import type { DatabaseKey, FieldKey } from '../../notion/databases.js';
import type { NotionGateway, PageResponse } from '../../notion/gateway.js';
import type { ResolvedSchema } from '../../notion/schema.js';
import type { Schemas } from '../../notion/schemas.js';
import type { Identity } from '../../engine/identity.js';

/** What every source adapter is built from. */
export interface SourceDeps {
  readonly notion: NotionGateway;
  readonly schemas: Schemas;
  readonly config: Config;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly identity: Identity;
}

/** Every semantic field the data source has, decoded. */
export function decodeFields<D extends DatabaseKey>(
  schema: ResolvedSchema<D>,
  page: PageResponse,
): Partial<Record<FieldKey<D>, FieldValue>> {
  const fields: Partial<Record<FieldKey<D>, FieldValue>> = {};
  for (const [field, property] of Object.entries(schema.fields) as Array<[FieldKey<D>, { name: string } | undefined]>) {
    if (property) fields[field] = decodeProperty(page.properties[property.name]);
  }
  return fields;
}

/**
 * A hash of the fields that define the work, so "the row changed" can be told from "Notion bumped last_edited_time".
 * The fields in `ignore` change while we work (the claim itself) and are left out.
 */
export function hashFields<D extends DatabaseKey>(
  schema: ResolvedSchema<D>,
  page: PageResponse,
  ignore: ReadonlySet<string>,
  blank: ReadonlySet<string> = new Set(),
): string {
  const fields = decodeFields(schema, page);
  // `blank` fields (left out of polls) count as empty text: the hash of a row whose value is empty is what it was when
  // polls still fetched them, so trimming polls did not re-queue every waiting row once.
  for (const field of blank) if (field in fields) (fields as Record<string, unknown>)[field] = '';
  const entries = Object.entries(fields)
    .filter(([field]) => !ignore.has(field))
    .map(([field, value]) => [field, Array.isArray(value) ? [...value].sort() : value] as const)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return createHash('sha256').update(JSON.stringify(entries)).digest('hex').slice(0, 32);
}

/**
 * The property ids a poll asks for (filter_properties): every property tracksync maps, minus `leaveOut`. Unmapped
 * properties (the user's Music Tracks has about 89, most of them legacy) and heavy ones (a fingerprint is thousands of
 * characters) are not downloaded on every poll; the claim reads the whole page again anyway. Source: the query's
 * `filter_properties` parameter, developers.notion.com/reference/query-a-data-source.
 */
export function pollPropertyIds<D extends DatabaseKey>(
  schema: ResolvedSchema<D>,
  leaveOut: ReadonlySet<string>,
): string[] {
  return Object.entries(schema.fields)
    .filter(([field, property]) => property !== undefined && !leaveOut.has(field))
    .map(([, property]) => (property as { id: string }).id);
}

/** Notion ids compared with or without dashes, in any case. */
export function sameId(a: string, b: string): boolean {
  return a.replaceAll('-', '').toLowerCase() === b.replaceAll('-', '').toLowerCase();
}

export function textOf(value: FieldValue | undefined): string {
  if (value === null || value === undefined) return '';
  return Array.isArray(value) ? value.join(', ') : String(value).trim();
}

/** "2026-11-24 15:04 UTC": how times appear in text written to Notion. */
export function humanTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
