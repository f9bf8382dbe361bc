import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../src/paths.js';
import { accuracyBench } from './accuracy.js';
import { claimBench } from './claims.js';
import { idleCycleBench } from './idle-cycle.js';
import { libraryBench } from './library.js';
import { daemonBench } from './daemon.js';
import { pickupBench } from './pickup.js';
import { playlistBench } from './playlists.js';
import { machine, render, splice, type BenchSection } from './report.js';
import { stageBench } from './stages.js';

/**
 * `npm run bench`: every benchmark, then bench/RESULTS.md rewritten with the figures of this run.
 * `npm run bench -- NAME...`: those benchmarks only; their sections of bench/RESULTS.md are replaced, the rest kept.
 * `npm run bench -- accuracy tuning` measures the accuracy corpus's tuning half instead (printed, not written).
 */
const benches: Array<[string, (argv: readonly string[]) => Promise<BenchSection>]> = [
  ['idle cycle', idleCycleBench],
  ['claims', claimBench],
  ['stages', stageBench],
  ['accuracy', accuracyBench],
  ['library', libraryBench],
  ['playlists', playlistBench],
  ['pickup', pickupBench],
  ['daemon', daemonBench],
];

const argv = process.argv.slice(2);
const names = new Set(benches.map(([name]) => name.split(' ')[0]!));
const only = argv.filter((a) => names.has(a));
const sections: BenchSection[] = [];
for (const [name, bench] of benches) {
  if (only.length > 0 && !only.includes(name.split(' ')[0]!)) continue;
  const started = performance.now();
  process.stderr.write(`bench: ${name}...`);
  sections.push(await bench(argv));
  process.stderr.write(` ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}
const when = new Date();
const machineLine = await machine();
const text = render(sections, machineLine, when);
const results = join(packageRoot(), 'bench', 'RESULTS.md');
// The whole file from a full run; the sections measured from a partial run (`npm run bench -- pickup`); nothing for
// the tuning half of the accuracy corpus (printed only: RESULTS.md reports the held-out half).
if (only.length === 0)
  writeFileSync(
    results,
    `${text}
`,
  );
else if (!argv.includes('tuning') && existsSync(results))
  writeFileSync(results, splice(readFileSync(results, 'utf8'), sections, machineLine, when));
process.stdout.write(`${text}\n`);
