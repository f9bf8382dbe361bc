import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeProperty } from '../../src/notion/codecs.js';
import { criticalTitle } from '../../src/handoff/critical.js';
import { makeClip } from '../helpers/audio.js';
import { FAST } from '../helpers/daemon.js';
import { text, title } from '../helpers/notion.js';
import { toRichText } from '../../src/notion/codecs.js';
import { pipelineWorld } from '../helpers/pipeline.js';
import { closedPort } from '../helpers/net.js';

describe('conditions that need a person become one CRITICAL Agent-Task', async () => {
  const world = await pipelineWorld();
  const { sandbox, media, spotify } = world;
  const agentPage = sandbox.ids.tracksyncAgentPageId;
  const tasks = () => sandbox.workspace.allPages(sandbox.ids.tasks.dataSourceId);
  const named = (name: string) => tasks().filter((p) => decodeProperty(p.properties['Task Name']) === name);
  const body = (pageId: string) => JSON.stringify(sandbox.workspace.allBlocks(pageId));
  const addTrack = (name: string, url: string) =>
    sandbox.workspace.createPage({
      parent: { data_source_id: sandbox.ids.tracks.dataSourceId },
      properties: { Title: title(name), 'Artist Name': text('Crit'), 'Source URL': { url } },
    }).id;
  // The person's agent, as the legacy tasks were assigned ("Cursor MM1"); never tracksync's own routing page.
  const cursor = sandbox.workspace
    .allPages(sandbox.ids.agents.dataSourceId)
    .find((p) => JSON.stringify(p.properties).includes('Cursor MM1 Agent'))!.id;
  // Lines are added on every occurrence here (the default is at most one an hour).
  const critical = { repeatLineMs: 1, agentPageId: cursor };

  it('Notion refusing a database files one task (High, Ready, assigned), adds lines while it lasts, survives a restart, and says when it clears', async () => {
    const file = { ...FAST, notion: { ...FAST.notion, maxRetries: 0 }, critical };
    const state = 'critical-notion';
    let daemon = await world.daemon({ file, stateName: state });
    sandbox.setFaults([{ path: `^/data_sources/${sandbox.ids.tracks.dataSourceId}/query`, status: 403 }]);
    try {
      await daemon.runCycle('test');
      await daemon.runCycle('test');
      await daemon.app.critical.idle();
      const title = criticalTitle('notion-access');
      expect(named(title)).toHaveLength(1);
      const task = named(title)[0]!;
      expect(decodeProperty(task.properties.Status)).toBe('Ready');
      expect(decodeProperty(task.properties.Priority)).toBe('High');
      expect(decodeProperty(task.properties['Assigned-Agent'])).toEqual([critical.agentPageId]);
      expect(String(decodeProperty(task.properties.Description))).toContain('Fix: Open the database in Notion');
      expect(body(task.id)).toContain('What tracksync tried');
      expect(body(task.id)).toContain('still happening');

      // A restart finds the open task in SQLite: a line, not a second task.
      await daemon.stop('restart');
      daemon = await world.daemon({ file, stateName: state });
      await daemon.runCycle('test');
      await daemon.app.critical.idle();
      expect(named(title)).toHaveLength(1);
      expect(body(task.id).match(/still happening/g)!.length).toBeGreaterThanOrEqual(2);
      // Our own CRITICAL task is never taken as music-sync work, although its title says "Music Sync".
      expect(daemon.store.items.getItemByPage('tasks', task.id)).toBeUndefined();

      sandbox.setFaults([]);
      await daemon.runCycle('test');
      await daemon.app.critical.idle();
      expect(body(task.id)).toContain('cleared');
      expect(body(task.id)).toContain('every database answered again');
      expect(daemon.store.incidents.getIncident('notion-access')?.cleared_at).not.toBeNull();
      // The next occurrence after a clear, with the task closed by a person, files a new one.
      sandbox.workspace.updatePage(task.id, { properties: { Status: { status: { name: 'Completed' } } } });
      sandbox.setFaults([{ path: `^/data_sources/${sandbox.ids.tracks.dataSourceId}/query`, status: 403 }]);
      await daemon.runCycle('test');
      await daemon.app.critical.idle();
      expect(named(title)).toHaveLength(2);
    } finally {
      sandbox.setFaults([]);
      await daemon.stop('test');
    }
    expect(agentPage).not.toBe(critical.agentPageId);
  });

  it('an outdated yt-dlp failing on every track files "yt-dlp outdated" once; the next download clears it', async () => {
    // A yt-dlp from 2023 that fails the way an outdated extractor does.
    const bin = join(world.dir, 'old-ytdlp', 'yt-dlp');
    mkdirSync(join(world.dir, 'old-ytdlp'), { recursive: true });
    writeFileSync(
      bin,
      '#!/bin/sh\nif [ "$1" = "--version" ]; then echo 2023.03.04; exit 0; fi\necho "ERROR: [generic] Unable to extract audio URL; please report this issue on https://github.com/yt-dlp/yt-dlp/issues?q= . Confirm you are on the latest version using yt-dlp -U" >&2\nexit 1\n',
    );
    chmodSync(bin, 0o755);
    const file = { ...FAST, critical, retry: { ...FAST.retry, maxAttempts: 2 }, media: { tools: { ytDlp: bin } } };
    const daemon = await world.daemon({ file, stateName: 'critical-ytdlp' });
    try {
      const urls = await Promise.all(
        [1, 2, 3].map(async (i) =>
          media.addFile(`crit-${i}.mp3`, await makeClip({ tonic: i, mode: 'major', bpm: 120, seconds: 8 })),
        ),
      );
      const rows = urls.map((url, i) => addTrack(`Outdated ${i}`, url));
      await daemon.runOnce();
      await daemon.runOnce();
      await daemon.app.critical.idle();
      // The track's own failure reason names the yt-dlp that failed (an extractor error: its version matters).
      for (const row of rows)
        expect(daemon.store.items.getItemByPage('tracks', row)!.last_error_message).toContain('yt-dlp 2023.03.04');
      const title = criticalTitle('yt-dlp-outdated');
      expect(named(title)).toHaveLength(1);
      const task = named(title)[0]!;
      expect(body(task.id)).toContain('yt-dlp 2023.03.04 is');
      expect(body(task.id)).toContain('brew upgrade yt-dlp');

      // yt-dlp updated (the same path now runs the real one): the next track downloads and the task says so.
      writeFileSync(bin, '#!/bin/sh\nexec yt-dlp "$@"\n');
      addTrack(
        'After the update',
        await media.addFile('crit-ok.mp3', await makeClip({ tonic: 7, mode: 'minor', bpm: 126, seconds: 8 })),
      );
      await daemon.runOnce();
      await daemon.app.critical.idle();
      expect(body(task.id)).toContain('a track downloaded again');
      expect(named(title)).toHaveLength(1);
    } finally {
      await daemon.stop('test');
    }
  }, 120_000);

  it('downloads failing because no host answers say "network unreachable" and never file "yt-dlp outdated"', async () => {
    // The real yt-dlp, reporting a 2023 version: old enough that any run of failed downloads used to blame it.
    const bin = join(world.dir, 'network-ytdlp', 'yt-dlp');
    mkdirSync(join(world.dir, 'network-ytdlp'), { recursive: true });
    writeFileSync(bin, '#!/bin/sh\nif [ "$1" = "--version" ]; then echo 2023.03.04; exit 0; fi\nexec yt-dlp "$@"\n');
    chmodSync(bin, 0o755);
    const port = await closedPort();
    // 127.0.0.1 is refused unless allowed (src/net/hosts.ts): the closed port is allowed, so the connection is tried.
    const env = { TRACKSYNC_ALLOW_PRIVATE_HOSTS: `${media.hostPort},127.0.0.1:${port}` };
    const file = { ...FAST, critical, retry: { ...FAST.retry, maxAttempts: 2 }, media: { tools: { ytDlp: bin } } };
    const daemon = await world.daemon({ file, env, stateName: 'critical-network' });
    try {
      const rows: Array<[string, string]> = [
        [addTrack('No Answer 1', `http://127.0.0.1:${port}/one.mp3`), `127.0.0.1:${port}`],
        [addTrack('No Answer 2', `http://127.0.0.1:${port}/two.mp3`), `127.0.0.1:${port}`],
        [addTrack('No Name', 'http://something.invalid/three.mp3'), 'something.invalid'],
      ];
      await daemon.runOnce();
      await daemon.runOnce();
      await daemon.app.critical.idle();
      for (const [row, host] of rows) {
        const item = daemon.store.items.getItemByPage('tracks', row)!;
        expect(item.last_error_code).toBe('NETWORK_UNREACHABLE');
        expect(item.last_error_message).toMatch(/^network unreachable: /);
        expect(item.last_error_message).toContain(host);
        expect(decodeProperty(sandbox.workspace.retrievePage(row).properties['Audio Processing'])).toEqual([
          'Download_Failed',
        ]);
      }
      expect(daemon.store.incidents.getIncident('yt-dlp-outdated')).toBeUndefined();
    } finally {
      await daemon.stop('test');
    }
  }, 120_000);

  it('an output volume missing past the configured time, and Spotify refusing the credentials, each file their task', async () => {
    const file = { ...FAST, critical: { ...critical, volumeMissingAfterMs: 1 } };
    const daemon = await world.daemon({
      file,
      stateName: 'critical-volume',
      env: { OUT_DIR: '/Volumes/DJ-SSD-unplugged/Playlists', SPOTIFY_CLIENT_SECRET: 'a-revoked-secret' },
    });
    try {
      addTrack(
        'Waits for its drive',
        await media.addFile('crit-volume.mp3', await makeClip({ tonic: 4, mode: 'major', bpm: 118, seconds: 8 })),
      );
      sandbox.workspace.createPage({
        parent: { data_source_id: sandbox.ids.tracks.dataSourceId },
        properties: {
          Title: title('Spotify only'),
          'Artist Name': text('Crit'),
          'Spotify URL': { url: 'https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC' },
        },
      });
      await daemon.runOnce();
      await daemon.runOnce();
      await daemon.app.critical.idle();
      const volume = named(criticalTitle('volume-missing'));
      expect(volume).toHaveLength(1);
      expect(body(volume[0]!.id)).toContain('/Volumes/DJ-SSD-unplugged');
      expect(body(volume[0]!.id)).toContain('Connect the drive');
      const spotifyTask = named(criticalTitle('spotify-credentials'));
      expect(spotifyTask).toHaveLength(1);
      expect(String(decodeProperty(spotifyTask[0]!.properties.Description))).toContain('SPOTIFY_CLIENT_SECRET');
    } finally {
      await daemon.stop('test');
    }
  }, 120_000);

  it('Spotify refusing the app (no Premium) files one task; Spotify-only rows and playlist tasks wait without using up attempts, then resume', async () => {
    // One attempt only: an ordinary transient error would end the row at once; this condition must not.
    const file = { ...FAST, critical, retry: { ...FAST.retry, maxAttempts: 1 } };
    const daemon = await world.daemon({ file, stateName: 'critical-spotify-premium' });
    const byPage = (source: 'tracks' | 'tasks', id: string) => daemon.store.items.getItemByPage(source, id)!;
    try {
      spotify.addTrack({
        id: '2premiumOnly0000000000',
        name: 'Paywall',
        artists: [{ id: 'artist000000000premium1', name: 'Lapsed' }],
        album: 'Dues',
        releaseDate: '2026-01-01',
        durationMs: 8_000,
      });
      spotify.addTrack({
        id: '3premiumAudio000000000',
        name: 'Own Audio',
        artists: [{ id: 'artist000000000premium2', name: 'Lapsed' }],
        album: 'Dues',
        releaseDate: '2026-01-01',
        durationMs: 8_000,
      });
      spotify.addTrack({
        id: '4premiumList0000000000',
        name: 'Listed',
        artists: [{ id: 'artist000000000premium3', name: 'Lapsed' }],
        album: 'Dues',
        releaseDate: '2026-01-01',
        durationMs: 8_000,
      });
      spotify.addPlaylist('5premiumPlaylist000000', 'Lapsed Set', ['4premiumList0000000000']);
      media.addSearchResults('lapsed paywall', [
        {
          title: 'Lapsed - Paywall (Official Audio)',
          url: await media.addFile('paywall.mp3', await makeClip({ tonic: 3, mode: 'minor', bpm: 124, seconds: 8 })),
          durationSeconds: 8,
        },
      ]);
      media.addSearchResults('lapsed listed', [
        {
          title: 'Lapsed - Listed (Official Audio)',
          url: await media.addFile('listed.mp3', await makeClip({ tonic: 6, mode: 'major', bpm: 112, seconds: 8 })),
          durationSeconds: 8,
        },
      ]);
      const spotifyOnly = sandbox.workspace.createPage({
        parent: { data_source_id: sandbox.ids.tracks.dataSourceId },
        properties: { Title: title(''), 'Spotify ID': text('2premiumOnly0000000000') },
      }).id;
      const withAudio = sandbox.workspace.createPage({
        parent: { data_source_id: sandbox.ids.tracks.dataSourceId },
        properties: {
          Title: title('Own Audio'),
          'Artist Name': text('Lapsed'),
          'Spotify ID': text('3premiumAudio000000000'),
          'Source URL': {
            url: await media.addFile(
              'own-audio.mp3',
              await makeClip({ tonic: 9, mode: 'major', bpm: 100, seconds: 8 }),
            ),
          },
        },
      }).id;
      const task = sandbox.workspace.createPage({
        parent: { data_source_id: sandbox.ids.tasks.dataSourceId },
        properties: {
          'Task Name': title('Sync playlist Lapsed Set'),
          Status: { status: { name: 'Ready' } },
          Description: { rich_text: toRichText('https://open.spotify.com/playlist/5premiumPlaylist000000') },
        },
      }).id;

      spotify.setOwnerPremium(false);
      await daemon.runOnce();
      await daemon.app.critical.idle();
      // The Spotify-only row waits: not failed, its one attempt given back, the reason kept.
      expect(byPage('tracks', spotifyOnly)).toMatchObject({
        state: 'retry_wait',
        last_error_code: 'SPOTIFY_APP_REFUSED',
        attempts: 0,
      });
      expect(byPage('tracks', spotifyOnly).last_error_message).toContain('no active Premium subscription');
      expect(decodeProperty(sandbox.workspace.retrievePage(spotifyOnly).properties.Downloaded)).toBe(false);
      // A row with its own audio is synced without Spotify's metadata.
      expect(byPage('tracks', withAudio)).toMatchObject({ state: 'done', outcome: 'synced' });
      // The playlist task waits too (Ready, with the reason), instead of failing.
      expect(byPage('tasks', task)).toMatchObject({
        state: 'retry_wait',
        last_error_code: 'SPOTIFY_APP_REFUSED',
        attempts: 0,
      });
      expect(decodeProperty(sandbox.workspace.retrievePage(task).properties.Status)).toBe('Ready');
      const title_ = criticalTitle('spotify-app-refused');
      expect(named(title_)).toHaveLength(1);
      const critical_ = named(title_)[0]!;
      const description = String(decodeProperty(critical_.properties.Description));
      expect(description).toContain('no active Premium subscription');
      expect(description).toContain('Fix: ');
      expect(description).toContain('User Management');
      expect(body(critical_.id)).toContain('wait');
      expect(daemon.store.incidents.getIncident('spotify-credentials')).toBeUndefined(); // the credentials are fine

      // Premium renewed: the next cycle sees Spotify serve the app, says so on the task and makes the waiting rows due.
      spotify.setOwnerPremium(true);
      await daemon.runOnce();
      await daemon.app.critical.idle();
      expect(body(critical_.id)).toContain('cleared');
      expect(daemon.store.incidents.getIncident('spotify-app-refused')?.cleared_at).not.toBeNull();
      await daemon.runOnce();
      expect(byPage('tracks', spotifyOnly)).toMatchObject({ state: 'done', outcome: 'synced' });
      expect(decodeProperty(sandbox.workspace.retrievePage(task).properties.Status)).toBe('Completed');
      expect(named(title_)).toHaveLength(1);
    } finally {
      spotify.setOwnerPremium(true);
      await daemon.stop('test');
    }
  }, 120_000);
});
