import { TrackSyncError, coerceError } from '../errors.js';
import type { Logger } from '../log.js';
import { runTool } from '../media/process.js';

/**
 * Apple Music playlists kept in step with Notion, on macOS, through osascript (djay Pro, rekordbox and Serato all show
 * the Music library's playlists). Like the notifier (src/notify/notifier.ts), the AppleScript is a constant and every
 * value reaches it as an argument (`argv`): a playlist or track name holding quotes or `" & do shell script "…` is
 * text, never AppleScript.
 *
 * tracksync never adds a file to the Music library itself (with "Copy files to Music Media folder" on, that would make
 * a
 * second copy): a track goes into the playlist once Music has it, from the Apple Music auto-add folder (WAV_BACKUP_DIR)
 * or an import by hand. It is found by `search` on its title, then by one of its paths, else by title and artist (a
 * file Music moved into its own folder). Tracks Music does not have yet are reported and looked for at the next export.
 * The playlist is found by its persistent ID (two Notion playlists may share a name), created when missing, renamed
 * when the Notion name changed, and rewritten in Notion's order only when it does not already hold exactly these
 * tracks in that order. Adding and removing items of a user playlist is `duplicate` and `delete` (Music's scripting
 * dictionary; delete on a playlist's track removes it from the playlist only, never from the library).
 */

export const APPLE_MUSIC_SCRIPT: readonly string[] = [
  'on run argv',
  'set theMode to item 1 of argv',
  'set theId to item 2 of argv',
  'set theName to item 3 of argv',
  'tell application id "com.apple.Music"',
  'set thePlaylist to missing value',
  'if theId is not "" then',
  'try',
  'set thePlaylist to (first user playlist whose persistent ID is theId)',
  'end try',
  'end if',
  'if theMode is "remove" then',
  'if thePlaylist is not missing value then delete thePlaylist',
  'return "removed"',
  'end if',
  'if thePlaylist is missing value then set thePlaylist to (make new user playlist with properties {name:theName})',
  'if name of thePlaylist is not theName then set name of thePlaylist to theName',
  'set theReport to "playlist" & tab & (persistent ID of thePlaylist)',
  'set wanted to {}',
  'repeat with i from 1 to ((count of argv) - 3) div 3',
  'set base to 3 + (i - 1) * 3',
  'set thePaths to paragraphs of (item (base + 1) of argv)',
  'set theTitle to item (base + 2) of argv',
  'set theArtist to item (base + 3) of argv',
  'set found to missing value',
  'try',
  'set hits to (search library playlist 1 for theTitle only songs)',
  'on error',
  'set hits to {}',
  'end try',
  'repeat with t in hits',
  'try',
  'if thePaths contains (POSIX path of (get location of t)) then',
  'set found to contents of t',
  'exit repeat',
  'end if',
  'end try',
  'end repeat',
  'if found is missing value then',
  'repeat with t in hits',
  'if (name of t is theTitle) and (artist of t is theArtist) then',
  'set found to contents of t',
  'exit repeat',
  'end if',
  'end repeat',
  'end if',
  'if found is missing value then',
  'set theReport to theReport & linefeed & "missing" & tab & i',
  'else',
  'set end of wanted to found',
  'end if',
  'end repeat',
  'set current to persistent ID of every track of thePlaylist',
  'set target to {}',
  'repeat with t in wanted',
  'set end of target to persistent ID of t',
  'end repeat',
  'if current is not target then',
  'delete every track of thePlaylist',
  'repeat with t in wanted',
  'duplicate t to thePlaylist',
  'end repeat',
  'end if',
  'return theReport',
  'end tell',
  'end run',
];

export interface AppleMusicEntry {
  /** Every file of the track (Music may hold any of them). */
  readonly paths: readonly string[];
  readonly title: string;
  readonly artist: string;
}

export interface AppleMusicSync {
  /** The persistent ID of the user playlist (pass it back next time). */
  readonly playlistId: string;
  /** Indexes (0-based, into the entries) of the tracks Music does not have yet. */
  readonly missing: readonly number[];
}

export interface AppleMusicSettings {
  readonly osascript: string;
  readonly timeoutMs: number;
}

/** The arguments after the script: mode, playlist id, name, then path(s), title and artist per track. */
export function syncArguments(playlistId: string | null, name: string, entries: readonly AppleMusicEntry[]): string[] {
  return ['sync', playlistId ?? '', name, ...entries.flatMap((e) => [e.paths.join('\n'), e.title, e.artist])];
}

export class AppleMusic {
  readonly #settings: AppleMusicSettings;
  readonly #logger: Logger;

  constructor(settings: AppleMusicSettings, logger: Logger) {
    this.#settings = settings;
    this.#logger = logger;
  }

  /** Creates or updates the playlist; throws APPLE_MUSIC_FAILED (or TOOL_MISSING) when osascript fails. */
  async sync(
    playlistId: string | null,
    name: string,
    entries: readonly AppleMusicEntry[],
    signal?: AbortSignal,
  ): Promise<AppleMusicSync> {
    const stdout = await this.#run(syncArguments(playlistId, name, entries), signal);
    let id: string | undefined;
    const missing: number[] = [];
    for (const line of stdout.split(/\r?\n|\r/)) {
      const [tag, value = ''] = line.split('\t');
      if (tag === 'playlist' && value.trim()) id = value.trim();
      else if (tag === 'missing' && /^\d+$/.test(value.trim())) missing.push(Number(value.trim()) - 1);
    }
    if (id === undefined)
      throw new TrackSyncError(
        'APPLE_MUSIC_FAILED',
        `osascript did not name the Apple Music playlist "${name}" it kept in step (it printed "${stdout.slice(0, 200)}")`,
      );
    return { playlistId: id, missing };
  }

  /** Deletes the playlist (not its tracks) when it still exists. */
  async remove(playlistId: string, signal?: AbortSignal): Promise<void> {
    await this.#run(['remove', playlistId, ''], signal);
  }

  async #run(args: readonly string[], signal?: AbortSignal): Promise<string> {
    try {
      const result = await runTool(
        this.#settings.osascript,
        [...APPLE_MUSIC_SCRIPT.flatMap((line) => ['-e', line]), '--', ...args],
        {
          timeoutMs: this.#settings.timeoutMs,
          failureCode: 'APPLE_MUSIC_FAILED',
          ...(signal ? { signal } : {}),
        },
      );
      return result.stdout;
    } catch (raw) {
      const error = coerceError(raw);
      // -1743: the user has not allowed this process to control Music (System Settings > Privacy & Security >
      // Automation).
      if (/-1743|not authori[sz]ed/i.test(error.message)) {
        const fix =
          'allow it under System Settings > Privacy & Security > Automation (the app running tracksync > Music)';
        throw new TrackSyncError(
          'APPLE_MUSIC_FAILED',
          `macOS does not let tracksync control Music: ${fix}, then export again`,
          { cause: error },
        );
      }
      this.#logger.debug({ err: error }, 'osascript failed for Apple Music');
      throw error;
    }
  }
}
