import type { Clock } from '../clock.js';
import type { ErrorCode } from '../errors.js';
import type { EventBus } from '../events.js';

/** Codes after which retrying cannot help until the user acts: reported at once, not after the outage window. */
const ACT_NOW: ReadonlySet<ErrorCode> = new Set(['NOTION_UNAUTHORIZED', 'NOTION_FORBIDDEN']);

/**
 * Turns per-cycle Notion failures into one "the daemon gave up on Notion" event: when every cycle has failed for
 * `downAfterMs` (or at once for a refused token), `notion:unreachable` is emitted once; the first clean cycle after it
 * emits `notion:recovered`. The legacy script logged the same failure 2,955 times and told no one.
 */
export function watchNotionHealth(
  events: EventBus,
  clock: Clock,
  downAfterMs: number,
): { downSince(): number | undefined; stop(): void } {
  let firstFailureAt: number | undefined;
  let reported = false;
  const offError = events.on('cycle:error', (e) => {
    if (!e.code.startsWith('NOTION_')) return;
    const now = clock.now();
    firstFailureAt ??= now;
    if (!reported && (ACT_NOW.has(e.code) || now - firstFailureAt >= downAfterMs)) {
      reported = true;
      events.emit('notion:unreachable', { since: firstFailureAt, code: e.code, message: e.message });
    }
  });
  const offEnd = events.on('cycle:end', (e) => {
    if (e.errors > 0 || firstFailureAt === undefined) return;
    if (reported) events.emit('notion:recovered', { downMs: clock.now() - firstFailureAt });
    firstFailureAt = undefined;
    reported = false;
  });
  return {
    downSince: () => firstFailureAt,
    stop: () => {
      offError();
      offEnd();
    },
  };
}
