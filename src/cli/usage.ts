import { TrackSyncError } from '../errors.js';

/** A usage error: the CLI prints it with the command's help and exits 2. */
export function usageError(message: string): TrackSyncError {
  return new TrackSyncError('USAGE', message);
}

export const HELP = `tracksync: sync a Notion music library to verified, tagged audio files

Usage: tracksync <command> [options]

Commands:
  run                 run the daemon: poll Notion on a schedule and process what is eligible
  once [--limit N] [--mode single|batch|all|reprocess]
                      one cycle: poll, process what was found (at most N items), wait, exit
  sync <url>... [--limit N]
                      sync tracks or playlists now (exit 0 all synced, 3 some failed, 2 bad input)
  retry <page|url>    forget a give-up and queue the row again
  links <page|url>    look for the Spotify, YouTube and SoundCloud links a row lacks, now
  feeds               read the configured likes and playlists now and add new tracks to Music Tracks
  playlists export [name...] [--force]
                      export the Notion playlists now (changed ones unless --force): M3U8, rekordbox xml,
                      Apple Music (exit 0 done, 3 a target failed for some playlist, 2 bad input)
  playlists list      each playlist: its tracks, what is left out, where it was exported
  library scan|stats|dupes
                      index the audio files of the library folders; counts; duplicate files
  dedup [--apply] [--threshold T]
                      duplicate groups across Notion, the index and Eagle (dry run unless --apply)
  status [--json]     what the daemon is doing: queue by state, in flight, recent cycles, failures
  doctor [--json]     check the tools, the configuration, Notion access and the schema mapping, folders, services
  launchd install|uninstall|restart|status|print
                      the LaunchAgent that runs the daemon on a Mac
  secrets set|get|list
                      secrets in the Keychain (macOS) or the 0600 secrets file
  logs [-f] [-n N]    the daemon's log files, pretty-printed
  webhooks listen [--minutes N] [--replace]
                      accept Notion's webhook verification request for a few minutes
  sandbox [--port P]  start the local Notion and print the environment that points at it
  demo [--dir D]      run the daemon's real job on generated tracks against the local Notion
  help                this text

Exit codes: 0 the command did its job (item failures are recorded in Notion), 2 configuration or
usage error, 1 unexpected internal error.

Configuration is read from the environment (and a .env file): NOTION_TOKEN, TRACKS_DB_ID, ...
See the README for every variable and the JSON config file (TRACKSYNC_CONFIG).`;
