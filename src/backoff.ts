/**
 * The one backoff formula (docs/decisions.md, "Backoff: one formula, two levels"): min(baseMs · 2^step, maxMs), times a
 * random factor in [0.5, 1.5) so that processes which failed together do not retry together (BullMQ's jitter). Items
 * use it with the retry.* settings (engine/runner.ts); Notion calls inside an item with CONSTANTS.notion's numbers
 * (notion/gateway.ts, and the start-up wait in engine/daemon.ts).
 */
export function backoffMs(step: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  return Math.round(Math.min(maxMs, baseMs * 2 ** Math.max(0, step)) * (0.5 + random()));
}
