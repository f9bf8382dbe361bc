import { decodeProperty, toRichText } from '../../src/notion/codecs.js';
import { makeClip } from '../helpers/audio.js';
import { title } from '../helpers/notion.js';
import { pipelineWorld } from '../helpers/pipeline.js';

/**
 * Spotify playlist tasks against Spotify as it serves a personal (Development Mode) app since March 2026: the tracks
 * of playlists the user owns or collaborates on only (the local Spotify is strict; see spotify-server.ts).
 */
describe('Spotify playlist tasks', async () => {
  const world = await pipelineWorld();
  const { sandbox, media, spotify } = world;
  const field = (id: string, name: string) => decodeProperty(sandbox.workspace.retrievePage(id).properties[name]);
  const task = (name: string, description: string) =>
    sandbox.workspace.createPage({
      parent: { data_source_id: sandbox.ids.tasks.dataSourceId },
      properties: {
        'Task Name': title(name),
        Status: { status: { name: 'Ready' } },
        Description: { rich_text: toRichText(description) },
      },
    }).id;
  const rowsOf = (spotifyId: string) =>
    sandbox.workspace
      .allPages(sandbox.ids.tracks.dataSourceId)
      .filter((p) => decodeProperty(p.properties['Spotify ID']) === spotifyId);

  it("syncs a playlist the user collaborates on; someone else's ends Blocked with the reason and how to copy it", async () => {
    spotify.addTrack({
      id: '6crewPick0000000000000',
      name: 'Crew Pick',
      artists: [{ id: 'artist00000000000crew01', name: 'Night Crew' }],
      album: 'Picks',
      releaseDate: '2025-09-09',
      durationMs: 10_000,
    });
    spotify.addTrack({
      id: '7theirTrack00000000000',
      name: 'Not Mine',
      artists: [{ id: 'artist00000000000crew02', name: 'Other DJ' }],
      album: 'Theirs',
      releaseDate: '2025-09-09',
      durationMs: 10_000,
    });
    const url = await media.addFile(
      'crew-pick.mp3',
      await makeClip({ tonic: 4, mode: 'minor', bpm: 126, seconds: 10 }),
    );
    media.addSearchResults('night crew crew pick', [
      { title: 'Night Crew - Crew Pick (Official Audio)', url, durationSeconds: 10 },
    ]);
    spotify.addPlaylist('6crewPicksPlaylist0000', 'Crew Picks', ['6crewPick0000000000000'], {
      owner: 'dj-friend',
      collaborators: [spotify.userId],
    });
    spotify.addPlaylist('7theirSetPlaylist00000', 'Their Set', ['7theirTrack00000000000'], { owner: 'dj-friend' });
    const mine = task('Sync playlist Crew Picks', 'https://open.spotify.com/playlist/6crewPicksPlaylist0000');
    const theirs = task('Sync playlist Their Set', 'https://open.spotify.com/playlist/7theirSetPlaylist00000');

    const daemon = await world.daemon();
    onTestFinished(() => daemon.stop('test'));
    await daemon.runOnce();

    expect(field(mine, 'Status')).toBe('Completed');
    expect(decodeProperty(rowsOf('6crewPick0000000000000')[0]!.properties.Downloaded)).toBe(true);
    expect(field(theirs, 'Status')).toBe('Blocked');
    const result = String(field(theirs, 'Execution-Result'));
    expect(result).toContain('"Their Set"');
    expect(result).toContain('belongs to dj-friend');
    expect(result).toMatch(/only the playlists you own or collaborate on/);
    expect(result).toContain('copy it into your own account');
    expect(rowsOf('7theirTrack00000000000')).toHaveLength(0);
    expect(spotify.requests()).not.toContain('GET /v1/playlists/6crewPicksPlaylist0000/tracks');
  }, 90_000);
});
