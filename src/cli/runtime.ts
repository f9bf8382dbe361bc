import { homedir, platform } from 'node:os';
import { builtInHandlers } from '../../handlers/index.js';
import { loadUserHandlers } from '../engine/registry.js';
import type { Handler } from '../engine/contracts.js';
import { loadConfig, type Config } from '../config/load.js';
import { musicApp, type MusicDaemon } from '../app/music.js';
import { Daemon } from '../engine/daemon.js';
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
  if (options.daemon) return createLogger({ level: config.logging.level, secrets, ...(dir ? { file: { dir, maxFileBytes, keepFiles } } : {}) });
  if (io.verbose) {
    const pretty = isTerminal(io.stderr) ? prettyPrinter({ colorize: colorsFor(io, io.stderr).isColorSupported }) : undefined;
    return createLogger({ level: config.logging.level === 'info' ? 'debug' : config.logging.level, secrets, destination: { write: (line: string) => io.stderr.write(pretty ? pretty(line) : line) } });
  }
  if (options.json) return createLogger({ level: 'warn', secrets, destination: { write: (line: string) => io.stderr.write(line) } });
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

/** Starts a daemon with the built-in and the user's handlers and the shared services. */
export async function startDaemon(runtime: Runtime): Promise<MusicDaemon> {
  const handlers = await allHandlers(runtime.config);
  const services = new Services();
  registerMediaServices(services, runtime.config, runtime.logger, systemClock);
  return Daemon.start({ app: musicApp, config: runtime.config, logger: runtime.logger, handlers, services });
}
