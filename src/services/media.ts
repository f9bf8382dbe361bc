import type { ServiceRegistry } from '../engine/contracts.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config/load.js';
import type { Services } from '../engine/services.js';
import type { Logger } from '../log.js';
import { Ffmpeg } from '../media/ffmpeg.js';
import { YtDlp } from '../media/ytdlp.js';
import type { NotionGateway } from '../notion/gateway.js';
import { EagleClient } from './eagle.js';
import { SpotifyService } from './spotify.js';
import { ArtistDirectory } from '../domain/artists.js';
import { nodeFiles, type PlacementFiles } from '../media/files.js';

/** The long-lived tools the track pipeline shares, one set per daemon. */
export interface MediaServices {
  readonly ffmpeg: Ffmpeg;
  readonly ytdlp: YtDlp;
  readonly spotify: SpotifyService | undefined;
  /** Used when it answers (EAGLE_API_BASE, or the app on localhost:41595): see EagleClient.available(). */
  readonly eagle: EagleClient;
  readonly fetch: typeof fetch;
  readonly files: PlacementFiles;
}

export const MEDIA = 'media';
export const ARTISTS = 'artists';

/** `boundaries` replace the network and the output folders' file system (tests); both default to the real ones. */
export function registerMediaServices(
  services: Services,
  config: Config,
  logger: Logger,
  clock: Clock,
  boundaries: { fetch?: typeof fetch; files?: PlacementFiles } = {},
): void {
  const fetchImpl = boundaries.fetch ?? globalThis.fetch.bind(globalThis);
  const media: MediaServices = {
    ffmpeg: new Ffmpeg(config),
    ytdlp: new YtDlp(config, logger),
    spotify: SpotifyService.fromConfig(config, clock, logger),
    eagle: EagleClient.fromConfig(config, fetchImpl, clock, logger),
    fetch: fetchImpl,
    files: boundaries.files ?? nodeFiles,
  };
  services.set(MEDIA, media);
}

/** The artist directory needs the daemon's Notion gateway, so it is created on first use. */
export function artistDirectory(
  services: ServiceRegistry & Partial<Pick<Services, 'set'>>,
  notion: NotionGateway,
  logger: Logger,
): ArtistDirectory {
  let directory = services.get<ArtistDirectory>(ARTISTS);
  if (!directory) {
    directory = new ArtistDirectory(notion, logger);
    services.set?.(ARTISTS, directory);
  }
  return directory;
}
