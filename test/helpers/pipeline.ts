import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Store } from '../../state/store.js';
import { builtInHandlers } from '../../handlers/index.js';
import type { Handler } from '../../src/engine/contracts.js';
import { systemClock } from '../../src/clock.js';
import { loadConfig, type FileConfig } from '../../src/config/load.js';
import type { MusicDaemon } from '../../src/app/music.js';
import { Services } from '../../src/engine/services.js';
import { silentLogger } from '../../src/log.js';
import { nodeFiles, type PlacementFiles } from '../../src/media/files.js';
import { Ffmpeg } from '../../src/media/ffmpeg.js';
import { YtDlp } from '../../src/media/ytdlp.js';
import type { PipelineDeps } from '../../src/pipeline/context.js';
import { registerMediaServices } from '../../src/services/media.js';
import { startMediaServer, type MediaServer } from '../../src/sandbox/media-server.js';
import type { Sandbox } from '../../src/sandbox/server.js';
import { startEagleServer, type EagleServer } from '../../src/sandbox/eagle-server.js';
import { startSpotifyServer, type SpotifyServer } from '../../src/sandbox/spotify-server.js';
import { FAST, startTestDaemon, testConfig } from './daemon.js';
import { withSandbox } from './notion.js';
import { tempDir } from './tmp.js';

export interface PipelineWorld {
  readonly sandbox: Sandbox;
  readonly media: MediaServer;
  readonly spotify: SpotifyServer;
  readonly dir: string;
  readonly outDir: string;
  readonly backupDir: string;
  readonly wavBackupDir: string;
  env(): Record<string, string>;
  /**
   * A daemon with the real built-in handlers (plus `extra` handlers first) and real media tools; `eagle` adds a local
   * Eagle.
   */
  daemon(options?: {
    file?: FileConfig;
    env?: Record<string, string>;
    extra?: Handler[];
    stateName?: string;
    eagle?: boolean;
    files?: PlacementFiles;
  }): Promise<MusicDaemon>;
  /** The local Eagle (started by the first daemon that asks for one). */
  eagle(): Promise<EagleServer>;
  /**
   * For the CLI as a subprocess: writes `<name>.json` in the world's folder (claims settle in 50 ms, a 300 ms shutdown
   * grace, the local media search, no link lookups, then `file`'s sections in place of those), and returns the
   * environment of a CLI run whose state is in the folder `state`.
   */
  cliEnv(name: string, file?: FileConfig): (state: string, extra?: Record<string, string>) => Record<string, string>;
}

/** The sandbox Notion, the local media server and the local Spotify (strict), with output folders in a temp dir. */
export async function pipelineWorld(): Promise<PipelineWorld> {
  const sandbox = await withSandbox();
  const dir = tempDir('tracksync-pipeline-');
  const media = await startMediaServer({ dir: join(dir, 'served') });
  const spotify = await startSpotifyServer({ strict: true });
  afterAll(async () => {
    await media.close();
    await spotify.close();
  });
  const outDir = join(dir, 'Playlists');
  const backupDir = join(dir, 'Djay-Pro-Auto-Import');
  const wavBackupDir = join(dir, 'Apple-Music-Auto-Add');
  const env = (): Record<string, string> => ({
    // The local media server is on 127.0.0.1, which tracksync refuses unless allowed (only that port: nothing else).
    TRACKSYNC_ALLOW_PRIVATE_HOSTS: media.hostPort,
    OUT_DIR: outDir,
    BACKUP_DIR: backupDir,
    WAV_BACKUP_DIR: wavBackupDir,
    SPOTIFY_CLIENT_ID: spotify.clientId,
    SPOTIFY_CLIENT_SECRET: spotify.clientSecret,
    SPOTIFY_API_BASE_URL: spotify.apiBaseUrl,
    SPOTIFY_ACCOUNTS_BASE_URL: spotify.accountsBaseUrl,
    SPOTIFY_REFRESH_TOKEN: spotify.refreshToken,
  });
  let n = 0;
  let eagle: EagleServer | undefined;
  const startEagle = async (): Promise<EagleServer> => {
    eagle ??= await startEagleServer({ libraryPath: join(dir, 'Music.library') });
    return eagle;
  };
  afterAll(() => eagle?.close());
  return {
    sandbox,
    media,
    spotify,
    dir,
    outDir,
    backupDir,
    wavBackupDir,
    env,
    eagle: startEagle,
    cliEnv(name, file = {}) {
      const configPath = join(dir, `${name}.json`);
      const settings: FileConfig = {
        claims: { settleMs: 50 },
        shutdown: { graceMs: 300 },
        search: media.search,
        links: { enabled: false },
        ...file,
      };
      writeFileSync(configPath, JSON.stringify(settings));
      return (state, extra = {}) => ({
        ...sandbox.env(),
        ...env(),
        TRACKSYNC_STATE_DIR: join(dir, state),
        TRACKSYNC_CONFIG: configPath,
        TRACKSYNC_HTTP_PORT: '0',
        ...extra,
      });
    },
    async daemon(options = {}) {
      const stateDir = join(dir, options.stateName ?? `state-${++n}`);
      const file: FileConfig = { ...FAST, search: media.search, ...options.file };
      const allEnv = {
        ...env(),
        ...(options.eagle ? { EAGLE_API_BASE: (await startEagle()).url } : {}),
        ...options.env,
      };
      const config = testConfig(sandbox, stateDir, file, allEnv);
      const services = new Services();
      registerMediaServices(
        services,
        config,
        silentLogger(),
        systemClock,
        options.files ? { files: options.files } : {},
      );
      return startTestDaemon(sandbox, {
        stateDir,
        handlers: [...(options.extra ?? []), ...builtInHandlers()],
        file,
        env: allEnv,
        services,
      });
    },
  };
}

/**
 * The dependencies of one pipeline stage, built as the daemon builds them (real config, SQLite, ffmpeg, yt-dlp), with
 * the output folders under `dir`: for tests of one stage without a daemon.
 */
export function stageDeps(dir: string, options: { env?: Record<string, string>; pageId?: string } = {}): PipelineDeps {
  const config = loadConfig({
    env: {
      NOTION_TOKEN: 'ntn_test_123456',
      TRACKS_DB_ID: '27ce73616c2780fbb40efefdd47d6640',
      OUT_DIR: join(dir, 'Playlists'),
      BACKUP_DIR: join(dir, 'Djay-Pro-Auto-Import'),
      WAV_BACKUP_DIR: join(dir, 'Apple-Music-Auto-Add'),
      ...options.env,
    },
    cwd: dir,
  });
  const store = Store.open(join(dir, `state-${Math.random().toString(36).slice(2)}.sqlite`));
  afterAll(() => store.close());
  const workDir = join(dir, 'work');
  mkdirSync(workDir, { recursive: true });
  return {
    config,
    logger: silentLogger(),
    clock: systemClock,
    signal: new AbortController().signal,
    store: store.library,
    ffmpeg: new Ffmpeg(config),
    ytdlp: new YtDlp(config, silentLogger()),
    spotify: undefined,
    fetch: globalThis.fetch.bind(globalThis),
    itemId: 1,
    pageId: options.pageId ?? 'page-1',
    workDir,
    files: nodeFiles,
  };
}
