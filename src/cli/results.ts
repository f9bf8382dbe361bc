import type { TrackLine } from '../handoff/report.js';
import { outcomeWords } from '../handoff/report.js';
import { colorsFor, print, table, type CliIO } from './io.js';

/**
 * The result table after `once` and `sync`: title, BPM, key, Camelot, source, outcome and files, then each file's
 * path. Failures say why in a person's words; --json prints the lines as they are.
 */
export function printResults(io: CliIO, lines: readonly TrackLine[]): void {
  if (lines.length === 0) return;
  const c = colorsFor(io);
  const rows = lines.map((l) => [
    l.label,
    l.bpm === null ? '' : String(l.bpm),
    l.key,
    l.camelot,
    l.source,
    l.succeeded
      ? c.green(outcomeWords(l.outcome))
      : c.red(`${outcomeWords(l.outcome)}${l.reason ? `: ${l.reason}` : ''}`),
    l.paths.length === 0 ? '-' : l.paths.map((p) => p.split('.').pop()).join(', '),
  ]);
  print(io.stdout);
  print(io.stdout, table([['track', 'BPM', 'key', 'Camelot', 'source', 'outcome', 'files'], ...rows]));
  const paths = lines.flatMap((l) => l.paths);
  if (paths.length > 0) {
    print(io.stdout);
    print(io.stdout, 'Files:');
    for (const path of paths) print(io.stdout, `  ${path}`);
  }
}
