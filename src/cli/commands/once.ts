import { parseArgs } from 'node:util';
import type { CliIO } from '../io.js';
import { print } from '../io.js';
import { loadRuntime, startDaemon } from '../runtime.js';
import { onStopSignal } from '../signals.js';
import { usageError } from '../usage.js';

const MODES = ['single', 'batch', 'all', 'reprocess'] as const;

/**
 * `tracksync once [--limit N] [--mode single|batch|all|reprocess]`: one poll, process what it found, wait, exit.
 * The legacy modes (docs/legacy-bugs.md, "Modes"): single = one item; batch = --limit items (default: one claim batch, 10);
 * all = everything found (the default); reprocess = a full reconcile that ignores the polling cursor.
 */
export async function onceCommand(args: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({ args, options: { limit: { type: 'string' }, mode: { type: 'string', default: 'all' } }, allowPositionals: false });
  if (!(MODES as readonly string[]).includes(values.mode!)) throw usageError(`--mode must be one of ${MODES.join(', ')}, got "${values.mode}"`);
  const mode = values.mode as (typeof MODES)[number];
  let limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw usageError(`--limit must be a whole number of items >= 1, got "${values.limit}"`);
  if (mode === 'single') limit = 1;
  const runtime = loadRuntime(io);
  if (mode === 'batch') limit ??= runtime.config.concurrency.claimBatchSize;
  const daemon = await startDaemon(runtime);
  const dispose = onStopSignal((signal) => void daemon.stop(signal));
  try {
    const report = await daemon.runOnce({ ...(limit === undefined ? {} : { limit }), full: mode === 'reprocess' });
    print(io.stdout, `cycle ${report.runId}: ${report.polled} changed row(s) polled, ${report.queued} queued, ${report.claimed} claimed; ${daemon.notion.requestCount} Notion request(s)`);
    for (const error of report.errors) print(io.stderr, `warning: ${error}`);
  } finally {
    await daemon.stop('once finished');
    dispose();
  }
  return 0;
}
