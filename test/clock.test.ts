import { systemClock } from '../src/clock.js';

// The daemon waits between cycles and retries with clock.sleep, and stops on SIGTERM by aborting it: a sleep that
// ignored the signal would hold a shutdown for a whole poll interval. Abort is an event, so nothing here waits on time.
describe('systemClock (src/clock.ts)', () => {
  it('rejects at once when the signal has already aborted, with the signal’s reason', async () => {
    const controller = new AbortController();
    controller.abort(new Error('shutting down'));
    await expect(systemClock.sleep(60_000, controller.signal)).rejects.toThrow('shutting down');
  });

  it('rejects a long sleep as soon as the signal aborts, with an AbortError when no reason was given', async () => {
    const controller = new AbortController();
    const sleeping = systemClock.sleep(3_600_000, controller.signal);
    controller.abort();
    await expect(sleeping).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('resolves a zero or negative sleep, and now() is the epoch time in milliseconds', async () => {
    await expect(systemClock.sleep(0)).resolves.toBeUndefined();
    await expect(systemClock.sleep(-5, new AbortController().signal)).resolves.toBeUndefined();
    const before = Date.now();
    const now = systemClock.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });
});
