import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../src/paths.js';
import { accuracyBench } from './accuracy.js';
import { claimBench } from './claims.js';
import { conversionBench } from './conversion.js';
import { idleCycleBench } from './idle-cycle.js';
import { libraryBench } from './library.js';
import { daemonBench } from './daemon.js';
import { pickupBench } from './pickup.js';
import { machine, render, type BenchSection } from './report.js';
import { stageBench } from './stages.js';

/** `npm run bench`: every benchmark, then bench/RESULTS.md rewritten with the figures of this run. */
const benches: Array<[string, () => Promise<BenchSection>]> = [
  ['idle cycle', idleCycleBench],
  ['claims', claimBench],
  ['conversion', conversionBench],
  ['stages', stageBench],
  ['accuracy', accuracyBench],
  ['library', libraryBench],
  ['pickup', pickupBench],
  ['daemon', daemonBench],
];

const only = process.argv.slice(2);
const sections: BenchSection[] = [];
for (const [name, bench] of benches) {
  if (only.length > 0 && !only.includes(name.split(' ')[0]!)) continue;
  const started = performance.now();
  process.stderr.write(`bench: ${name}...`);
  sections.push(await bench());
  process.stderr.write(` ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}
const text = render(sections, await machine(), new Date());
if (only.length === 0) writeFileSync(join(packageRoot(), 'bench', 'RESULTS.md'), `${text}\n`);
process.stdout.write(`${text}\n`);
