import { builtInHandlers } from '../../handlers/index.js';
import { loadUserHandlers } from '../../handlers/registry.js';
import type { Handler } from '../../handlers/types.js';
import { loadConfig, type Config } from '../config/load.js';
import { Daemon } from '../daemon/daemon.js';
import { Services } from '../daemon/services.js';
import { systemClock } from '../clock.js';
import { registerMediaServices } from '../pipeline/services.js';
import { createLogger, type Logger } from '../log.js';
import type { CliIO } from './io.js';

/** The pieces every command that works on Notion needs, built once from the environment. */
export interface Runtime {
  readonly config: Config;
  readonly logger: Logger;
}

export interface RuntimeOptions {
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
  const { dir, maxFileBytes, keepFiles } = config.logs;
  const logger = createLogger({ level: config.logging.level, secrets: config.secrets, ...(dir ? { file: { dir, maxFileBytes, keepFiles } } : {}) });
  return { config, logger };
}

/** The user's handlers first (the first that accepts an item gets it), so they can take rows from the built-in ones. */
export async function allHandlers(config: Config): Promise<Handler[]> {
  return [...(await loadUserHandlers(config.handlers)), ...builtInHandlers()];
}

/** Starts a daemon with the built-in and the user's handlers and the shared services. */
export async function startDaemon(runtime: Runtime): Promise<Daemon> {
  const handlers = await allHandlers(runtime.config);
  const services = new Services();
  registerMediaServices(services, runtime.config, runtime.logger, systemClock);
  return Daemon.start({ config: runtime.config, logger: runtime.logger, handlers, services });
}
