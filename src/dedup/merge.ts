import { joinNotes, splitNotes } from '../domain/notes.js';
import { TrackSyncError } from '../errors.js';
import { decodeProperty, type FieldValue } from '../notion/codecs.js';
import { isTruncated, MAX_RELATION_IDS_PER_REQUEST } from '../notion/relations.js';
import type { FieldKey } from '../notion/databases.js';
import type { PageResponse } from '../notion/gateway.js';
import type { ResolvedSchema } from '../notion/schema.js';

/**
 * The legacy keeper and merge rules for duplicate Music Tracks pages (docs/legacy-bugs.md, "Merging duplicate pages"),
 * over the semantic
 * fields tracksync knows (other properties are left as they are on each page).
 *
 * Keeper: +2 per file path, +5 for an Eagle id, +2 for a fingerprint, +1 for Downloaded; a tie goes to the page edited
 * last. Merge: text takes the longer value, multi-select and relations the union, a checkbox OR, a URL, select, number
 * or status the keeper's value unless it is empty (then the donor's), a date the earliest. Notes: the person's lines
 * by the text rule, tracksync's own paragraph kept after them (domain/notes.ts).
 */

type TrackSchema = ResolvedSchema<'tracks'>;
type Values = Partial<Record<FieldKey<'tracks'>, FieldValue>>;

export function keeperScore(schema: TrackSchema, page: PageResponse): number {
  const value = (field: FieldKey<'tracks'>): FieldValue | undefined => {
    const property = schema.fields[field];
    return property ? decodeProperty(page.properties[property.name]) : undefined;
  };
  const present = (v: FieldValue | undefined): boolean =>
    v !== null && v !== undefined && v !== '' && v !== false && !(Array.isArray(v) && v.length === 0);
  let score = 0;
  for (const field of ['m4aPath', 'aiffPath', 'wavPath'] as const) if (present(value(field))) score += 2;
  if (present(value('eagleId'))) score += 5;
  if (present(value('fingerprint'))) score += 2;
  if (value('downloaded') === true) score += 1;
  return score;
}

/** The page that keeps the merged values: highest score, then the one edited last, then the oldest id for stability. */
export function chooseKeeper(schema: TrackSchema, pages: readonly PageResponse[]): PageResponse {
  return [...pages].sort(
    (a, b) =>
      keeperScore(schema, b) - keeperScore(schema, a) ||
      b.last_edited_time.localeCompare(a.last_edited_time) ||
      a.id.localeCompare(b.id),
  )[0]!;
}

/**
 * The values to write on the keeper so it holds what every page knew (only fields that change are returned). Pages
 * must carry their relations in full (relations.ts, withFullRelations): merging the 25 a query shows would unlink the
 * rest. A merged relation past 100 pages is left out (one request cannot set it, and a write replaces the whole list).
 */
export function mergedValues(schema: TrackSchema, keeper: PageResponse, donors: readonly PageResponse[]): Values {
  const changes: Values = {};
  for (const [field, property] of Object.entries(schema.fields) as Array<
    [FieldKey<'tracks'>, NonNullable<TrackSchema['fields'][FieldKey<'tracks'>]>]
  >) {
    if (field === 'lock' || field === 'processing' || field === 'lastError') continue; // ours, not the track's
    if (property.type === 'relation' && [keeper, ...donors].some((p) => isTruncated(p, property))) {
      throw new TrackSyncError(
        'INTERNAL',
        `merging "${property.name}" from a page object that lists only part of it; read the relation in full first`,
      );
    }
    const mine = decodeProperty(keeper.properties[property.name]);
    let merged: FieldValue = mine;
    if (field === 'notes') {
      // The person's lines merge by the text rule; tracksync's own paragraph (the keeper's first) is kept after them.
      const parts = [keeper, ...donors].map((p) =>
        splitNotes(String(decodeProperty(p.properties[property.name]) ?? '')),
      );
      const person = parts.map((p) => p.person).reduce((a, b) => String(mergeOne(property.type, a, b)));
      merged = joinNotes(person, parts.find((p) => p.ours)?.ours);
    } else {
      for (const donor of donors) {
        const theirs = decodeProperty(donor.properties[property.name]);
        merged = mergeOne(property.type, merged, theirs);
      }
    }
    if (property.type === 'relation' && Array.isArray(merged) && merged.length > MAX_RELATION_IDS_PER_REQUEST) continue;
    if (JSON.stringify(normalise(merged)) !== JSON.stringify(normalise(mine))) changes[field] = merged;
  }
  return changes;
}

function empty(v: FieldValue): boolean {
  return v === null || v === '' || (Array.isArray(v) && v.length === 0);
}

function normalise(v: FieldValue): FieldValue {
  return Array.isArray(v) ? [...v].sort() : v;
}

function mergeOne(type: string, mine: FieldValue, theirs: FieldValue): FieldValue {
  switch (type) {
    case 'title':
    case 'rich_text':
      return String(theirs ?? '').length > String(mine ?? '').length ? theirs : mine;
    case 'multi_select':
    case 'relation':
      return [...new Set([...(Array.isArray(mine) ? mine : []), ...(Array.isArray(theirs) ? theirs : [])])];
    case 'checkbox':
      return mine === true || theirs === true;
    case 'date':
      if (empty(mine)) return theirs;
      if (empty(theirs)) return mine;
      // By instant: Notion returns "…+00:00" where "…Z" was written, and a date may be a day or a date-time.
      return Date.parse(String(theirs)) < Date.parse(String(mine)) ? theirs : mine;
    default:
      return empty(mine) ? theirs : mine;
  }
}
