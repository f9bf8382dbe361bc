import { TrackSyncError } from '../errors.js';

/** A usage error: the CLI prints it with a pointer to the command's help and exits 2. */
export function usageError(message: string): TrackSyncError {
  return new TrackSyncError('USAGE', message);
}

/** A whole number >= `min` from an option's text, or a usage error naming the option and the value. */
export function wholeNumber(option: string, value: unknown, min = 1): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw usageError(`${option} must be a whole number >= ${min}, got "${String(value)}"`);
  return n;
}
