import { TrackSyncError } from '../../src/errors.js';
import {
  cutText,
  decodeProperty,
  encodeFields,
  encodeProperty,
  pageHasValues,
  readList,
  readText,
  sameDate,
  toRichText,
} from '../../src/notion/codecs.js';
import { seededSchema } from '../helpers/notion.js';

// Every value read from or written to Notion passes here: a wrong encoding is a 400 or, worse, a silently lost value.
describe('Notion property codecs', () => {
  const tracks = seededSchema('tracks');

  it('decodes each property type as the API returns it', () => {
    expect(decodeProperty({ type: 'title', title: [{ plain_text: 'Gold' }, { text: { content: 'en' } }] })).toBe(
      'Golden',
    );
    expect(decodeProperty({ type: 'number', number: 122 })).toBe(122);
    expect(decodeProperty({ type: 'checkbox', checkbox: true })).toBe(true);
    expect(decodeProperty({ type: 'select', select: null })).toBeNull();
    expect(decodeProperty({ type: 'status', status: { name: 'Ready' } })).toBe('Ready');
    expect(decodeProperty({ type: 'multi_select', multi_select: [{ name: 'a' }, { name: 'b' }] })).toEqual(['a', 'b']);
    expect(decodeProperty({ type: 'relation', relation: [{ id: 'p1' }] })).toEqual(['p1']);
    expect(decodeProperty({ type: 'date', date: { start: '2026-11-24' } })).toBe('2026-11-24');
    expect(decodeProperty({ type: 'formula', formula: { type: 'number', number: 3 } })).toBe(3);
    expect(decodeProperty({ type: 'rollup', rollup: {} })).toBeNull();
    expect(decodeProperty(undefined)).toBeNull();
  });

  it('splits rich text at 2000 characters without breaking an emoji, and marks a cut', () => {
    const emoji = `${'x'.repeat(1999)}😀tail`;
    const chunks = toRichText(emoji).map((c) => c.text.content);
    expect(chunks).toEqual(['x'.repeat(1999), '😀tail']);
    const cut = toRichText('y'.repeat(50), 10, 2).map((c) => c.text.content);
    expect(cut).toHaveLength(2);
    expect(cut[1]).toMatch(/cut by tracksync\]$/);
    expect(toRichText('')).toEqual([]);
    expect(cutText('ab😀cd', 4)).toBe('ab…');
  });

  it('writes fields by their live property names and skips fields the database lacks', () => {
    const properties = encodeFields(tracks, {
      title: 'Golden Hour',
      bpm: 122,
      downloaded: true,
      processing: ['a,b'],
      key: 'A minor',
      releaseDate: null,
    }) as Record<string, unknown>;
    expect(properties['Title']).toEqual({ title: [{ type: 'text', text: { content: 'Golden Hour' } }] });
    expect(properties[tracks.fields.bpm!.name]).toEqual({ number: 122 });
    expect(properties[tracks.fields.downloaded!.name]).toEqual({ checkbox: true });
    // A comma is not allowed in a select option name.
    expect(properties[tracks.fields.processing!.name]).toEqual({ multi_select: [{ name: 'a b' }] });
    expect(properties['Key ']).toBeDefined(); // the live property's trailing space kept
    expect(Object.keys(properties)).toHaveLength(6);
  });

  it('refuses what Notion would refuse, naming the property: a missing status option, a too-long URL', () => {
    const status = { id: 's', name: 'Status', type: 'status', options: ['Ready', 'Done'] } as never;
    expect(encodeProperty(status, 'Done')).toEqual({ status: { name: 'Done' } });
    expect(() => encodeProperty(status, 'Nope')).toThrow(/status "Nope" is not an option of property "Status"/);
    const url = { id: 'u', name: 'Source URL', type: 'url', options: [] } as never;
    const error = (() => {
      try {
        encodeProperty(url, `https://x.test/${'a'.repeat(2100)}`);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(TrackSyncError);
    expect((error as TrackSyncError).message).toContain('"Source URL"');
  });

  it('reads a page back and recognises a write that landed, dates by instant', () => {
    const page = {
      id: 'p',
      properties: {
        Title: { type: 'title', title: [{ plain_text: ' Golden Hour ' }] },
        [tracks.fields.processing!.name]: { type: 'multi_select', multi_select: [{ name: 'b' }, { name: 'a' }] },
        [tracks.fields.processedAt!.name]: { type: 'date', date: { start: '2026-11-24T15:04:05.123+00:00' } },
      },
    };
    expect(readText(tracks, page, 'title')).toBe('Golden Hour');
    expect(readList(tracks, page, 'processing')).toEqual(['b', 'a']);
    expect(pageHasValues(tracks, page, { processing: ['a', 'b'], processedAt: '2026-11-24T15:04:05.123Z' })).toBe(true);
    expect(pageHasValues(tracks, page, { processing: ['a'] })).toBe(false);
    expect(sameDate('2026-11-24T15:04:05Z', '2026-11-24T16:04:05+01:00')).toBe(true);
    expect(sameDate('', '2026-11-24')).toBe(false);
  });
});
