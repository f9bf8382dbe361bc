import { basename, join } from 'node:path';
import { Store } from '../../../state/store.js';
import { systemClock } from '../../clock.js';
import { libraryGroups } from '../../dedup/groups.js';
import { scanLibrary } from '../../library/scan.js';
import { bytes } from '../../human.js';
import { print, table, type CliIO } from '../io.js';
import { loadRuntime } from '../runtime.js';
import { ProgressView } from '../progress.js';

/** `tracksync library scan | stats | dupes`: the index of every audio file under the library folders. */
export async function libraryCommand(
  action: 'scan' | 'stats' | 'dupes',
  values: { json?: boolean },
  io: CliIO,
): Promise<number> {
  const runtime = loadRuntime(io, { json: values.json === true });
  const store = Store.open(join(runtime.config.stateDir, 'tracksync.sqlite'));
  try {
    if (action === 'scan') {
      const controller = new AbortController();
      const stop = (): void => controller.abort();
      process.once('SIGINT', stop);
      // One live line on a terminal ("12,480 files seen, 310 read, ... current file"); a line per 25 files elsewhere.
      const view = new ProgressView(io, { noun: 'scan', off: values.json === true });
      view.start('scan', 'Library scan', 'Looking for audio files');
      try {
        const result = await scanLibrary({
          store,
          config: runtime.config,
          clock: systemClock,
          logger: runtime.logger,
          signal: controller.signal,
          onProgress: (p) =>
            view.update('scan', {
              label: `${p.seen} files seen, ${p.read} read (new or changed), ${p.failed} unreadable${p.current ? ` · ${basename(p.current)}` : ''}`,
            }),
        });
        view.finish('scan', result.failed > 0 ? 'wait' : 'ok', `${result.seen} files`);
        view.stop();
        if (values.json) {
          print(io.stdout, JSON.stringify(result, null, 2));
          return 0;
        }
        for (const skipped of result.skippedRoots) print(io.stdout, `skipped ${skipped.root}: ${skipped.reason}`);
        print(
          io.stdout,
          `scanned ${result.roots.join(', ') || '(no folder)'}: ${result.seen} files, ${result.read} read (new or changed), ${result.seen - result.read - result.failed} unchanged, ${result.failed} unreadable, ${result.gone} gone`,
        );
      } finally {
        view.stop();
        process.off('SIGINT', stop);
      }
      return 0;
    }
    if (action === 'stats') {
      const stats = store.library.libraryStats();
      if (values.json) {
        print(io.stdout, JSON.stringify(stats, null, 2));
        return 0;
      }
      print(
        io.stdout,
        table([
          ['format', 'files', 'size', 'fingerprinted', 'linked to a row', 'gone'],
          ...stats.map((s) => [
            s.format,
            String(s.files),
            bytes(s.bytes),
            String(s.fingerprinted),
            String(s.linked),
            String(s.gone),
          ]),
        ]),
      );
      return 0;
    }
    if (action === 'dupes') {
      const byFingerprint = libraryGroups(store, runtime.config);
      const byName = store.library.listNameGroups(100);
      if (values.json) {
        print(io.stdout, JSON.stringify({ byFingerprint, byName }, null, 2));
        return 0;
      }
      print(
        io.stdout,
        `Same recording (fingerprint similarity >= ${runtime.config.library.similarityThreshold}): ${byFingerprint.length} group(s)`,
      );
      for (const g of byFingerprint)
        print(
          io.stdout,
          `  ${g.score}  keep ${g.keeper.label}\n${g.others.map((o) => `        also ${o.label}`).join('\n')}`,
        );
      print(io.stdout, `Same normalised title and artist: ${byName.length} group(s)`);
      for (const g of byName) print(io.stdout, `  ${g.files} files: ${g.norm_artist} - ${g.norm_title}`);
      return 0;
    }
    return 2;
  } finally {
    store.close();
  }
}
