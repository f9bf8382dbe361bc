import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeProperty } from '../../src/notion/codecs.js';
import { packageRoot } from '../../src/paths.js';
import type { Sandbox } from '../../src/sandbox/server.js';
import { text, title, withSandbox } from './notion.js';
import { tempDir } from './tmp.js';

export interface LoggingWorld {
  readonly sandbox: Sandbox;
  /**
   * The handler's log: "start <page> attempt=N pid=P" and "done ..." lines (test/fixtures/handlers/logging-track.mjs).
   */
  readonly log: string;
  /** A config file with the logging handler and fast test timings, plus `extra` (top-level keys replace). */
  config(extra?: object): string;
  /** The CLI's environment for a daemon with its own state folder. */
  env(state: string, configPath: string, extra?: Record<string, string>): Record<string, string>;
  /** A Music Tracks row the logging handler takes (its title starts with "CLI:"). */
  row(name: string): string;
  field(pageId: string, property: string): unknown;
}

/**
 * The world of the CLI fault tests that are about the daemon rather than the media: the local Notion and a handler
 * that only logs and sleeps, loaded by the real CLI through the config file (the way a user adds a handler).
 */
export async function loggingWorld(options: { randomSeed?: number } = {}): Promise<LoggingWorld> {
  const sandbox = await withSandbox(options);
  const dir = tempDir();
  const log = join(dir, 'handler.log');
  return {
    sandbox,
    log,
    config(extra = {}) {
      const path = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
      const settings = {
        handlers: [join(packageRoot(), 'test/fixtures/handlers/logging-track.mjs')],
        claims: { settleMs: 50 },
        shutdown: { graceMs: 300 },
        retry: { baseDelayMs: 200, maxDelayMs: 1_000, rateLimitedDefaultDelayMs: 500 },
        // The logging handler's rows are not real tracks: no link lookups after them (test/app/links.test.ts has
        // those).
        links: { enabled: false },
        ...extra,
      };
      writeFileSync(path, JSON.stringify(settings));
      return path;
    },
    env: (state, configPath, extra = {}) => ({
      ...sandbox.env(),
      TRACKSYNC_STATE_DIR: join(dir, state),
      TRACKSYNC_CONFIG: configPath,
      TEST_HANDLER_LOG: log,
      TRACKSYNC_HTTP_PORT: '0',
      ...extra,
    }),
    row: (name) =>
      sandbox.workspace.createPage({
        parent: { data_source_id: sandbox.ids.tracks.dataSourceId },
        properties: {
          Title: title(name),
          'Artist Name': text('Fault'),
          'Source URL': { url: 'http://127.0.0.1/x.wav' },
        },
      }).id,
    field: (pageId, property) => decodeProperty(sandbox.workspace.retrievePage(pageId).properties[property]),
  };
}
