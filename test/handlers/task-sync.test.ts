import { silentLogger } from '../../src/log.js';
import { RowBudget, nowPlayingSource, readTargets, taskLimit, taskText } from '../../handlers/task-sync.js';

// What a task's text asks for (test/handlers/music-sync.test.ts runs whole tasks): the text is anyone's, so it may
// lower the user's caps but never raise them, and every URL in it is either synced once or reported.
describe('reading a music task', () => {
  it('joins Description, Next Required Step and Success Criteria, without control characters', () => {
    const ctx = { input: { fields: { description: 'a\u0000b', nextStep: null, successCriteria: 'c' } } } as never;
    expect(taskText(ctx)).toBe('ab\n\nc');
  });

  it('lets "limit: N" lower the cap and says so when it asks for more', () => {
    expect(taskLimit('sync these', 25)).toEqual({ limit: 25, asked: null });
    expect(taskLimit('please, Limit = 3 tracks', 25)).toEqual({ limit: 3, asked: 3 });
    expect(taskLimit('limit 0', 25)).toMatchObject({ limit: 1 });
    const more = taskLimit('limit: 500', 25);
    expect(more).toMatchObject({ limit: 25, asked: 500 });
    expect(more.note).toContain('the configured cap is 25 (tasks.maxTracksPerTask)');
  });

  it('syncs each track and playlist URL once, and reports what it cannot use', () => {
    const targets = readTargets(
      [
        'Sync https://soundcloud.com/solar/golden-hour and https://soundcloud.com/solar/golden-hour?utm_source=x',
        'plus https://open.spotify.com/playlist/37i9dQZF1DXcBWIGoYBM5M and https://soundcloud.com/solar',
      ].join('\n'),
    );
    expect(targets.tracks.map((t) => t.url)).toEqual(['https://soundcloud.com/solar/golden-hour']);
    expect(targets.playlists.map((p) => p.platform)).toEqual(['spotify']);
    expect(targets.notes).toHaveLength(1);
    expect(targets.notes[0]).toContain('appears more than once; synced once');
    expect(targets.problems.map((p) => p.label)).toEqual(['https://soundcloud.com/solar']);
    expect(targets.problems[0]!.reason).toMatch(/not a track or a playlist/);
  });

  it('counts the rows a task may still create and says when the cap stopped it', () => {
    const budget = new RowBudget(2);
    expect(budget.note()).toBeUndefined();
    budget.created = 1;
    expect(budget.note()).toBe('1 new Music Tracks row(s) created.');
    budget.created = 2;
    budget.refused = 3;
    expect(budget.remaining).toBe(0);
    expect(budget.note()).toMatch(/the most one task may create .*; 3 more track\(s\) got no row\.$/);
  });

  it('skips the now-playing fallback quietly where there is no Spotify app to ask', async () => {
    const ctx = {
      config: { macos: { osascript: '/nonexistent/osascript', nowPlaying: true } },
      logger: silentLogger(),
      signal: new AbortController().signal,
    } as never;
    expect(await nowPlayingSource('linux').candidates(ctx, 1)).toEqual({ unavailable: 'not a Mac' });
    // On a Mac whose osascript cannot run, the chain goes on too.
    expect(await nowPlayingSource('darwin').candidates(ctx, 1)).toEqual({
      unavailable: 'Spotify is not playing a track',
    });
  });
});
