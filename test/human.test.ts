import { ago, bytes, clock, humanizeFields, inTime, localTime, span } from '../src/human.js';

// The CLI, the status page and `tracksync logs` show times and sizes in words ("in 4 min", "3.1 MiB"), never raw
// milliseconds or bytes: these are the exact texts a person reads there.
describe('times and sizes in words (src/human.ts)', () => {
  it('spans: seconds up to 90 s, minutes up to 2 h, hours and minutes up to 2 days, then days; sign ignored', () => {
    expect(span(0)).toBe('0 s');
    expect(span(89_400)).toBe('89 s');
    expect(span(90_000)).toBe('2 min');
    expect(span(-257_993)).toBe('4 min');
    expect(span(119 * 60_000)).toBe('119 min');
    expect(span(125 * 60_000)).toBe('2 h 5 min');
    expect(span(47 * 3_600_000)).toBe('47 h 0 min');
    expect(span(3 * 86_400_000)).toBe('3 d');
  });

  it('says "in …" ahead of now and "… ago" behind it, "now" and "just now" at the moment itself', () => {
    const now = 1_800_000_000_000;
    expect(inTime(now + 240_000, now)).toBe('in 4 min');
    expect(inTime(now, now)).toBe('now');
    expect(inTime(now - 1, now)).toBe('now');
    expect(ago(now - 240_000, now)).toBe('4 min ago');
    expect(ago(now, now)).toBe('just now');
  });

  it('shows a stopwatch for elapsed time and ETAs, hours only when needed, never negative', () => {
    expect(clock(4_000)).toBe('0:04');
    expect(clock(751_000)).toBe('12:31');
    expect(clock(3_729_000)).toBe('1:02:09');
    expect(clock(-5_000)).toBe('0:00');
  });

  it('counts bytes in binary units, with three significant digits', () => {
    expect(bytes(812)).toBe('812 B');
    expect(bytes(1_536)).toBe('1.5 KiB');
    expect(bytes(3.1 * 1024 * 1024)).toBe('3.1 MiB');
    expect(bytes(12.34 * 1024 * 1024)).toBe('12.3 MiB');
    expect(bytes(512 * 1024 * 1024)).toBe('512 MiB');
    expect(bytes(1.2 * 1024 ** 3)).toBe('1.20 GiB');
    expect(bytes(3 * 1024 ** 5)).toBe('3072 TiB');
  });

  it('writes a local wall-clock time to the minute', () => {
    expect(localTime(new Date(2026, 10, 24, 15, 4, 59).getTime())).toBe('2026-11-24 15:04');
    expect(localTime(new Date(2027, 0, 2, 3, 5).getTime())).toBe('2027-01-02 03:05');
  });

  it('turns …Ms fields into spans (delays as "in …") and epoch …At fields into local times, leaving the rest', () => {
    const now = new Date(2026, 10, 24, 15, 0).getTime();
    const next = now + 4 * 60_000;
    expect(
      humanizeFields({ msg: 'retrying', retryInMs: 257_993, durationMs: 3_000, nextAttemptAt: next, itemId: 7 }, now),
    ).toEqual({
      msg: 'retrying',
      retryIn: 'in 4 min',
      duration: '3 s',
      nextAttemptAt: '2026-11-24 15:04 (in 4 min)',
      itemId: 7,
    });
    expect(humanizeFields({ since: now - 120_000 * 60 }, now)).toEqual({ since: '2026-11-24 13:00 (2 h 0 min ago)' });
    // Not an epoch time (a count), not a number, or a bare "Ms": left as it is.
    expect(humanizeFields({ startedAt: 12, Ms: 5, waitMs: 'soon' }, now)).toEqual({
      startedAt: 12,
      Ms: 5,
      waitMs: 'soon',
    });
  });
});
