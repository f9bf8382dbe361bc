import { CONSTANTS } from '../config/constants.js';
import type { Config } from '../config/load.js';
import type { Logger } from '../log.js';
import { runTool } from '../media/process.js';

/**
 * What the Spotify app is playing (macOS), for music-sync tasks that name no URL (legacy v3 phase 0). The script asks
 * System Events-free `application id … is running` first, so a closed Spotify is not launched; it is addressed by its
 * bundle id so the script compiles even where the app's name differs.
 */

export interface NowPlaying {
  /** https://open.spotify.com/track/<id> */
  readonly url: string;
  readonly title: string;
  readonly artist: string;
}

const SCRIPT = [
  'if application id "com.spotify.client" is running then',
  '  tell application id "com.spotify.client"',
  '    if player state is playing then return (spotify url of current track) & linefeed & (name of current track) & linefeed & (artist of current track)',
  '  end tell',
  'end if',
  'return ""',
];

/**
 * The playing track, or undefined (not a Mac, Spotify closed or paused, an ad, osascript failing or slow): never
 * throws.
 */
export async function spotifyNowPlaying(options: {
  config: Pick<Config, 'macos'>;
  platform: NodeJS.Platform;
  logger: Logger;
  signal?: AbortSignal;
}): Promise<NowPlaying | undefined> {
  if (options.platform !== 'darwin' || !options.config.macos.nowPlaying) return undefined;
  try {
    const result = await runTool(
      options.config.macos.osascript,
      SCRIPT.flatMap((line) => ['-e', line]),
      {
        timeoutMs: CONSTANTS.macos.nowPlayingTimeoutMs,
        failureCode: 'TOOL_MISSING',
        ...(options.signal ? { signal: options.signal } : {}),
      },
    );
    const [uri = '', title = '', artist = ''] = result.stdout.split(/\r?\n/);
    // "spotify:track:<22 characters>"; ads and podcasts ("spotify:ad:", "spotify:episode:") are not tracks.
    const id = uri.trim().match(/^spotify:track:([A-Za-z0-9]{22})$/)?.[1];
    if (!id) return undefined;
    return { url: `https://open.spotify.com/track/${id}`, title: title.trim(), artist: artist.trim() };
  } catch (error) {
    options.logger.debug({ err: error }, 'could not ask Spotify what is playing; the fallback chain goes on');
    return undefined;
  }
}
