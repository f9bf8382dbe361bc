import { print, table, type CliIO } from '../io.js';
import { ProgressView } from '../progress.js';
import { loadRuntime, startDaemon } from '../runtime.js';

/** `tracksync feeds`: one run of the configured feeds now (the daemon runs them every 15 minutes). */
export async function feedsCommand(_args: string[], values: { json?: boolean }, io: CliIO): Promise<number> {
  const runtime = loadRuntime(io, { json: values.json === true });
  const daemon = await startDaemon(runtime);
  try {
    // Live on a terminal, one line per feed otherwise (progress.ts); nothing with --json.
    const view = new ProgressView(io, { noun: 'feed', off: values.json === true });
    let current: string | undefined;
    const reports = await daemon.app.runFeeds((p) => {
      if (p.feed !== current) {
        if (current !== undefined) view.finish(current, 'ok', 'read');
        current = p.feed;
        view.start(p.feed, p.feed, 'Reading');
      }
      if (view.live)
        view.update(p.feed, {
          label: `${p.done} of ${p.total} checked: ${p.created} new, ${p.known} already in Music Tracks`,
        });
    });
    if (current !== undefined) view.finish(current, 'ok', 'read');
    view.stop();
    if (values.json) {
      print(io.stdout, JSON.stringify({ feeds: reports.map(({ failure: _failure, ...report }) => report) }, null, 2));
      return 0;
    }
    if (reports.length === 0) {
      print(
        io.stdout,
        'No feed is configured: set SOUNDCLOUD_PROFILE, SPOTIFY_REFRESH_TOKEN, or feeds.soundcloudPlaylists / feeds.spotifyPlaylists in the config file.',
      );
      return 0;
    }
    print(
      io.stdout,
      table([
        ['feed', 'listed', 'new rows', 'already known', 'problem'],
        ...reports.map((r) => [r.feed, String(r.listed), String(r.created), String(r.known), r.error ?? '']),
      ]),
    );
    return 0;
  } finally {
    await daemon.stop('feeds finished');
  }
}
