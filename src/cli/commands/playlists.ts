import { join } from 'node:path';
import { Store } from '../../../state/store.js';
import { systemClock } from '../../clock.js';
import { exportPlaylists, type ExportReport, type PlaylistReport } from '../../playlists/export.js';
import { print, table, type CliIO } from '../io.js';
import { loadRuntime } from '../runtime.js';
import { onStopSignal } from '../signals.js';
import { openNotion } from '../target.js';
import { ProgressView } from '../progress.js';

/**
 * `tracksync playlists export [name...]`: exports the Notion playlists now (all, or those named) as M3U8 files,
 * rekordbox.xml and Apple Music playlists, with a progress line; only those that changed unless --force. Exit 0 done,
 * 3 when a target failed for some playlist (listed; the files are written), 2 for bad input.
 * `tracksync playlists list`: each playlist, its tracks, what is missing and where it was exported; writes nothing.
 */
export async function playlistsCommand(
  action: 'export' | 'list',
  positionals: string[],
  values: { force?: boolean; json?: boolean },
  io: CliIO,
): Promise<number> {
  const runtime = loadRuntime(io, { json: values.json === true });
  const store = Store.open(join(runtime.config.stateDir, 'tracksync.sqlite'));
  const controller = new AbortController();
  const dispose = onStopSignal(() => controller.abort());
  try {
    const { notion, schemas } = await openNotion(runtime, store);
    const progress = action === 'export' && !values.json;
    // One live line on a terminal, a line per playlist elsewhere.
    const view = new ProgressView(io, { noun: 'export', off: !progress });
    view.start('export', 'Exporting playlists', 'reading Music Playlists');
    const onProgress = (p: { done: number; total: number; playlist: string }): void =>
      view.update('export', { label: `${p.done} of ${p.total}: ${p.playlist}` });
    const report = await exportPlaylists(
      {
        notion,
        schemas,
        store,
        config: runtime.config,
        clock: systemClock,
        logger: runtime.logger,
        signal: controller.signal,
        ...(progress ? { onProgress } : {}),
      },
      action === 'export'
        ? { names: positionals, onlyChanged: values.force !== true }
        : { onlyChanged: true, dryRun: true },
    );
    view.finish('export', report.errors.length > 0 ? 'fail' : 'ok', `${report.playlists.length} playlist(s)`);
    view.stop();
    if (values.json) {
      print(io.stdout, JSON.stringify(report, null, 2));
    } else if (action === 'export') {
      printExport(io, report);
    } else {
      printList(io, report);
    }
    return action === 'export' && report.errors.length > 0 ? 3 : 0;
  } finally {
    dispose();
    store.close();
  }
}

function leftOutCell(p: PlaylistReport): string {
  if (p.leftOut.length === 0) return '-';
  const notSynced = p.leftOut.filter((l) => l.reason === 'not synced yet').length;
  const other = p.leftOut.length - notSynced;
  return [notSynced > 0 ? `${notSynced} not synced yet` : '', other > 0 ? `${other} file missing` : '']
    .filter(Boolean)
    .join(', ');
}

function printExport(io: CliIO, report: ExportReport): void {
  const rows = report.playlists.map((p) => [
    p.label,
    String(p.tracks),
    String(p.exported),
    leftOutCell(p),
    p.exportedNow ? 'exported' : 'unchanged',
    p.filePath ?? '-',
  ]);
  print(io.stdout, table([['playlist', 'tracks', 'exported', 'left out', '', 'file'], ...rows]));
  const rb = report.rekordbox;
  if (rb)
    print(
      io.stdout,
      `rekordbox xml: ${rb.path} (${rb.tracks} tracks, ${rb.playlists} playlists${rb.written ? '' : ', unchanged'})`,
    );
  for (const r of report.removed)
    print(
      io.stdout,
      `removed "${r.name}" (no longer in Music Playlists)${r.fileRemoved ? `: deleted ${r.filePath}` : ''}`,
    );
  printDetails(io, report);
  const exported = report.playlists.filter((p) => p.exportedNow).length;
  const { listing, relations, writes } = report.notionRequests;
  const took = `${(report.durationMs / 1000).toFixed(1)} s`;
  print(
    io.stdout,
    `${exported} of ${report.playlists.length} playlist(s) exported to ${report.exportDir} in ${took}; Notion requests: ${listing} listing, ${relations} relation, ${writes} write-back.`,
  );
  for (const e of report.errors)
    print(io.stderr, `failed${e.playlist ? ` for "${e.playlist}"` : ''}: ${e.message} [${e.code}]`);
}

function printList(io: CliIO, report: ExportReport): void {
  const when = (ms: number | null): string =>
    ms === null ? 'never' : new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
  const rows = report.playlists.map((p) => {
    const state = p.changed ? 'changed since' : 'up to date';
    return [
      p.label,
      String(p.tracks),
      String(p.exported),
      leftOutCell(p),
      p.filePath ?? '-',
      when(p.exportedAt),
      state,
    ];
  });
  print(io.stdout, table([['playlist', 'tracks', 'exportable', 'left out', 'file', 'last export (UTC)', ''], ...rows]));
  printDetails(io, report);
  if (report.rekordbox) print(io.stdout, `rekordbox xml: ${report.rekordbox.path}`);
  for (const r of report.removed)
    print(io.stdout, `"${r.name}" is no longer in Music Playlists: its file goes at the next export`);
}

/** The tracks left out, by playlist: what a DJ needs to sync before the set. */
function printDetails(io: CliIO, report: ExportReport): void {
  for (const p of report.playlists) {
    if (p.naming) print(io.stdout, `"${p.name}": ${p.naming}`);
    if (p.leftOut.length === 0) continue;
    print(io.stdout, `"${p.label}" leaves out:`);
    for (const l of p.leftOut) print(io.stdout, `  ${l.title} (${l.reason}${l.detail ? `: ${l.detail}` : ''})`);
  }
}
