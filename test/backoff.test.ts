import { backoffMs } from '../src/backoff.js';

// The one retry delay for items and calls (docs/decisions.md): doubling from the base, capped, with jitter in
// [0.5, 1.5) so processes that failed together do not come back together. `random` is injected, so no luck involved.
describe('backoffMs (src/backoff.ts)', () => {
  const middle = (): number => 0.5; // jitter factor exactly 1

  it('doubles from the base on each step and stops at the cap', () => {
    expect([0, 1, 2, 3].map((step) => backoffMs(step, 1_000, 60_000, middle))).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(backoffMs(6, 1_000, 60_000, middle)).toBe(60_000);
    expect(backoffMs(40, 1_000, 60_000, middle)).toBe(60_000);
  });

  it('treats a negative step as the first one', () => {
    expect(backoffMs(-3, 1_000, 60_000, middle)).toBe(1_000);
  });

  it('spreads the delay between half and one and a half times the doubled value, the cap included', () => {
    expect(backoffMs(2, 1_000, 60_000, () => 0)).toBe(2_000);
    expect(backoffMs(2, 1_000, 60_000, () => 0.999)).toBe(5_996);
    expect(backoffMs(10, 1_000, 60_000, () => 0)).toBe(30_000);
    expect(backoffMs(10, 1_000, 60_000, () => 0.999)).toBeLessThan(90_000);
  });
});
