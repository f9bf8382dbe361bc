import { chmodSync, copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/paths.js';

export interface StandIn {
  /** Absolute path of the copied executable. */
  readonly bin: string;
  /** Its directory: put it first on PATH to have the CLI find it by name. */
  readonly dir: string;
  /** The argument arrays of every call so far. */
  calls(): string[][];
  /** A JSON file the stand-in keeps next to itself (its Keychain, its loaded services). */
  json<T>(name: string, fallback: T): T;
}

/**
 * Copies a stand-in from test/fixtures/bin (security, launchctl, osascript, ...) into `dir`, where it keeps its state.
 */
export function standIn(name: string, dir: string): StandIn {
  mkdirSync(dir, { recursive: true });
  const bin = join(dir, name);
  copyFileSync(join(packageRoot(), 'test', 'fixtures', 'bin', name), bin);
  chmodSync(bin, 0o755);
  const read = (file: string): string | undefined => {
    try {
      return readFileSync(join(dir, file), 'utf8');
    } catch {
      return undefined;
    }
  };
  return {
    bin,
    dir,
    calls: () =>
      (read('calls.jsonl') ?? '')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as string[]),
    json: <T>(file: string, fallback: T): T => {
      const text = read(file);
      return text === undefined ? fallback : (JSON.parse(text) as T);
    },
  };
}
