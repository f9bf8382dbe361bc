import { parseArgs } from 'node:util';
import type { CliIO } from '../io.js';
import { print } from '../io.js';
import { loadRuntime, startDaemon } from '../runtime.js';
import { usageError } from '../usage.js';

/** `tracksync once [--limit N]`: one poll, process what it found, wait for it, exit. */
export async function onceCommand(args: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({ args, options: { limit: { type: 'string' } }, allowPositionals: false });
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw usageError(`--limit must be a whole number of items >= 1, got "${values.limit}"`);
  const runtime = loadRuntime(io);
  const daemon = await startDaemon(runtime);
  const stop = (signal: NodeJS.Signals): void => void daemon.stop(signal);
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  try {
    const report = await daemon.runOnce(limit === undefined ? {} : { limit });
    print(io.stdout, `cycle ${report.runId}: ${report.polled} changed row(s) polled, ${report.queued} queued, ${report.claimed} claimed; ${daemon.notion.requestCount} Notion request(s)`);
    for (const error of report.errors) print(io.stderr, `warning: ${error}`);
  } finally {
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
    await daemon.stop('once finished');
  }
  return 0;
}
