import { usageError, wholeNumber } from '../../src/cli/usage.js';

// `--limit 0` or `-n ten` must stop with exit 2 and a message naming the option and the value, not run with NaN.
describe('usage errors and whole-number options (src/cli/usage.ts)', () => {
  it('reads a whole number at or above the minimum, and nothing when the option is absent', () => {
    expect(wholeNumber('--limit', '3')).toBe(3);
    expect(wholeNumber('-n', '0', 0)).toBe(0);
    expect(wholeNumber('--limit', undefined)).toBeUndefined();
  });

  it('refuses anything else with a USAGE error naming the option, the minimum and the value', () => {
    for (const bad of ['0', '-2', '2.5', 'ten', '']) {
      let thrown: unknown;
      try {
        wholeNumber('--limit', bad);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toMatchObject({
        code: 'USAGE',
        kind: 'permanent',
        message: `--limit must be a whole number >= 1, got "${bad}"`,
      });
    }
    expect(usageError('no such playlist').code).toBe('USAGE');
  });
});
