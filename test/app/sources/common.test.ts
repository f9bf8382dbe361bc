import {
  decodeFields,
  hashFields,
  humanTime,
  pollPropertyIds,
  sameId,
  textOf,
} from '../../../src/app/sources/common.js';
import type { PageResponse } from '../../../src/notion/gateway.js';
import { seededSchema } from '../../helpers/notion.js';

// The hash tells "the row changed" from "Notion bumped last_edited_time": a wrong hash re-queues every row, or misses
// an edit.
describe('source helpers', () => {
  const tracks = seededSchema('tracks');
  const page = (title: string, processing: string[], lock = ''): PageResponse =>
    ({
      id: 'p',
      properties: {
        [tracks.fields.title!.name]: { type: 'title', title: [{ plain_text: title }] },
        [tracks.fields.processing!.name]: { type: 'multi_select', multi_select: processing.map((name) => ({ name })) },
        [tracks.fields.lock!.name]: { type: 'rich_text', rich_text: lock ? [{ plain_text: lock }] : [] },
      },
    }) as unknown as PageResponse;

  it('decodes every mapped field of a page', () => {
    const fields = decodeFields(tracks, page('Golden Hour', ['a']));
    expect(fields).toMatchObject({ title: 'Golden Hour', processing: ['a'], lock: '' });
    expect(fields.bpm).toBeNull(); // mapped, absent from the page
  });

  it('hashes what defines the work: list order and ignored fields do not count, an edit does', () => {
    const ignore = new Set(['lock']);
    const base = hashFields(tracks, page('Golden Hour', ['a', 'b']), ignore);
    expect(hashFields(tracks, page('Golden Hour', ['b', 'a'], '1:host:abc:2026'), ignore)).toBe(base);
    expect(hashFields(tracks, page('Golden Hour (Edit)', ['a', 'b']), ignore)).not.toBe(base);
    // A field left out of polls counts as empty, whatever the page holds.
    const blank = new Set(['title']);
    expect(hashFields(tracks, page('x', []), ignore, blank)).toBe(hashFields(tracks, page('', []), ignore, blank));
  });

  it('asks polls for the mapped properties only, minus the heavy ones', () => {
    const ids = pollPropertyIds(tracks, new Set(['fingerprint']));
    expect(ids).toContain(tracks.fields.title!.id);
    expect(ids).not.toContain(tracks.fields.fingerprint!.id);
    expect(ids).toHaveLength(Object.values(tracks.fields).filter(Boolean).length - 1);
  });

  it('compares Notion ids with or without dashes, and writes text and times as people read them', () => {
    expect(sameId('27ce7361-6c27-80fb-b40e-fefdd47d6640', '27CE73616C2780FBB40EFEFDD47D6640')).toBe(true);
    expect(sameId('27ce7361', '27ce7362')).toBe(false);
    expect(textOf(['a', 'b'])).toBe('a, b');
    expect(textOf(undefined)).toBe('');
    expect(textOf(' x ')).toBe('x');
    expect(humanTime(Date.parse('2026-11-24T15:04:59Z'))).toBe('2026-11-24 15:04 UTC');
  });
});
