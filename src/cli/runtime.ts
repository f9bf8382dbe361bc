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
import type { CliIO } from './io.js';

/** The pieces every command that works on Notion needs, built once from the environment. */
export interface Runtime {
  readonly config: Config;
  readonly logger: Logger;
}

export function loadRuntime(io: CliIO): Runtime {
  const config = loadConfig({ env: io.env, cwd: io.cwd, ...(io.platform ? { platform: io.platform } : {}) });
  const { dir, maxFileBytes, keepFiles } = config.logs;
  const logger = createLogger({ level: config.logging.level, secrets: config.secrets, ...(dir ? { file: { dir, maxFileBytes, keepFiles } } : {}) });
  return { config, logger };
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
