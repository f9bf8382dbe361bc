import { watchNotionHealth } from '../../src/engine/health.js';
import type { ErrorCode } from '../../src/errors.js';
import { EventBus, type EventMap } from '../../src/events.js';
import { FixedClock } from './world.js';

const MINUTE_MS = 60_000;

/** The events a cycle emits (engine/daemon.ts #doCycle), on a real bus, with the watcher's reports collected. */
function watched(downAfterMs = 10 * MINUTE_MS) {
  const events = new EventBus();
  const clock = new FixedClock(Date.UTC(2026, 0, 5, 9));
  const reports: Array<
    | { event: 'unreachable'; payload: EventMap['notion:unreachable'] }
    | { event: 'recovered'; payload: EventMap['notion:recovered'] }
  > = [];
  events.on('notion:unreachable', (payload) => reports.push({ event: 'unreachable', payload }));
  events.on('notion:recovered', (payload) => reports.push({ event: 'recovered', payload }));
  const health = watchNotionHealth(events, clock, downAfterMs);
  let runId = 0;
  const failingCycle = (code: ErrorCode = 'NOTION_UNAVAILABLE'): void => {
    runId += 1;
    events.emit('cycle:error', { runId, code, message: `${code} from Notion` });
    events.emit('cycle:end', { runId, polled: 0, claimed: 0, durationMs: 5, errors: 1 });
  };
  const cleanCycle = (): void => {
    runId += 1;
    events.emit('cycle:end', { runId, polled: 3, claimed: 1, durationMs: 5, errors: 0 });
  };
  return { clock, health, reports, failingCycle, cleanCycle };
}

describe('Notion health (src/engine/health.ts): one report for an outage, not one per cycle', () => {
  it('reports Notion unreachable once every cycle has failed for downAfterMs, and recovered at the first clean cycle', () => {
    const { clock, health, reports, failingCycle, cleanCycle } = watched();
    const since = clock.now();
    failingCycle();
    clock.advance(5 * MINUTE_MS);
    failingCycle();
    // A short outage is no news: Notion has bad minutes (the legacy script logged each failure, 2,955 times).
    expect(reports).toEqual([]);
    expect(health.downSince()).toBe(since);
    clock.advance(5 * MINUTE_MS);
    failingCycle();
    expect(reports).toEqual([
      {
        event: 'unreachable',
        payload: { since, code: 'NOTION_UNAVAILABLE', message: 'NOTION_UNAVAILABLE from Notion' },
      },
    ]);
    // Still down: no second report.
    clock.advance(30 * MINUTE_MS);
    failingCycle('NOTION_TIMEOUT');
    expect(reports).toHaveLength(1);
    clock.advance(MINUTE_MS);
    cleanCycle();
    expect(reports[1]).toEqual({ event: 'recovered', payload: { downMs: 41 * MINUTE_MS } });
    expect(health.downSince()).toBeUndefined();
    // The next outage is a new one, reported again.
    failingCycle('NOTION_UNAUTHORIZED');
    expect(reports.map((r) => r.event)).toEqual(['unreachable', 'recovered', 'unreachable']);
  });

  it('starts the outage window again after a clean cycle', () => {
    const { clock, reports, failingCycle, cleanCycle } = watched();
    failingCycle();
    clock.advance(9 * MINUTE_MS);
    cleanCycle();
    clock.advance(MINUTE_MS);
    const second = clock.now();
    failingCycle();
    clock.advance(9 * MINUTE_MS);
    failingCycle();
    expect(reports).toEqual([]);
    clock.advance(MINUTE_MS);
    failingCycle();
    expect(reports).toMatchObject([{ event: 'unreachable', payload: { since: second } }]);
  });

  it('reports a refused token at once: waiting cannot fix it, the user must act', () => {
    for (const code of ['NOTION_UNAUTHORIZED', 'NOTION_FORBIDDEN'] as const) {
      const { reports, failingCycle } = watched();
      failingCycle(code);
      expect(reports).toMatchObject([{ event: 'unreachable', payload: { code } }]);
    }
  });

  it("ignores failures that are not Notion's, and a clean cycle when nothing was reported says nothing", () => {
    const { clock, health, reports, failingCycle, cleanCycle } = watched();
    failingCycle('DISK_FULL');
    clock.advance(60 * MINUTE_MS);
    failingCycle('INTERNAL');
    expect(health.downSince()).toBeUndefined();
    cleanCycle();
    failingCycle();
    cleanCycle();
    expect(reports).toEqual([]);
  });

  it('stops watching when stopped (the daemon stopped)', () => {
    const { health, reports, failingCycle } = watched();
    health.stop();
    failingCycle('NOTION_UNAUTHORIZED');
    expect(reports).toEqual([]);
    expect(health.downSince()).toBeUndefined();
  });
});
