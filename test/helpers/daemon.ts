import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Handler } from '../../src/engine/contracts.js';
import { loadConfig, type Config, type FileConfig } from '../../src/config/load.js';
import { musicApp, type MusicDaemon } from '../../src/app/music.js';
import { Daemon } from '../../src/engine/daemon.js';
import { Services } from '../../src/engine/services.js';
import { createLogger, silentLogger, type Logger } from '../../src/log.js';
import type { Sandbox } from '../../src/sandbox/server.js';

/**
 * Timings compressed for tests; everything else is the real default, but for link lookups: each synced row queues
 * one (up to three yt-dlp and Spotify searches), which test/app/links.test.ts and the dedup merge test switch on;
 * elsewhere they would only add searches to every `once`.
 */
export const FAST: FileConfig = {
  claims: { settleMs: 50, leaseMs: 60_000 },
  retry: { baseDelayMs: 1, maxDelayMs: 10, rateLimitedDefaultDelayMs: 10, lockConflictDelayMs: 60_000, maxAttempts: 8 },
  shutdown: { graceMs: 500, abortWaitMs: 2_000 },
  notion: { requestsPerSecond: 50, burstPerSecond: 50 },
  links: { enabled: false },
};

/** Writes a config file and loads the configuration exactly as the CLI does. */
export function testConfig(
  sandbox: Sandbox,
  stateDir: string,
  file: FileConfig = FAST,
  env: Record<string, string> = {},
): Config {
  mkdirSync(stateDir, { recursive: true });
  const configPath = join(stateDir, 'config.json');
  writeFileSync(configPath, JSON.stringify(file));
  return loadConfig({
    env: { ...sandbox.env(), TRACKSYNC_STATE_DIR: stateDir, TRACKSYNC_CONFIG: configPath, ...env },
    cwd: stateDir,
  });
}

export async function startTestDaemon(
  sandbox: Sandbox,
  options: {
    stateDir: string;
    handlers: Handler[];
    file?: FileConfig;
    env?: Record<string, string>;
    host?: string;
    pid?: number;
    logger?: Logger;
    fetch?: typeof fetch;
    services?: Services;
  },
): Promise<MusicDaemon> {
  const config = testConfig(sandbox, options.stateDir, options.file ?? FAST, options.env);
  return Daemon.start({
    app: musicApp,
    config,
    // TEST_LOG=debug shows a test daemon's log on stderr while investigating.
    logger:
      options.logger ??
      (process.env.TEST_LOG ? createLogger({ level: process.env.TEST_LOG, pretty: false }) : silentLogger()),
    handlers: options.handlers,
    services: options.services ?? new Services(),
    ...(options.host ? { host: options.host } : {}),
    ...(options.pid ? { pid: options.pid } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}
