import { chooseKeeper, keeperScore, mergedValues } from '../../src/dedup/merge.js';
import type { FieldValue } from '../../src/notion/codecs.js';
import type { FieldKey } from '../../src/notion/databases.js';
import type { PageResponse } from '../../src/notion/gateway.js';
import { seededSchema } from '../helpers/notion.js';

const tracks = seededSchema('tracks');

const EMPTY: Record<string, FieldValue> = { title: '', rich_text: '', checkbox: false, multi_select: [], relation: [] };

/** A Music Tracks page as Notion returns it: every mapped property, empty unless given a value here. */
function page(id: string, edited: string, values: Partial<Record<FieldKey<'tracks'>, FieldValue>>): PageResponse {
  const properties: Record<string, unknown> = {};
  for (const [field, property] of Object.entries(tracks.fields) as Array<
    [FieldKey<'tracks'>, { name: string; type: string }]
  >) {
    const { name, type } = property;
    const value = field in values ? values[field]! : (EMPTY[type] ?? null);
    const inner =
      type === 'title' || type === 'rich_text'
        ? [{ plain_text: String(value ?? '') }]
        : type === 'select'
          ? value === null
            ? null
            : { name: value }
          : type === 'multi_select'
            ? (value as string[]).map((n) => ({ name: n }))
            : type === 'relation'
              ? (value as string[]).map((i) => ({ id: i }))
              : type === 'date'
                ? value === null
                  ? null
                  : { start: value }
                : value;
    properties[name] = { id: name, type, [type]: inner, ...(type === 'relation' ? { has_more: false } : {}) };
  }
  return { object: 'page', id, last_edited_time: edited, properties } as unknown as PageResponse;
}

// Merging duplicates must lose nothing a person or tracksync wrote (docs/legacy-bugs.md, "Merging duplicate pages").
describe('merging duplicate Music Tracks pages', () => {
  const synced = page('b', '2026-11-01T00:00:00.000Z', {
    title: 'Golden Hour',
    m4aPath: '/out/a.m4a',
    aiffPath: '/out/a.aiff',
    wavPath: '/out/a.wav',
    downloaded: true,
    bpm: 122,
    playlists: ['pl-1'],
    releaseDate: '2026-03-01',
  });
  const richer = page('a', '2026-11-20T00:00:00.000Z', {
    title: 'Golden Hour (Extended Mix)',
    eagleId: 'E1',
    bpm: null,
    playlists: ['pl-2'],
    releaseDate: '2025-12-31',
    downloaded: false,
  });

  it('keeps the page with the most files and ids; a tie goes to the page edited last', () => {
    expect(keeperScore(tracks, synced)).toBe(2 + 2 + 2 + 1);
    expect(keeperScore(tracks, richer)).toBe(5);
    expect(chooseKeeper(tracks, [richer, synced]).id).toBe('b');
    const twin = page('c', '2026-11-25T00:00:00.000Z', {
      m4aPath: '/x',
      aiffPath: '/y',
      wavPath: '/z',
      downloaded: true,
    });
    expect(chooseKeeper(tracks, [synced, twin]).id).toBe('c');
  });

  it('gives the keeper the longer text, every playlist, the earliest date, and its own values where it has them', () => {
    expect(mergedValues(tracks, synced, [richer])).toEqual({
      title: 'Golden Hour (Extended Mix)',
      eagleId: 'E1',
      playlists: ['pl-1', 'pl-2'],
      releaseDate: '2025-12-31',
    });
    // Nothing changes when the donor knows nothing more.
    expect(mergedValues(tracks, richer, [page('d', '2026-01-01T00:00:00.000Z', { title: 'Golden' })])).toEqual({});
  });

  it('refuses to merge a relation a page lists only part of', () => {
    const partial = page('e', '2026-11-02T00:00:00.000Z', { playlists: ['pl-3'] });
    (partial.properties[tracks.fields.playlists!.name] as { has_more?: boolean }).has_more = true;
    expect(() => mergedValues(tracks, synced, [partial])).toThrow(/read the relation in full first/);
  });
});
