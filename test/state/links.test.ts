import { join } from 'node:path';
import { Store } from '../../state/store.js';
import { tempDir } from '../helpers/tmp.js';

// Link candidates (state/links.ts): every match a cross-platform link lookup scored, listed by `tracksync links`.

const dir = tempDir();
let files = 0;
let store: Store;
beforeEach(() => (store = Store.open(join(dir, `links-${++files}.sqlite`))));
afterEach(() => store.close());

const candidate = (platform: string, url: string, score: number, now = 1_000) => ({
  pageId: 'page-1',
  platform,
  url,
  title: `${platform} ${url}`,
  score,
  accepted: score >= 0.8,
  rejected: score >= 0.8 ? null : 'score below 0.8',
  now,
});

describe('link candidates (LinkCandidates)', () => {
  it("lists a page's candidates by platform, best score first, with why each was rejected", () => {
    // `tracksync links PAGE` shows what was found and why a near miss was not written to the row.
    store.links.saveLinkCandidate(candidate('youtube', 'https://youtu.be/b', 0.5));
    store.links.saveLinkCandidate(candidate('spotify', 'https://open.spotify.com/track/1', 0.95));
    store.links.saveLinkCandidate(candidate('youtube', 'https://youtu.be/a', 0.9));
    store.links.saveLinkCandidate({ ...candidate('youtube', 'https://youtu.be/z', 0.99), pageId: 'page-2' });
    const rows = store.links.listLinkCandidates('page-1');
    expect(rows.map((r) => [r.platform, r.url, r.accepted, r.rejected])).toEqual([
      ['spotify', 'https://open.spotify.com/track/1', 1, null],
      ['youtube', 'https://youtu.be/a', 1, null],
      ['youtube', 'https://youtu.be/b', 0, 'score below 0.8'],
    ]);
  });

  it('a lookup run again updates the candidate it found before instead of adding a second one', () => {
    // Lookups are retried; the list must show each URL once, with its latest score and verdict.
    store.links.saveLinkCandidate(candidate('youtube', 'https://youtu.be/a', 0.9, 1_000));
    store.links.saveLinkCandidate(candidate('youtube', 'https://youtu.be/a', 0.4, 2_000));
    expect(store.links.listLinkCandidates('page-1')).toEqual([
      {
        page_id: 'page-1',
        platform: 'youtube',
        url: 'https://youtu.be/a',
        title: 'youtube https://youtu.be/a',
        score: 0.4,
        accepted: 0,
        rejected: 'score below 0.8',
        checked_at: 2_000,
      },
    ]);
  });
});
