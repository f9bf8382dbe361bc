import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../src/paths.js';
import { accuracyBench } from './accuracy.js';
import { claimBench } from './claims.js';
import { conversionBench } from './conversion.js';
import { idleCycleBench } from './idle-cycle.js';
import { libraryBench } from './library.js';
import { daemonBench } from './daemon.js';
import { pickupBench } from './pickup.js';
import { playlistBench } from './playlists.js';
import { machine, render, splice, type BenchSection } from './report.js';
import { stageBench } from './stages.js';

/** `npm run bench`: every benchmark, then bench/RESULTS.md rewritten with the figures of this run. */
const benches: Array<[string, () => Promise<BenchSection>]> = [
  ['idle cycle', idleCycleBench],
  ['claims', claimBench],
  ['conversion', conversionBench],
  ['stages', stageBench],
  ['accuracy', accuracyBench],
  ['library', libraryBench],
  ['playlists', playlistBench],
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
const machineLine = await machine();
const text = render(sections, machineLine, new Date());
const results = join(packageRoot(), 'bench', 'RESULTS.md');
// The whole file from a full run; the sections measured from a partial run (`npm run bench -- pickup`).
if (only.length === 0) writeFileSync(results, `${text}\n`);
else if (existsSync(results)) writeFileSync(results, splice(readFileSync(results, 'utf8'), sections, machineLine, new Date()));
process.stdout.write(`${text}\n`);
