import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeProperty } from '../../src/notion/codecs.js';
import { criticalTitle } from '../../src/handoff/critical.js';
import { makeClip } from '../helpers/audio.js';
import { FAST } from '../helpers/daemon.js';
import { text, title } from '../helpers/notion.js';
import { pipelineWorld } from '../helpers/pipeline.js';

describe('conditions that need a person become one CRITICAL Agent-Task', async () => {
  const world = await pipelineWorld();
  const { sandbox, media } = world;
  const agentPage = sandbox.ids.tracksyncAgentPageId;
  const tasks = () => sandbox.workspace.allPages(sandbox.ids.tasks.dataSourceId);
  const named = (name: string) => tasks().filter((p) => decodeProperty(p.properties['Task Name']) === name);
  const body = (pageId: string) => JSON.stringify(sandbox.workspace.allBlocks(pageId));
  const addTrack = (name: string, url: string) =>
    sandbox.workspace.createPage({ parent: { data_source_id: sandbox.ids.tracks.dataSourceId }, properties: { Title: title(name), 'Artist Name': text('Crit'), 'Source URL': { url } } }).id;
  // The person's agent, as the legacy tasks were assigned ("Cursor MM1"); never tracksync's own routing page.
  const cursor = sandbox.workspace.allPages(sandbox.ids.agents.dataSourceId).find((p) => JSON.stringify(p.properties).includes('Cursor MM1 Agent'))!.id;
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
      await daemon.critical.idle();
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
      await daemon.critical.idle();
      expect(named(title)).toHaveLength(1);
      expect(body(task.id).match(/still happening/g)!.length).toBeGreaterThanOrEqual(2);
      // Our own CRITICAL task is never taken as music-sync work, although its title says "Music Sync".
      expect(daemon.store.getItemByPage('tasks', task.id)).toBeUndefined();

      sandbox.setFaults([]);
      await daemon.runCycle('test');
      await daemon.critical.idle();
      expect(body(task.id)).toContain('cleared');
      expect(body(task.id)).toContain('every database answered again');
      expect(daemon.store.getIncident('notion-access')?.cleared_at).not.toBeNull();
      // The next occurrence after a clear, with the task closed by a person, files a new one.
      sandbox.workspace.updatePage(task.id, { properties: { Status: { status: { name: 'Completed' } } } });
      sandbox.setFaults([{ path: `^/data_sources/${sandbox.ids.tracks.dataSourceId}/query`, status: 403 }]);
      await daemon.runCycle('test');
      await daemon.critical.idle();
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
      const urls = await Promise.all([1, 2, 3].map(async (i) => media.addFile(`crit-${i}.mp3`, await makeClip({ tonic: i, mode: 'major', bpm: 120, seconds: 8 }))));
      for (const [i, url] of urls.entries()) addTrack(`Outdated ${i}`, url);
      await daemon.runOnce();
      await daemon.runOnce();
      await daemon.critical.idle();
      const title = criticalTitle('yt-dlp-outdated');
      expect(named(title)).toHaveLength(1);
      const task = named(title)[0]!;
      expect(body(task.id)).toContain('yt-dlp 2023.03.04 is');
      expect(body(task.id)).toContain('brew upgrade yt-dlp');

      // yt-dlp updated (the same path now runs the real one): the next track downloads and the task says so.
      writeFileSync(bin, '#!/bin/sh\nexec yt-dlp "$@"\n');
      addTrack('After the update', await media.addFile('crit-ok.mp3', await makeClip({ tonic: 7, mode: 'minor', bpm: 126, seconds: 8 })));
      await daemon.runOnce();
      await daemon.critical.idle();
      expect(body(task.id)).toContain('a track downloaded again');
      expect(named(title)).toHaveLength(1);
    } finally {
      await daemon.stop('test');
    }
  }, 120_000);

  it('an output volume missing past the configured time, and Spotify refusing the credentials, each file their task', async () => {
    const file = { ...FAST, critical: { ...critical, volumeMissingAfterMs: 1 } };
    const daemon = await world.daemon({ file, stateName: 'critical-volume', env: { OUT_DIR: '/Volumes/DJ-SSD-unplugged/Playlists', SPOTIFY_CLIENT_SECRET: 'a-revoked-secret' } });
    try {
      addTrack('Waits for its drive', await media.addFile('crit-volume.mp3', await makeClip({ tonic: 4, mode: 'major', bpm: 118, seconds: 8 })));
      sandbox.workspace.createPage({ parent: { data_source_id: sandbox.ids.tracks.dataSourceId }, properties: { Title: title('Spotify only'), 'Artist Name': text('Crit'), 'Spotify URL': { url: 'https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC' } } });
      await daemon.runOnce();
      await daemon.runOnce();
      await daemon.critical.idle();
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
  }, 60_000);
});
