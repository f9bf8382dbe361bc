import { CONSTANTS } from '../config/constants.js';
import { TrackSyncError } from '../errors.js';
import type { CreatePageParameters } from '@notionhq/client';
import type { DatabaseKey, FieldKey } from './databases.js';
import type { ResolvedProperty, ResolvedSchema } from './schema.js';

/** A property value as tracksync sees it, whatever the Notion type behind it. */
export type FieldValue = string | number | boolean | readonly string[] | null;

/** The part of a page object the codecs read. */
export interface PageLike {
  readonly id: string;
  readonly properties: Record<string, unknown>;
  readonly last_edited_time?: string;
  readonly created_time?: string;
}

interface RichTextItem {
  plain_text?: string;
  text?: { content?: string };
}

function plainText(items: unknown): string {
  if (!Array.isArray(items)) return '';
  return (items as RichTextItem[]).map((i) => i.plain_text ?? i.text?.content ?? '').join('');
}

/** Decodes one property value of a page response into a FieldValue. */
export function decodeProperty(raw: unknown): FieldValue {
  if (raw === null || typeof raw !== 'object') return null;
  const value = raw as { type?: string } & Record<string, unknown>;
  const inner = value[value.type ?? ''];
  switch (value.type) {
    case 'title':
    case 'rich_text':
      return plainText(inner);
    case 'url':
    case 'email':
    case 'phone_number':
      return typeof inner === 'string' ? inner : null;
    case 'number':
      return typeof inner === 'number' ? inner : null;
    case 'checkbox':
      return inner === true;
    case 'select':
    case 'status':
      return (inner as { name?: string } | null)?.name ?? null;
    case 'multi_select':
      return Array.isArray(inner) ? (inner as Array<{ name: string }>).map((o) => o.name) : [];
    case 'date':
      return (inner as { start?: string } | null)?.start ?? null;
    case 'relation':
    case 'people':
      return Array.isArray(inner) ? (inner as Array<{ id: string }>).map((o) => o.id) : [];
    case 'created_time':
    case 'last_edited_time':
      return typeof inner === 'string' ? inner : null;
    case 'formula': {
      const formula = inner as { type?: string } & Record<string, unknown>;
      const result = formula?.[formula.type ?? ''];
      return typeof result === 'string' || typeof result === 'number' || typeof result === 'boolean' ? result : null;
    }
    default:
      return null;
  }
}

/** Reads a semantic field from a page; undefined when the data source has no such property. */
export function readField<D extends DatabaseKey>(
  schema: ResolvedSchema<D>,
  page: PageLike,
  field: FieldKey<D>,
): FieldValue | undefined {
  const property = schema.fields[field];
  if (property === undefined) return undefined;
  return decodeProperty(page.properties[property.name]);
}

export function readText<D extends DatabaseKey>(schema: ResolvedSchema<D>, page: PageLike, field: FieldKey<D>): string {
  const value = readField(schema, page, field);
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.join(', ');
  return String(value).trim();
}

export function readList<D extends DatabaseKey>(
  schema: ResolvedSchema<D>,
  page: PageLike,
  field: FieldKey<D>,
): string[] {
  const value = readField(schema, page, field);
  return Array.isArray(value) ? [...value] : [];
}

const TRUNCATION_MARKER = ' [...cut by tracksync]';

/**
 * Splits text into rich-text items of at most 2000 characters (Notion's limit), at most 100 items; longer text is cut
 * with a visible marker. Splits never break a UTF-16 surrogate pair.
 */
export function toRichText(
  text: string,
  maxChars: number = CONSTANTS.text.maxRichTextChars,
  maxItems: number = CONSTANTS.text.maxRichTextItems,
): Array<{ type: 'text'; text: { content: string } }> {
  if (text === '') return [];
  const chunks: string[] = [];
  let rest = text;
  while (rest.length > 0 && chunks.length < maxItems) {
    let end = Math.min(maxChars, rest.length);
    if (end < rest.length && isHighSurrogate(rest.charCodeAt(end - 1))) end -= 1;
    chunks.push(rest.slice(0, end));
    rest = rest.slice(end);
  }
  if (rest.length > 0) {
    const last = chunks[chunks.length - 1]!;
    chunks[chunks.length - 1] = last.slice(0, maxChars - TRUNCATION_MARKER.length) + TRUNCATION_MARKER;
  }
  return chunks.map((content) => ({ type: 'text' as const, text: { content } }));
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** Cuts a single-line text (a title, a select name) to `maxChars`, never inside a surrogate pair. */
export function cutText(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  let end = maxChars - 1;
  if (isHighSurrogate(text.charCodeAt(end - 1))) end -= 1;
  return `${text.slice(0, end)}…`;
}

/** Encodes a value for a property update or create request, according to the live property type. */
export function encodeProperty(property: ResolvedProperty, value: FieldValue): unknown {
  switch (property.type) {
    case 'title':
      return { title: toRichText(value === null ? '' : String(value)) };
    case 'rich_text':
      return { rich_text: toRichText(value === null ? '' : Array.isArray(value) ? value.join(', ') : String(value)) };
    case 'url':
      return { url: value === null || value === '' ? null : cutUrl(property, String(value)) };
    case 'number':
      return { number: typeof value === 'number' && Number.isFinite(value) ? value : null };
    case 'checkbox':
      return { checkbox: value === true };
    case 'select':
      return { select: value === null || value === '' ? null : { name: selectName(String(value)) } };
    case 'status':
      if (value === null) return { status: null };
      if (!property.options.includes(String(value))) {
        // Notion cannot create status options through the API: writing one that is missing would be a 400.
        throw new TrackSyncError(
          'NOTION_VALIDATION',
          `status "${String(value)}" is not an option of property "${property.name}" (options: ${property.options.join(', ')})`,
        );
      }
      return { status: { name: String(value) } };
    case 'multi_select':
      return {
        multi_select: (Array.isArray(value) ? value : value === null ? [] : [String(value)]).map((name) => ({
          name: selectName(name),
        })),
      };
    case 'date':
      return { date: value === null || value === '' ? null : { start: String(value) } };
    case 'relation': {
      const ids = Array.isArray(value) ? value : [];
      // Never cut: a write replaces the whole relation, so a cut list would drop links (relations.ts).
      if (ids.length > CONSTANTS.text.maxRelationIds) throw tooManyRelated(property, ids.length);
      return { relation: ids.map((id) => ({ id })) };
    }
    default:
      throw new TrackSyncError(
        'NOTION_VALIDATION',
        `tracksync does not write properties of type ${property.type} ("${property.name}")`,
      );
  }
}

/** A relation value tracksync should never have built: more ids than one request can set (relations.ts). */
function tooManyRelated(property: ResolvedProperty, count: number): TrackSyncError {
  return new TrackSyncError(
    'NOTION_VALIDATION',
    `relation "${property.name}" would hold ${count} pages; Notion accepts at most ${CONSTANTS.text.maxRelationIds} per request and a write replaces the whole list, so tracksync does not write it (nothing is dropped)`,
  );
}

/** Select option names cannot contain commas and are limited to 100 characters. */
function selectName(name: string): string {
  return cutText(name.replaceAll(',', ' '), 100);
}

function cutUrl(property: ResolvedProperty, url: string): string {
  if (url.length > CONSTANTS.text.maxRichTextChars) {
    throw new TrackSyncError(
      'NOTION_VALIDATION',
      `URL for "${property.name}" is ${url.length} characters; Notion accepts at most ${CONSTANTS.text.maxRichTextChars}`,
    );
  }
  return url;
}

/**
 * Builds a `properties` object from semantic field values, skipping fields the data source does not have.
 * This is the one place where "an optional field is missing" turns into "not written" rather than an error.
 */
/** Page property values as the Notion API takes them in a create or an update (the official client's type). */
export type PropertyValues = NonNullable<CreatePageParameters['properties']>;

export function encodeFields<D extends DatabaseKey>(
  schema: ResolvedSchema<D>,
  values: Partial<Record<FieldKey<D>, FieldValue>>,
): PropertyValues {
  // The one place our values become the SDK's request shape: encodeProperty builds each value from the property's
  // live type, which the SDK's union of per-type shapes cannot follow statically.
  const properties: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(values) as Array<[FieldKey<D>, FieldValue | undefined]>) {
    if (value === undefined) continue;
    const property = schema.fields[field];
    if (property === undefined) continue;
    properties[property.name] = encodeProperty(property, value);
  }
  return properties as PropertyValues;
}

/** True when every encoded value in `expected` is what the page now holds (used to reconcile an ambiguous write). */
export function pageHasValues<D extends DatabaseKey>(
  schema: ResolvedSchema<D>,
  page: PageLike,
  values: Partial<Record<FieldKey<D>, FieldValue>>,
): boolean {
  for (const [field, value] of Object.entries(values) as Array<[FieldKey<D>, FieldValue | undefined]>) {
    if (value === undefined) continue;
    const property = schema.fields[field];
    if (property === undefined) continue;
    const actual = decodeProperty(page.properties[property.name]);
    if (!sameValue(property, actual, value)) return false;
  }
  return true;
}

function sameValue(property: ResolvedProperty, actual: FieldValue, expected: FieldValue): boolean {
  const norm = (v: FieldValue): string => {
    if (v === null || v === undefined) return property.type === 'checkbox' ? 'false' : '';
    if (Array.isArray(v)) return [...v].sort().join('\u0000');
    return String(v);
  };
  if (property.type === 'title' || property.type === 'rich_text') {
    return (
      toRichText(norm(expected))
        .map((i) => i.text.content)
        .join('') === norm(actual)
    );
  }
  if (property.type === 'date') return sameDate(norm(actual), norm(expected));
  return norm(actual) === norm(expected);
}

/**
 * Dates compared by instant: Notion answers a written "2026-11-24T15:04:05.123Z" with "2026-11-24T15:04:05.123+00:00"
 * (offset form, time_zone null), so comparing strings would take a write that landed for one that did not.
 */
export function sameDate(a: string, b: string): boolean {
  if (a === '' || b === '') return a === b;
  const x = Date.parse(a);
  const y = Date.parse(b);
  return Number.isNaN(x) || Number.isNaN(y) ? a === b : x === y;
}
