import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Store } from '../../../state/store.js';
import { systemClock } from '../../clock.js';
import { libraryGroups } from '../../dedup/groups.js';
import { scanLibrary } from '../../library/scan.js';
import { print, table, type CliIO } from '../io.js';
import { loadRuntime } from '../runtime.js';
import { usageError } from '../usage.js';

/** `tracksync library scan | stats | dupes`: the index of every audio file under the library folders. */
export async function libraryCommand(args: string[], io: CliIO): Promise<number> {
  const [action, ...rest] = args;
  const { values } = parseArgs({ args: rest, options: { json: { type: 'boolean', default: false } } });
  const runtime = loadRuntime(io);
  const store = Store.open(join(runtime.config.stateDir, 'tracksync.sqlite'));
  try {
    if (action === 'scan') {
      const controller = new AbortController();
      const stop = (): void => controller.abort();
      process.once('SIGINT', stop);
      try {
        const result = await scanLibrary({
          store,
          config: runtime.config,
          clock: systemClock,
          logger: runtime.logger,
          signal: controller.signal,
          onProgress: (p) => io.stderr.write(`\rscanning: ${p.seen} files seen, ${p.read} read, ${p.failed} unreadable${p.current ? ` ... ${p.current.slice(-60)}` : ''}`.padEnd(120)),
        });
        io.stderr.write('\n');
        for (const skipped of result.skippedRoots) print(io.stdout, `skipped ${skipped.root}: ${skipped.reason}`);
        print(io.stdout, `scanned ${result.roots.join(', ') || '(no folder)'}: ${result.seen} files, ${result.read} read (new or changed), ${result.seen - result.read - result.failed} unchanged, ${result.failed} unreadable, ${result.gone} gone`);
      } finally {
        process.off('SIGINT', stop);
      }
      return 0;
    }
    if (action === 'stats') {
      const stats = store.libraryStats();
      if (values.json) {
        print(io.stdout, JSON.stringify(stats, null, 2));
        return 0;
      }
      print(io.stdout, table([['format', 'files', 'size', 'fingerprinted', 'linked to a row', 'gone'], ...stats.map((s) => [s.format, String(s.files), `${(s.bytes / 2 ** 30).toFixed(2)} GiB`, String(s.fingerprinted), String(s.linked), String(s.gone)])]));
      return 0;
    }
    if (action === 'dupes') {
      const byFingerprint = libraryGroups(store, runtime.config);
      const byName = store.listNameGroups(100);
      if (values.json) {
        print(io.stdout, JSON.stringify({ byFingerprint, byName }, null, 2));
        return 0;
      }
      print(io.stdout, `Same recording (fingerprint similarity >= ${runtime.config.library.similarityThreshold}): ${byFingerprint.length} group(s)`);
      for (const g of byFingerprint) print(io.stdout, `  ${g.score}  keep ${g.keeper.label}\n${g.others.map((o) => `        also ${o.label}`).join('\n')}`);
      print(io.stdout, `Same normalised title and artist: ${byName.length} group(s)`);
      for (const g of byName) print(io.stdout, `  ${g.files} files: ${g.norm_artist} - ${g.norm_title}`);
      return 0;
    }
    throw usageError('tracksync library scan | stats [--json] | dupes [--json]');
  } finally {
    store.close();
  }
}
