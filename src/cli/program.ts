import { Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../paths.js';
import { completionCommand } from './commands/completion.js';
import { dedupCommand } from './commands/dedup.js';
import { demoCommand } from './commands/demo.js';
import { doctorCommand } from './commands/doctor.js';
import { feedsCommand } from './commands/feeds.js';
import { launchdCommand } from './commands/launchd.js';
import { libraryCommand } from './commands/library.js';
import { linksCommand } from './commands/links.js';
import { logsCommand } from './commands/logs.js';
import { onceCommand } from './commands/once.js';
import { playlistsCommand } from './commands/playlists.js';
import { retryCommand } from './commands/retry.js';
import { runCommand } from './commands/run.js';
import { sandboxCommand } from './commands/sandbox.js';
import { secretsCommand } from './commands/secrets.js';
import { statusCommand } from './commands/status.js';
import { syncCommand } from './commands/sync.js';
import { webhooksCommand } from './commands/webhooks.js';
import type { CliIO } from './io.js';

/**
 * The command tree (commander, MIT): parsing, `--help` and `tracksync help <command>` for every command and
 * subcommand, `--version`, "did you mean" suggestions for unknown commands and options, and the shell completion
 * scripts (commands/completion.ts walks this tree). The README's CLI table lists the same options; a test compares
 * them (test/cli/program.test.ts).
 */

/** What every command's action receives: its positional arguments, its options (with the global ones), the IO. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each command types the options it declares
export type Action = (args: string[], options: any, io: CliIO) => Promise<number>;

export const EXIT_CODES_HELP = `Exit codes: 0 the command did its job (a track that failed is recorded in Notion), 2 a configuration or usage
error, 1 an unexpected internal error; sync and playlists export: 3 when some items failed.`;

export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * Builds the program. `run` is called with the action and the parsed arguments of the command the user named; the
 * caller (main.ts) applies the global options and maps errors to exit codes.
 */
export function buildProgram(
  run: (action: Action, args: string[], options: Record<string, unknown>) => Promise<void>,
): Command {
  const program = new Command('tracksync')
    .description('Sync a Notion music library to verified, tagged audio files.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .option('-q, --quiet', 'print only results and errors: no progress, no notes')
    .option('-v, --verbose', 'also print the log lines (to standard error) and the raw tool output of failures')
    .option('--config <path>', 'the JSON config file (instead of TRACKSYNC_CONFIG)')
    .option('--no-color', 'no colours (as does the NO_COLOR environment variable)')
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .helpCommand('help [command]', 'show the help of a command')
    .showSuggestionAfterError(true)
    .addHelpText(
      'after',
      `\nExamples:\n  $ tracksync sandbox          # a local Notion and media site to try it on\n  $ tracksync help sync\n\n${EXIT_CODES_HELP}\nSettings come from the environment (NOTION_TOKEN, TRACKS_DB_ID, ...) and the config file: see the README.`,
    );

  const define = (parent: Command, spec: string, description: string, example: string, action: Action): Command => {
    const command = parent.command(spec).description(description).addHelpText('after', `\nExample:\n  $ ${example}`);
    command.action(async (...received: unknown[]) => {
      const self = received[received.length - 1] as Command;
      await run(action, self.args, self.optsWithGlobals());
    });
    return command;
  };
  /** A command whose subcommands do the work: on its own it prints its help and exits 2. */
  const group = (spec: string, description: string): Command =>
    program.command(spec).description(description).helpCommand('help [command]', 'show the help of a subcommand');
  const json = (command: Command, what = 'the result'): Command => command.option('--json', `print ${what} as JSON`);
  const limit = (): Option => new Option('--limit <n>', 'at most N items');

  define(
    program,
    'run',
    'the daemon: poll Notion on a schedule and process what is eligible, until SIGTERM or Ctrl-C',
    'tracksync run',
    runCommand,
  );
  json(
    define(
      program,
      'once',
      'one cycle: poll, process what was found (at most --limit items), wait for it, exit',
      'tracksync once --limit 5',
      onceCommand,
    )
      .addOption(limit())
      .addOption(
        new Option(
          '--mode <mode>',
          'single: one item; batch: --limit items (default 10); all; reprocess: ignore the polling cursor',
        )
          .choices(['single', 'batch', 'all', 'reprocess'])
          .default('all'),
      ),
    'the cycle and the result table',
  );
  json(
    define(
      program,
      'sync',
      "sync tracks or playlists now: each URL's row found or created, then processed (exit 3 when some failed)",
      'tracksync sync https://soundcloud.com/artist/track',
      syncCommand,
    )
      .argument('<url...>', 'SoundCloud, YouTube, Spotify track or playlist, or any URL yt-dlp reads')
      .addOption(limit()),
    'the result table',
  );
  json(
    define(
      program,
      'links',
      'look for the Spotify, YouTube and SoundCloud links a row lacks, now',
      'tracksync links https://www.notion.so/My-Track-0123456789abcdef0123456789abcdef',
      linksCommand,
    ).argument('<page>', 'a Music Tracks page id or URL, or a track URL a row holds'),
  );
  define(
    program,
    'retry',
    'forget a give-up (a failed row) and queue it again',
    'tracksync retry https://soundcloud.com/artist/track',
    retryCommand,
  ).argument('<page>', 'a Music Tracks page id or URL, or a track URL a row holds');
  json(
    define(
      program,
      'feeds',
      'read the configured likes and playlists now and add their new tracks to Music Tracks',
      'tracksync feeds',
      feedsCommand,
    ),
    'the feeds',
  );

  const playlists = group('playlists', 'the Notion playlists as M3U8 files, rekordbox xml and Apple Music playlists');
  json(
    define(
      playlists,
      'export',
      'export the playlists now (all, or those named): only those that changed unless --force (exit 3 when a target failed)',
      'tracksync playlists export "Peak Time"',
      (args, options, io) => playlistsCommand('export', args, options, io),
    )
      .argument('[name...]', 'playlist names (all when none)')
      .option('--force', 'export every playlist, changed or not'),
    'the export report',
  );
  json(
    define(
      playlists,
      'list',
      'each playlist: its tracks, what an export leaves out and why, where it was exported; writes nothing',
      'tracksync playlists list',
      (args, options, io) => playlistsCommand('list', args, options, io),
    ),
    'the playlists',
  );

  const library = group('library', 'the index of every audio file under the library folders');
  json(
    define(
      library,
      'scan',
      'index the audio files (incremental, resumable, with progress)',
      'tracksync library scan',
      (args, options, io) => libraryCommand('scan', options, io),
    ),
    'the scan result',
  );
  json(
    define(library, 'stats', 'counts and sizes by format', 'tracksync library stats', (args, options, io) =>
      libraryCommand('stats', options, io),
    ),
    'the counts',
  );
  json(
    define(
      library,
      'dupes',
      'files of the same recording or the same title and artist',
      'tracksync library dupes',
      (args, options, io) => libraryCommand('dupes', options, io),
    ),
    'the groups',
  );

  json(
    define(
      program,
      'dedup',
      'duplicate groups across Notion, the index and Eagle, with reason, score and keeper (a dry run unless --apply)',
      'tracksync dedup --threshold 0.8',
      dedupCommand,
    )
      .option(
        '--apply',
        'merge Notion duplicates into their keeper and trash Eagle duplicates (files are never deleted)',
      )
      .option('--threshold <t>', 'name similarity from 0.5 to 1 (default library.nameThreshold, 0.75)'),
    'the groups',
  );
  json(
    define(
      program,
      'status',
      'whether the daemon runs, the queue, what is in flight, waiting rows with their cause and next attempt, failures, the latest tracks; -v adds the raw tool output of failures',
      'tracksync status',
      statusCommand,
    ),
  );
  json(
    define(
      program,
      'doctor',
      'check the tools, the configuration, Notion and the schema mapping, the folders, Eagle, Spotify and the LaunchAgent; each problem with its fix (exit 2 when something blocks the job)',
      'tracksync doctor',
      doctorCommand,
    ),
    'the checks',
  );

  const launchd = group('launchd', 'the LaunchAgent that runs the daemon on a Mac (at login, restarted after a crash)');
  define(
    launchd,
    'install',
    'write the LaunchAgent and load it: the daemon starts now and at every login',
    'tracksync launchd install',
    (args, options, io) => launchdCommand('install', options, io),
  );
  define(
    launchd,
    'uninstall',
    'stop the daemon and remove the LaunchAgent (logs are kept)',
    'tracksync launchd uninstall',
    (args, options, io) => launchdCommand('uninstall', options, io),
  );
  define(
    launchd,
    'restart',
    'restart the daemon (it reads secrets and settings again)',
    'tracksync launchd restart',
    (args, options, io) => launchdCommand('restart', options, io),
  );
  json(
    define(
      launchd,
      'status',
      'whether the LaunchAgent is loaded and running, its last exit code (exit 3 when not loaded)',
      'tracksync launchd status',
      (args, options, io) => launchdCommand('status', options, io),
    ),
    'the state',
  );
  define(
    launchd,
    'print',
    'print the LaunchAgent plist install would write',
    'tracksync launchd print',
    (args, options, io) => launchdCommand('print', options, io),
  );

  const secrets = group('secrets', 'secrets in the Keychain (macOS) or the 0600 secrets file in the state directory');
  define(
    secrets,
    'set',
    'store a secret: typed at a hidden prompt on a terminal, else read from standard input or --file',
    'tracksync secrets set NOTION_TOKEN',
    (args, options, io) => secretsCommand('set', args, options, io),
  )
    .argument('<name>', 'NOTION_TOKEN, SPOTIFY_CLIENT_SECRET, ...')
    .option('--file <path>', 'read the value from this file (its first line)')
    .option('--secrets-file', 'store it in the 0600 secrets file even on macOS (not the Keychain)');
  define(
    secrets,
    'get',
    'print one secret (exit 1 when it is not set)',
    'tracksync secrets get NOTION_WEBHOOK_TOKEN',
    (args, options, io) => secretsCommand('get', args, options, io),
  ).argument('<name>', 'the secret');
  json(
    define(secrets, 'list', 'where each secret comes from, masked', 'tracksync secrets list', (args, options, io) =>
      secretsCommand('list', args, options, io),
    ),
    'the list',
  );

  json(
    define(
      program,
      'logs',
      "the daemon's log files, pretty-printed with times in words (exit 1 when there are none)",
      'tracksync logs -f',
      logsCommand,
    )
      .option('-f, --follow', 'keep printing new lines, across rotations, until Ctrl-C')
      .option('-n, --lines <n>', 'how many lines to print first (default 50)'),
    'the raw JSON lines',
  );

  const webhooks = group('webhooks', 'Notion webhooks: earlier pickup of changed rows');
  define(
    webhooks,
    'listen',
    "for the next minutes, the running daemon accepts Notion's webhook verification request",
    'tracksync webhooks listen --minutes 10',
    (args, options, io) => webhooksCommand(options, io),
  )
    .option('--minutes <n>', 'how long the window stays open (default 5, at most 60)')
    .option('--replace', 'let the verification replace a token already stored');

  define(
    program,
    'sandbox',
    'a local Notion, media site and Spotify on 127.0.0.1 with sample rows; prints the environment and commands to try',
    'tracksync sandbox',
    sandboxCommand,
  )
    .option('--port <port>', "the local Notion's port (default 7718; 0 picks a free one)")
    .option('--empty', 'no sample rows, only the databases')
    .option('--webhook <url>', "deliver signed page events to this receiver (a running daemon's /webhooks/notion)")
    .option('--webhook-delay-ms <ms>', "deliver events after this delay instead of Notion's minute")
    .option('--lenient-filters', 'text filters ignore case (strict by default)');
  define(
    program,
    'demo',
    "the daemon's real job on generated tracks against a local Notion, media site and Spotify; nothing leaves the machine",
    'tracksync demo --dir /tmp/tracksync-demo',
    demoCommand,
  ).option('--dir <dir>', 'where the demo works (default ./tracksync-demo)');
  define(
    program,
    'completion',
    'print the shell completion script for bash, zsh or fish',
    'tracksync completion zsh > "${fpath[1]}/_tracksync"',
    (args, options, io) => completionCommand(args, io, program),
  ).argument('<shell>', 'bash, zsh or fish');
  return program;
}

/** Every command's path and the long option flags it takes (not the global ones, not --help): for the README test. */
export function optionTable(program: Command): Array<{ path: string; options: string[] }> {
  const out: Array<{ path: string; options: string[] }> = [];
  const walk = (command: Command, path: string[]): void => {
    for (const sub of command.commands) {
      if (sub.name() === 'help') continue;
      const here = [...path, sub.name()];
      if (sub.commands.filter((c) => c.name() !== 'help').length > 0) walk(sub, here);
      else
        out.push({
          path: here.join(' '),
          options: sub.options.map((o) => o.long!).filter((flag) => flag !== '--help'),
        });
    }
  };
  walk(program, []);
  return out;
}
