import type { FieldValue } from '../notion/codecs.js';

/**
 * The order of a playlist: the order of its Notion relation (what the DJ arranged), or, when playlists.sortProperty is
 * set, that Music Tracks property ascending ("Set Order" 1, 2, 3 ...). Numbers sort as numbers, text naturally ("2"
 * before
 * "10"); tracks without a value go last; ties keep the relation's order, so the sort is stable.
 */

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

function rank(value: FieldValue | undefined): { kind: 0 | 1 | 2; number: number; text: string } {
  if (typeof value === 'number' && Number.isFinite(value)) return { kind: 0, number: value, text: '' };
  const text =
    value === null || value === undefined ? '' : Array.isArray(value) ? value.join(', ') : String(value).trim();
  if (text === '') return { kind: 2, number: 0, text: '' };
  const number = Number(text);
  return Number.isFinite(number) ? { kind: 0, number, text: '' } : { kind: 1, number: 0, text };
}

/** `ids` in playlist order. `sortValue` gives a track's sort property value; undefined keeps the relation's order. */
export function orderTracks(ids: readonly string[], sortValue?: (id: string) => FieldValue | undefined): string[] {
  const unique = [...new Set(ids)];
  if (!sortValue) return unique;
  const ranked = unique.map((id, index) => ({ id, index, rank: rank(sortValue(id)) }));
  ranked.sort(
    (a, b) =>
      a.rank.kind - b.rank.kind ||
      a.rank.number - b.rank.number ||
      collator.compare(a.rank.text, b.rank.text) ||
      a.index - b.index,
  );
  return ranked.map((r) => r.id);
}
