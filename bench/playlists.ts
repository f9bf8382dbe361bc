import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { execa } from 'execa';
import { Store } from '../state/store.js';
import { systemClock, type Clock } from '../src/clock.js';
import { loadConfig } from '../src/config/load.js';
import { EventBus } from '../src/events.js';
import { silentLogger } from '../src/log.js';
import { NotionGateway } from '../src/notion/gateway.js';
import { readRelation } from '../src/notion/relations.js';
import { loadSchemas } from '../src/notion/schemas.js';
import { packageRoot } from '../src/paths.js';
import { exportPlaylists, type ExportReport } from '../src/playlists/export.js';
import { ratio, type BenchSection } from './report.js';

/**
 * Playlist export of a 2,000-track collection with 100 playlists (5 to 60 tracks each, a third of them past the 25 a
 * page object shows): real files (a short AIFF per track, so headers are really read), the real SQLite, and the local
 * Notion over real HTTP in its own process (bench/playlists-world.ts), as Notion is another machine. Measured in the
 * same run:
 * - the first export against a naive exporter (each playlist's row and relation, each track's page, then the same bytes
 *   written plainly), over the same gateway;
 * - a re-export with nothing changed, and one with 5 playlists changed, against the first export;
 * - Notion reads per changed playlist against the naive reader's, counted by the same gateway.
 * The time waiting for the local Notion's answers is reported apart: against the real Notion it is set by its rate
 * (2.5 requests a second), which the request counts give. The gateway's budget is raised far above that here, so the
 * figures are tracksync's work.
 */

const TRACKS = 2_000;
const PLAYLISTS = 100;
const CHANGED = 5;

interface World {
  readonly env: Record<string, string>;
  readonly playlistIds: readonly string[];
  change(n: number): Promise<void>;
  stop(): Promise<void>;
}

async function startWorld(dir: string): Promise<World> {
  const child = execa(
    process.execPath,
    [join(packageRoot(), 'dist', 'bench', 'playlists-world.js'), dir, String(TRACKS), String(PLAYLISTS)],
    { stdin: 'pipe', stdout: 'pipe', stderr: 'inherit' },
  );
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<string> => {
    const line = await lines.next();
    if (line.done) throw new Error('the playlist world (bench/playlists-world.ts) exited early; its error is above');
    return line.value;
  };
  const ready = JSON.parse(await next()) as { env: Record<string, string>; playlistIds: string[] };
  return {
    ...ready,
    change: async (n) => {
      child.stdin.write(`change ${n}\n`);
      await next();
    },
    stop: async () => {
      child.kill('SIGTERM');
      await child.catch(() => undefined);
    },
  };
}

export async function playlistBench(): Promise<BenchSection> {
  const dir = mkdtempSync(join(tmpdir(), 'tracksync-playlist-bench-'));
  const world = await startWorld(dir);
  try {
    const stateDir = join(dir, 'state');
    const config = loadConfig({
      env: { ...world.env, TRACKSYNC_STATE_DIR: stateDir, OUT_DIR: join(dir, 'out') },
      cwd: dir,
    });
    const store = Store.open(join(stateDir, 'tracksync.sqlite'));
    const events = new EventBus();
    // Time with at least one request in flight (requests overlap: the export keeps three in flight).
    let intervals: Array<[number, number]> = [];
    events.on('notion:request', (e) => intervals.push([performance.now() - e.durationMs, performance.now()]));
    const notionSeconds = (): number => {
      let covered = 0;
      let until = -Infinity;
      for (const [start, end] of intervals.sort((a, b) => a[0] - b[0])) {
        covered += Math.max(0, end - Math.max(start, until));
        until = Math.max(until, end);
      }
      intervals = [];
      return covered / 1000;
    };
    const notion = new NotionGateway({
      token: world.env.NOTION_TOKEN!,
      baseUrl: world.env.NOTION_API_BASE_URL!,
      clock: systemClock,
      logger: silentLogger(),
      events,
      requestsPerSecond: 10_000,
      burstPerSecond: 10_000,
    });
    const schemas = await loadSchemas({ notion, store, config, clock: systemClock, logger: silentLogger() });
    const deps = { notion, schemas, store, config, clock: systemClock, logger: silentLogger() };
    const timed = async (
      clock: Clock = systemClock,
    ): Promise<{ seconds: number; notionSeconds: number; report: ExportReport }> => {
      notionSeconds();
      const t = performance.now();
      const report = await exportPlaylists({ ...deps, clock }, { onlyChanged: true });
      return { seconds: (performance.now() - t) / 1000, notionSeconds: notionSeconds(), report };
    };
    const own = (run: { seconds: number; notionSeconds: number }): string =>
      `${(run.seconds - run.notionSeconds).toFixed(2)} s`;
    const waited = (run: { notionSeconds: number; report: ExportReport }): string => {
      const { listing, relations, writes } = run.report.notionRequests;
      return `${listing + relations + writes} Notion requests (${run.notionSeconds.toFixed(2)} s waiting for the local Notion)`;
    };

    const first = await timed();
    if (first.report.playlists.filter((p) => p.exportedNow).length !== PLAYLISTS)
      throw new Error('the first export did not export every playlist');

    // The naive exporter, over the same gateway.
    const outputs = [...first.report.playlists.map((p) => p.filePath!), first.report.rekordbox!.path];
    const contents = outputs.map((f) => readFileSync(f));
    const naiveDir = join(dir, 'naive');
    mkdirSync(naiveDir);
    const readNaively = async (playlists: readonly string[]): Promise<number> => {
      const before = notion.requestCount;
      const seen = new Set<string>();
      for (const id of playlists) {
        const page = await notion.retrievePage(id);
        for (const track of await readRelation(notion, page, schemas.playlists!.fields.tracks!)) {
          if (seen.has(track)) continue;
          seen.add(track);
          await notion.retrievePage(track);
        }
      }
      return notion.requestCount - before;
    };
    notionSeconds();
    const t0 = performance.now();
    const naiveRequests = await readNaively(world.playlistIds);
    contents.forEach((bytes, i) => writeFileSync(join(naiveDir, `${i}`), bytes));
    const naive = { seconds: (performance.now() - t0) / 1000, notionSeconds: notionSeconds() };

    // Right after an export, relations past 25 are read once more (the write-back moved their row's minute), and once
    // again by the first export two minutes later; from then on, nothing is read but the listings.
    const soon = await timed();
    const later: Clock = { now: () => Date.now() + 5 * 60_000, sleep: systemClock.sleep };
    await timed(later);
    const unchanged = await timed(later);
    if (unchanged.report.playlists.some((p) => p.exportedNow) || unchanged.report.notionRequests.relations !== 0)
      throw new Error('an unchanged export read or wrote a playlist');

    await world.change(CHANGED);
    const some = await timed(later);
    const exported = some.report.playlists.filter((p) => p.exportedNow).length;
    if (exported !== CHANGED) throw new Error(`${exported} playlists exported after ${CHANGED} changed`);
    const readsPerChanged = some.report.notionRequests.relations / CHANGED;
    const writesPerChanged = some.report.notionRequests.writes / CHANGED;
    const naiveReadsPerChanged = (await readNaively(world.playlistIds.slice(0, CHANGED))) / CHANGED;
    store.close();

    const listing = first.report.notionRequests.listing;
    return {
      title: 'Playlist export',
      command: 'npm run bench -- playlists (bench/playlists.ts)',
      rows: [
        {
          figure: `first export: ${TRACKS.toLocaleString('en')} tracks, ${PLAYLISTS} playlists (M3U8, rekordbox xml, write-back)`,
          ours: `${first.seconds.toFixed(2)} s`,
          baseline: `${naive.seconds.toFixed(2)} s (naive: ${naiveRequests.toLocaleString('en')} page and relation reads, then the same ${outputs.length} files)`,
          ratio: ratio(first.seconds, naive.seconds),
          note: `target: under 2 s. Own work ${own(first)} (${TRACKS.toLocaleString('en')} file headers read), ${waited(first)}`,
        },
        {
          figure: 're-export, nothing changed',
          ours: `${unchanged.seconds.toFixed(2)} s`,
          baseline: `${first.seconds.toFixed(2)} s (the first export)`,
          ratio: ratio(unchanged.seconds, first.seconds),
          note: `no file written. Own work ${own(unchanged)}, ${waited(unchanged)}; right after an export: ${soon.seconds.toFixed(2)} s, ${soon.report.notionRequests.relations} relation reads`,
        },
        {
          figure: `re-export, ${CHANGED} playlists changed`,
          ours: `${some.seconds.toFixed(2)} s`,
          baseline: `${first.seconds.toFixed(2)} s (the first export)`,
          ratio: ratio(some.seconds, first.seconds),
          note: `only the ${CHANGED} files, rekordbox.xml and ${CHANGED} rows written. Own work ${own(some)}, ${waited(some)}`,
        },
        {
          figure: 'Notion reads per changed playlist',
          ours: `${readsPerChanged.toFixed(1)}`,
          baseline: `${naiveReadsPerChanged.toFixed(1)} (its row and relation, then each track's page)`,
          ratio: ratio(Math.max(readsPerChanged, 0.1), naiveReadsPerChanged),
          note: `target: at most 1. Plus ${writesPerChanged.toFixed(1)} write-back, and ${listing} listing requests per export (${TRACKS.toLocaleString('en')} tracks and ${PLAYLISTS} playlists, 100 a request)`,
        },
      ],
      notes: [
        `Against the real Notion, requests are paced at 2.5 a second: the ${listing} listing requests of an export take about ${Math.round(listing / 2.5)} s, each changed playlist about ${((readsPerChanged + writesPerChanged) / 2.5).toFixed(1)} s more; the naive exporter's ${naiveRequests.toLocaleString('en')} requests would take about ${Math.round(naiveRequests / 2.5 / 60)} min.`,
        "A relation of up to 25 tracks comes with the playlist's row; a longer one costs one request per 100 tracks, and is reused while its row is unchanged (read again when the row may have changed within the minute Notion's last_edited_time shows).",
        'Relation reads and write-backs go three at a time (CONSTANTS.notion.requestsInFlight); "waiting" is the time with at least one request in flight, so own work plus waiting is the export\'s time.',
        "File headers are read once per file and kept in SQLite while the file's size and mtime stay the same: the first export pays for them, later ones do not.",
        `The machine's load average was ${loadavg()
          .map((l) => l.toFixed(1))
          .join(', ')} (1, 5, 15 min) on ${cpus().length} cores during this run: absolute times scale with it.`,
      ],
    };
  } finally {
    await world.stop();
  }
}
