import { CommanderError, type Command } from 'commander';
import { resolve } from 'node:path';
import { ConfigError, TrackSyncError, messageOf } from '../errors.js';
import { print, processIO, type CliIO } from './io.js';
import { buildProgram, type Action } from './program.js';

/** Codes that mean "the user must change something": exit 2 with the message. */
const USER_ERROR_CODES = new Set([
  'CONFIG_INVALID',
  'USAGE',
  'DAEMON_ALREADY_RUNNING',
  'STATE_UNUSABLE',
  'SCHEMA_MISMATCH',
  'NOTION_UNAUTHORIZED',
  'NOTION_FORBIDDEN',
  'NOTION_NOT_FOUND',
  'TOOL_MISSING',
  'LAUNCHD_FAILED',
]);

/**
 * Runs one CLI command and returns its exit code: 0 done, 2 configuration or usage error, 1 internal error (3 for
 * commands whose items can fail, see their help). `--help`, `help <command>` and `--version` print and return 0.
 */
export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  let exitCode = 0;
  let name = '';
  const program = buildProgram(async (action: Action, args, options) => {
    const configPath = typeof options.config === 'string' ? resolve(io.cwd, options.config) : undefined;
    // --config is TRACKSYNC_CONFIG for this run (the same resolution, the same messages).
    const env = configPath ? { ...io.env, TRACKSYNC_CONFIG: configPath } : io.env;
    const commandIO: CliIO = {
      ...io,
      env,
      quiet: options.quiet === true,
      verbose: options.verbose === true,
      color: options.color !== false,
    };
    exitCode = await action(args, options, commandIO);
  });
  const output = {
    writeOut: (text: string) => void io.stdout.write(text),
    writeErr: (text: string) => void io.stderr.write(text),
  };
  const configure = (command: Command): void => {
    command.exitOverride().configureOutput(output);
    command.commands.forEach(configure);
  };
  configure(program);
  program.hook('preAction', (_root, command) => {
    name = command.parent && command.parent !== program ? `${command.parent.name()} ${command.name()}` : command.name();
  });
  if (argv.length === 0) {
    print(io.stderr, program.helpInformation().trimEnd());
    return 2;
  }
  // `tracksync help playlists export`: commander's help command names one level; as `playlists export --help` it
  // reaches every depth with the same text.
  const words = argv[0] === 'help' && argv.length > 1 ? [...argv.slice(1), '--help'] : argv;
  try {
    await program.parseAsync(words, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version asked for: 0. A group named without its subcommand prints its help: a usage error, as are
      // unknown commands and options (commander has printed the message and its "Did you mean ...?").
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof ConfigError || (error instanceof TrackSyncError && USER_ERROR_CODES.has(error.code))) {
      print(
        io.stderr,
        `tracksync ${name}: ${error.message}${error.code === 'USAGE' ? `\nRun "tracksync help ${name}" for its usage.` : ''}`,
      );
      return 2;
    }
    if (error instanceof TrackSyncError) {
      // A known failure (Notion down past the start-up wait, a tool failing): its message says it all, no stack.
      print(io.stderr, `tracksync ${name}: ${error.message}`);
      return 1;
    }
    print(
      io.stderr,
      `tracksync ${name}: internal error: ${error instanceof Error ? (error.stack ?? error.message) : messageOf(error)}`,
    );
    return 1;
  }
}
