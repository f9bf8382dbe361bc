import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { builtInHandlers } from '../../../handlers/index.js';
import { systemClock } from '../../clock.js';
import { loadConfig } from '../../config/load.js';
import { musicApp } from '../../app/music.js';
import { Daemon } from '../../engine/daemon.js';
import { Services } from '../../engine/services.js';
import { createLogger } from '../../log.js';
import { runTool } from '../../media/process.js';
import { encodeWav, synthesize, type SynthSpec } from '../../media/synth.js';
import { decodeProperty, toRichText } from '../../notion/codecs.js';
import { exportPlaylists } from '../../playlists/export.js';
import { registerMediaServices } from '../../services/media.js';
import { startMediaServer } from '../../sandbox/media-server.js';
import { startSandbox } from '../../sandbox/server.js';
import { startSpotifyServer } from '../../sandbox/spotify-server.js';
import { print, table, type CliIO } from '../io.js';
import { ProgressView, followItems } from '../progress.js';
import { usageError } from '../usage.js';

const MARKER = '.tracksync-demo';

interface DemoTrack {
  readonly title: string;
  readonly artist: string;
  readonly spec: SynthSpec;
  readonly format: 'mp3' | 'flac';
  /** How the row names its source. */
  readonly via: 'source-url' | 'spotify-only' | 'spotify-and-source';
  readonly spotifyId?: string;
}

/** Four tracks, one per way a row can name its audio; keys and tempos known, so the table can be checked by eye. */
const TRACKS: readonly DemoTrack[] = [
  {
    title: 'Midnight Drive',
    artist: 'Demo Artist',
    spec: { tonic: 9, mode: 'minor', bpm: 124, timbre: 'saw', seconds: 30 },
    format: 'mp3',
    via: 'source-url',
  },
  {
    title: 'Sunrise Run',
    artist: 'Demo Artist feat. Guest Voice',
    spec: { tonic: 2, mode: 'major', bpm: 100, timbre: 'organ', seconds: 30, progression: 1 },
    format: 'flac',
    via: 'source-url',
  },
  {
    title: 'Neon Pulse',
    artist: 'Pulse Unit',
    spec: { tonic: 6, mode: 'minor', bpm: 128, timbre: 'square', seconds: 30 },
    format: 'mp3',
    via: 'spotify-only',
    spotifyId: '3n3Ppam7vgaVa1iaRUc9Lp',
  },
  {
    title: 'Deep Current',
    artist: 'Low Tide',
    spec: { tonic: 0, mode: 'minor', bpm: 174, timbre: 'pluck', seconds: 30 },
    format: 'mp3',
    via: 'spotify-and-source',
    spotifyId: '6rqhFgbbKwnb9MLmUQDhG6',
  },
];

/** `tracksync demo [--dir D]`: the daemon's real job, end to end, against the built-in local Notion. */
export async function demoCommand(_args: string[], values: { dir?: string }, io: CliIO): Promise<number> {
  const root = resolve(io.cwd, values.dir ?? 'tracksync-demo');
  if (existsSync(root) && readdirSync(root).length > 0 && !existsSync(join(root, MARKER))) {
    throw usageError(`${root} exists and is not a tracksync demo folder; choose another with --dir`);
  }
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, MARKER), 'Created by `tracksync demo`; removed and recreated by the next demo run.\n');
  const say = (line = ''): void => print(io.stdout, line);

  say('tracksync demo: a local Notion, a local media site and a local Spotify, all on 127.0.0.1.');
  const sandbox = await startSandbox({ sampleRows: false });
  const media = await startMediaServer({ dir: join(root, 'served') });
  const spotify = await startSpotifyServer();
  try {
    say('Generating four tracks with known keys and tempos...');
    const rows: Array<{ track: DemoTrack; pageId: string }> = [];
    for (const track of TRACKS) {
      const wav = join(root, 'served', `${track.title}.wav`);
      mkdirSync(join(root, 'served'), { recursive: true });
      writeFileSync(wav, encodeWav(synthesize(track.spec)));
      const file = `${track.title.toLowerCase().replace(/\W+/g, '-')}.${track.format}`;
      await runTool(
        'ffmpeg',
        [
          '-nostdin',
          '-v',
          'error',
          '-y',
          '-i',
          wav,
          ...(track.format === 'mp3' ? ['-b:a', '320k'] : ['-c:a', 'flac']),
          join(root, 'served', file),
        ],
        { timeoutMs: 60_000, failureCode: 'CONVERSION_FAILED' },
      );
      rmSync(wav);
      const url = `${media.url}/audio/${encodeURIComponent(file)}`;
      if (track.spotifyId) {
        spotify.addTrack({
          id: track.spotifyId,
          name: track.title,
          artists: [{ id: `${track.spotifyId.slice(0, 20)}ar`, name: track.artist }],
          album: `${track.title} EP`,
          releaseDate: '2025-06-20',
          durationMs: track.spec.seconds * 1000,
          isrc: `QZDEM25${String(rows.length).padStart(5, '0')}`,
        });
      }
      if (track.via === 'spotify-only')
        media.addSearchResults(`${track.artist} ${track.title}`, [
          { title: `${track.artist} - ${track.title} (Live)`, url, durationSeconds: track.spec.seconds + 95 },
          { title: `${track.artist} - ${track.title} (Official Audio)`, url, durationSeconds: track.spec.seconds },
        ]);
      const properties: Record<string, unknown> = {
        Title: { title: toRichText(track.via === 'spotify-only' ? '' : track.title) },
        ...(track.via === 'spotify-only' ? {} : { 'Artist Name': { rich_text: toRichText(track.artist) } }),
        ...(track.via !== 'spotify-only' ? { 'Source URL': { url } } : {}),
        ...(track.spotifyId ? { 'Spotify ID': { rich_text: toRichText(track.spotifyId) } } : {}),
      };
      rows.push({
        track,
        pageId: sandbox.workspace.createPage({
          parent: { data_source_id: sandbox.ids.tracks.dataSourceId },
          properties,
        }).id,
      });
    }
    // A set planned in Notion: a Music Playlists row with its own Tracks relation (in set order) and the properties the
    // export writes back, as a user adds them (tracksync doctor lists them).
    const playlists = sandbox.ids.playlists.dataSourceId;
    sandbox.workspace.addProperty(playlists, {
      name: 'Tracks',
      type: 'relation',
      relationTo: sandbox.ids.tracks.dataSourceId,
    });
    for (const [name, type] of [
      ['Exported At', 'date'],
      ['Exported Tracks', 'number'],
      ['Missing Tracks', 'rich_text'],
    ] as const)
      sandbox.workspace.addProperty(playlists, { name, type });
    const set = sandbox.workspace.createPage({
      parent: { data_source_id: playlists },
      properties: { Name: { title: toRichText('Demo Set') } },
    }).id;
    sandbox.workspace.setRelation(
      set,
      'Tracks',
      [3, 0, 2, 1].map((i) => rows[i]!.pageId),
    );
    sandbox.workspace.createPage({
      parent: { data_source_id: sandbox.ids.tasks.dataSourceId },
      properties: {
        'Task Name': { title: toRichText('Music Track Sync: demo') },
        Status: { status: { name: 'Ready' } },
        Description: { rich_text: toRichText(`Please sync ${media.url}/audio/midnight-drive.mp3`) },
      },
    });

    const configPath = join(root, 'config.json');
    // Apple Music stays off: the demo touches nothing outside its folder (on a Mac it would add a playlist to Music).
    writeFileSync(
      configPath,
      JSON.stringify({ search: media.search, claims: { settleMs: 200 }, playlists: { appleMusic: false } }, null, 2),
    );
    const env = {
      ...sandbox.env(),
      TRACKSYNC_STATE_DIR: join(root, 'state'),
      TRACKSYNC_CONFIG: configPath,
      // The local media site is on 127.0.0.1, which tracksync refuses unless allowed: only its port is.
      TRACKSYNC_ALLOW_PRIVATE_HOSTS: media.hostPort,
      OUT_DIR: join(root, 'Playlists'),
      BACKUP_DIR: join(root, 'Djay-Pro-Auto-Import'),
      WAV_BACKUP_DIR: join(root, 'Apple-Music-Auto-Add'),
      SPOTIFY_CLIENT_ID: spotify.clientId,
      SPOTIFY_CLIENT_SECRET: spotify.clientSecret,
      SPOTIFY_API_BASE_URL: spotify.apiBaseUrl,
      SPOTIFY_ACCOUNTS_BASE_URL: spotify.accountsBaseUrl,
      PATH: io.env.PATH ?? '',
      HOME: io.env.HOME ?? root,
    };
    const config = loadConfig({ env, cwd: root });
    const logger = createLogger({ level: io.verbose ? 'info' : 'warn', secrets: config.secrets });
    const services = new Services();
    registerMediaServices(services, config, logger, systemClock);
    const daemon = await Daemon.start({ app: musicApp, config, logger, handlers: builtInHandlers(), services });
    // Live progress on a terminal (standard error), plain lines elsewhere; the steps in words, never stage names.
    const view = new ProgressView(io, { total: rows.length + 1 });
    const unfollow = followItems(daemon.events, daemon.store, view);
    say('Running the daemon until its queue is empty...');
    let exported;
    try {
      for (let cycle = 0; cycle < 5; cycle += 1) {
        const report = await daemon.runOnce();
        if (report.claimed === 0) break;
      }
      // What the queue will do when a playlist or one of its tracks changes: export the playlists that changed.
      exported = await exportPlaylists(
        { notion: daemon.notion, schemas: daemon.schemas, store: daemon.store, config, clock: systemClock, logger },
        { onlyChanged: true },
      );
    } finally {
      view.stop();
      unfollow();
      await daemon.stop('demo finished');
    }

    const field = (id: string, name: string): string => {
      const value = decodeProperty(sandbox.workspace.retrievePage(id).properties[name]);
      return value === null || value === undefined ? '' : String(value);
    };
    say();
    const header = ['track', 'BPM', 'key', 'Camelot', 'source', 'Notion', 'files'];
    const lines = rows.map(({ track, pageId }) => {
      const paths = ['M4A File Path', 'AIFF File Path', 'WAV File Path'].map((p) => field(pageId, p)).filter(Boolean);
      return [
        `${field(pageId, 'Artist Name')} - ${field(pageId, 'Title')}`,
        field(pageId, 'Tempo'),
        field(pageId, 'Key '),
        field(pageId, 'Camelot'),
        field(pageId, 'Download Source'),
        field(pageId, 'Downloaded') === 'true'
          ? 'Downloaded'
          : `not downloaded (${field(pageId, 'Audio Processing') || 'pending'})`,
        `${paths.length} (${paths.map((p) => p.split('.').pop()).join(', ')})`,
      ].concat([
        `expected ${track.spec.bpm} BPM, ${['C', 'C#', 'D', 'Eb', 'E', 'F', 'F#', 'G', 'G#', 'A', 'Bb', 'B'][track.spec.tonic]} ${track.spec.mode}`,
      ]);
    });
    say(table([[...header, 'generated as'], ...lines]));
    say();
    say(`Files are in ${root}:`);
    for (const folder of ['Playlists', 'Djay-Pro-Auto-Import', 'Apple-Music-Auto-Add']) {
      const files = listFiles(join(root, folder));
      say(`  ${folder}/ (${files.length} files)`);
      for (const file of files) say(`    ${relative(join(root, folder), file)}`);
    }
    say();
    for (const playlist of exported.playlists) {
      say(
        `Playlist "${playlist.label}" (${playlist.exported} of ${playlist.tracks} tracks, in set order; Notion's Exported Tracks: ${field(playlist.pageId, 'Exported Tracks')}):`,
      );
      if (playlist.filePath) say(`  M3U8 (any player): ${playlist.filePath}`);
    }
    if (exported.rekordbox)
      say(`  rekordbox xml: ${exported.rekordbox.path} (rekordbox: Preferences > Advanced > rekordbox xml)`);
    const synced = rows.filter(({ pageId }) => field(pageId, 'Downloaded') === 'true').length;
    say();
    say(
      `${synced} of ${rows.length} tracks synced. Notion requests: ${sandbox.requests().length}. State: ${join(root, 'state')}.`,
    );
    return 0;
  } finally {
    await Promise.all([sandbox.close(), media.close(), spotify.close()]);
  }
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(dir, entry.name)) : entry.name.startsWith('.') ? [] : [join(dir, entry.name)],
  );
}
