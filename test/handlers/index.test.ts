import { builtInHandlers } from '../../handlers/index.js';
import { loadConfig } from '../../src/config/load.js';

// The first handler that accepts an item gets it: a playlist task must reach playlist-sync before the general
// music-sync handler takes it, and the follow-up handlers serve only their own queues, never a polled page.
describe('the built-in handlers', () => {
  const config = loadConfig({
    env: { NOTION_TOKEN: 'ntn_test_123456', TRACKS_DB_ID: '27ce73616c2780fbb40efefdd47d6640' },
    cwd: '/',
  });

  it('asks playlist-sync before music-sync, and each handler has its own name', () => {
    const names = builtInHandlers().map((h) => h.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.indexOf('playlist-sync')).toBeLessThan(names.indexOf('music-sync'));
    expect(names).toEqual(expect.arrayContaining(['music-track', 'links', 'eagle-import']));
  });

  it('routes a Ready "Sync playlist" task to playlist-sync first, and leaves follow-up queues to their own handlers', () => {
    const task = {
      source: 'tasks',
      fields: { status: 'Ready', title: 'Sync playlist https://open.spotify.com/playlist/37i9dQZF1DXcBWIGoYBM5M' },
    } as never;
    const first = builtInHandlers().find((h) => h.source === 'tasks' && h.accepts(task, config));
    expect(first?.name).toBe('playlist-sync');
    const followUps = builtInHandlers().filter((h) => h.queue !== undefined);
    expect(followUps.map((h) => h.name).sort()).toEqual(['eagle-import', 'links']);
    for (const handler of followUps)
      expect(handler.accepts({ source: 'tracks', fields: {} } as never, config)).toBe(false);
  });
});
