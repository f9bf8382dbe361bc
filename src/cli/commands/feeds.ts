import { print, table, type CliIO } from '../io.js';
import { loadRuntime, startDaemon } from '../runtime.js';

/** `tracksync feeds`: one run of the configured feeds now (the daemon runs them every 15 minutes). */
export async function feedsCommand(_args: string[], values: { json?: boolean }, io: CliIO): Promise<number> {
  const runtime = loadRuntime(io, { json: values.json === true });
  const daemon = await startDaemon(runtime);
  try {
    const reports = await daemon.app.runFeeds();
    if (values.json) {
      print(io.stdout, JSON.stringify({ feeds: reports }, null, 2));
      return 0;
    }
    if (reports.length === 0) {
      print(io.stdout, 'No feed is configured: set SOUNDCLOUD_PROFILE, SPOTIFY_REFRESH_TOKEN, or feeds.soundcloudPlaylists / feeds.spotifyPlaylists in the config file.');
      return 0;
    }
    print(io.stdout, table([['feed', 'listed', 'new rows', 'already known', 'problem'], ...reports.map((r) => [r.feed, String(r.listed), String(r.created), String(r.known), r.error ?? ''])]));
    return 0;
  } finally {
    await daemon.stop('feeds finished');
  }
}
