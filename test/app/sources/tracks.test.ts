import { errorTagFor, formatLock, parseLock, trackEligibilityFilter } from '../../../src/app/sources/tracks.js';
import { TrackSyncError } from '../../../src/errors.js';
import { seededSchema } from '../../helpers/notion.js';

// The Processing Lock and the Audio Processing error tags are read by the legacy scripts and by people filtering rows.
describe('Music Tracks rows as items', () => {
  it('writes the legacy lock format and reads it back; a foreign or broken value is not a lock', () => {
    const at = Date.parse('2026-11-24T15:04:05.000Z');
    const raw = formatLock(4242, 'dj-mac', 'ab12cd34', at);
    expect(raw).toBe('4242:dj-mac:ab12cd34:2026-11-24T15:04:05.000Z');
    expect(parseLock(` ${raw} `)).toEqual({ pid: 4242, host: 'dj-mac', owner: 'ab12cd34', at, raw });
    expect(parseLock('locked by Anna')).toBeUndefined();
    expect(parseLock('1:h:o:yesterday')).toBeUndefined();
  });

  it("tags a failure with the contract's words: by the error's own tag, its code, or its family", () => {
    expect(errorTagFor(new TrackSyncError('SOURCE_GEO_BLOCKED', 'x'))).toBe('SC_Geo_Blocked');
    expect(errorTagFor(new TrackSyncError('CORRUPT_MEDIA', 'x'))).toBe('Conversion_Failed');
    expect(errorTagFor(new TrackSyncError('NOTION_VALIDATION', 'x'))).toBe('Notion_Update_Failed');
    expect(errorTagFor(new TrackSyncError('INTERNAL', 'x'))).toBe('Unknown_Error');
    const explicit = new TrackSyncError('INTERNAL', 'x', { details: { processingTag: 'Lock_Conflict' } });
    expect(errorTagFor(explicit)).toBe('Lock_Conflict');
    const unknown = new TrackSyncError('INTERNAL', 'x', { details: { processingTag: 'Made_Up' } });
    expect(errorTagFor(unknown)).toBe('Unknown_Error');
  });

  it('asks Notion for rows not downloaded with at least one source', () => {
    const tracks = seededSchema('tracks');
    const filter = trackEligibilityFilter(tracks) as unknown as { and: [unknown, { or: Array<{ property: string }> }] };
    expect(filter.and[0]).toEqual({ property: tracks.fields.downloaded!.name, checkbox: { equals: false } });
    expect(filter.and[1].or.map((f) => f.property)).toContain(tracks.fields.soundcloudUrl!.name);
    expect(filter.and[1].or.length).toBeGreaterThanOrEqual(4);
  });
});
