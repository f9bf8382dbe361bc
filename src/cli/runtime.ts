import { homedir, platform } from 'node:os';
import { builtInHandlers } from '../../handlers/index.js';
import { loadUserHandlers } from '../engine/registry.js';
import type { Handler } from '../engine/contracts.js';
import { loadConfig, type Config } from '../config/load.js';
import { musicApp, type MusicDaemon } from '../app/music.js';
import { join } from 'node:path';
import { Store } from '../../state/store.js';
import { Daemon, connectNotion } from '../engine/daemon.js';
import type { ServiceRegistry } from '../engine/contracts.js';
import type { NotionGateway } from '../notion/gateway.js';
import type { Schemas } from '../notion/schemas.js';
import { Services } from '../engine/services.js';
import { systemClock } from '../clock.js';
import { registerMediaServices } from '../services/media.js';
import { createLogger, type Logger } from '../log.js';
import { defaultLogDir } from '../log-file.js';
import { prettyPrinter } from '../log-pretty.js';
import { colorsFor, isTerminal, type CliIO } from './io.js';

/** The pieces every command that works on Notion needs, built once from the environment. */
export interface Runtime {
  readonly config: Config;
  readonly logger: Logger;
}

/**
 * The configuration and the logger of one command. `daemon` (tracksync run): its log lines go to the log folder when
 * one is set (the LaunchAgent sets it), else to standard error, as a service's do. Any other command: a person reads
 * its output, so its log lines go to the log file (TRACKSYNC_LOG_DIR, else the default folder `tracksync logs` reads),
 * never between its results; -v sends them to standard error instead, --json sends warnings there as JSON lines.
 */
export interface RuntimeOptions {
  /** `tracksync run`: log lines go where a service's do. */
  readonly daemon?: boolean;
  readonly json?: boolean;
  /** The config file named on the command line (--config); wins over TRACKSYNC_CONFIG and the conventional places. */
  readonly configPath?: string;
}

export function loadRuntime(io: CliIO, options: RuntimeOptions = {}): Runtime {
  const config = loadConfig({
    env: io.env,
    cwd: io.cwd,
    ...(io.platform ? { platform: io.platform } : {}),
    ...(options.configPath !== undefined ? { configPath: options.configPath } : {}),
  });
  return { config, logger: commandLogger(config, io, options) };
}

export function commandLogger(config: Config, io: CliIO, options: { daemon?: boolean; json?: boolean } = {}): Logger {
  const { dir, maxFileBytes, keepFiles } = config.logs;
  const secrets = config.secrets;
  if (options.daemon)
    return createLogger({
      level: config.logging.level,
      secrets,
      ...(dir ? { file: { dir, maxFileBytes, keepFiles } } : {}),
    });
  if (io.verbose) {
    const pretty = isTerminal(io.stderr)
      ? prettyPrinter({ colorize: colorsFor(io, io.stderr).isColorSupported })
      : undefined;
    return createLogger({
      level: config.logging.level === 'info' ? 'debug' : config.logging.level,
      secrets,
      destination: { write: (line: string) => io.stderr.write(pretty ? pretty(line) : line) },
    });
  }
  if (options.json)
    return createLogger({ level: 'warn', secrets, destination: { write: (line: string) => io.stderr.write(line) } });
  const os = io.platform ?? platform();
  const logDir = dir ?? defaultLogDir(os, io.env.HOME ?? homedir(), config.stateDir);
  try {
    return createLogger({ level: config.logging.level, secrets, file: { dir: logDir, maxFileBytes, keepFiles } });
  } catch {
    // The log folder cannot be written: warnings and errors still reach the person, on standard error.
    return createLogger({ level: 'warn', secrets, destination: { write: (line: string) => io.stderr.write(line) } });
  }
}

/** The user's handlers first (the first that accepts an item gets it), so they can take rows from the built-in ones. */
export async function allHandlers(config: Config): Promise<Handler[]> {
  return [...(await loadUserHandlers(config.handlers)), ...builtInHandlers()];
}

/** The shared services (media tools, Spotify, artists) a daemon's handlers use, or a command that reads playlists. */
export function sharedServices(runtime: Runtime): ServiceRegistry {
  const services = new Services();
  registerMediaServices(services, runtime.config, runtime.logger, systemClock);
  return services;
}

/** Starts a daemon with the built-in and the user's handlers and the shared services. */
export async function startDaemon(runtime: Runtime): Promise<MusicDaemon> {
  const handlers = await allHandlers(runtime.config);
  return Daemon.start({
    app: musicApp,
    config: runtime.config,
    logger: runtime.logger,
    handlers,
    services: sharedServices(runtime),
  });
}

/**
 * What a command needs to find rows and hand them to the daemon that holds the state directory, without its lock:
 * the state (SQLite lets both open it: WAL, busy_timeout), the Notion gateway sharing its rate budget, the schemas.
 */
export interface Connection {
  readonly store: Store;
  readonly notion: NotionGateway;
  readonly schemas: Schemas;
  readonly services: ServiceRegistry;
  close(): void;
}

export async function connectBesideDaemon(runtime: Runtime): Promise<Connection> {
  const store = Store.open(join(runtime.config.stateDir, 'tracksync.sqlite'));
  try {
    const { notion, schemas } = await connectNotion({ config: runtime.config, logger: runtime.logger, store });
    return { store, notion, schemas, services: sharedServices(runtime), close: () => store.close() };
  } catch (error) {
    store.close();
    throw error;
  }
}
