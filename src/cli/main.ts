import { ConfigError, TrackSyncError, messageOf } from '../errors.js';
import { demoCommand } from './commands/demo.js';
import { dedupCommand } from './commands/dedup.js';
import { doctorCommand } from './commands/doctor.js';
import { launchdCommand } from './commands/launchd.js';
import { libraryCommand } from './commands/library.js';
import { linksCommand } from './commands/links.js';
import { logsCommand } from './commands/logs.js';
import { feedsCommand } from './commands/feeds.js';
import { retryCommand } from './commands/retry.js';
import { syncCommand } from './commands/sync.js';
import { onceCommand } from './commands/once.js';
import { playlistsCommand } from './commands/playlists.js';
import { runCommand } from './commands/run.js';
import { sandboxCommand } from './commands/sandbox.js';
import { secretsCommand } from './commands/secrets.js';
import { statusCommand } from './commands/status.js';
import { webhooksCommand } from './commands/webhooks.js';
import { print, processIO, type CliIO } from './io.js';
import { HELP } from './usage.js';

type Command = (args: string[], io: CliIO) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  run: runCommand,
  once: onceCommand,
  status: statusCommand,
  doctor: doctorCommand,
  sandbox: sandboxCommand,
  demo: demoCommand,
  sync: syncCommand,
  retry: retryCommand,
  feeds: feedsCommand,
  library: libraryCommand,
  dedup: dedupCommand,
  secrets: secretsCommand,
  launchd: launchdCommand,
  logs: logsCommand,
  links: linksCommand,
  webhooks: webhooksCommand,
  playlists: playlistsCommand,
};

/** Codes that mean "the user must change something": exit 2 with the message. */
const USER_ERROR_CODES = new Set(['CONFIG_INVALID', 'USAGE', 'DAEMON_ALREADY_RUNNING', 'STATE_UNUSABLE', 'SCHEMA_MISMATCH', 'NOTION_UNAUTHORIZED', 'NOTION_FORBIDDEN', 'NOTION_NOT_FOUND', 'TOOL_MISSING', 'LAUNCHD_FAILED']);

/** Runs one CLI command and returns its exit code: 0 done, 2 configuration or usage error, 1 internal error. */
export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    print(name === undefined ? io.stderr : io.stdout, HELP);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    print(io.stderr, `tracksync: unknown command "${name}". Commands: ${Object.keys(COMMANDS).join(', ')}. Run "tracksync help" for details.`);
    return 2;
  }
  try {
    return await command(args, io);
  } catch (error) {
    if (error instanceof ConfigError || (error instanceof TrackSyncError && USER_ERROR_CODES.has(error.code))) {
      print(io.stderr, `tracksync ${name}: ${error.message}`);
      return 2;
    }
    if (error instanceof TrackSyncError) {
      // A known failure (Notion down past the start-up wait, a tool failing): its message says it all, no stack.
      print(io.stderr, `tracksync ${name}: ${error.message} [${error.code}]`);
      return 1;
    }
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      print(io.stderr, `tracksync ${name}: ${messageOf(error)}. Run "tracksync help" for the options.`);
      return 2;
    }
    print(io.stderr, `tracksync ${name}: internal error: ${error instanceof Error ? (error.stack ?? error.message) : messageOf(error)}`);
    return 1;
  }
}
