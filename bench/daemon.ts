import { execa } from 'execa';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SETTINGS } from '../src/config/schema.js';
import { encodeWav, synthesize } from '../src/media/synth.js';
import { packageRoot } from '../src/paths.js';
import { startMediaServer } from '../src/sandbox/media-server.js';
import { startSandbox } from '../src/sandbox/server.js';
import { median, residentBytes, type BenchSection } from './report.js';

/**
 * The daemon as a process: start-up time (to the end of a first cycle) against a bare `node` start, resident memory
 * idle and busy against a bare Node process, and Notion requests per processed track (real pipeline) against the
 * legacy script's documented minimum. Measured on the real CLI.
 */

const TRACKS = 8;
const BIN = join(packageRoot(), 'bin', 'tracksync.js');

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MB`;

export async function daemonBench(): Promise<BenchSection> {
  const dir = mkdtempSync(join(tmpdir(), 'tracksync-daemon-bench-'));
  const sandbox = await startSandbox({ sampleRows: false });
  const media = await startMediaServer({ dir: join(dir, 'served') });
  const configPath = join(dir, 'config.json');
  writeFileSync(configPath, JSON.stringify({ search: media.search, links: { enabled: false } }));
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    ...sandbox.env(),
    TRACKSYNC_STATE_DIR: join(dir, 'state'),
    TRACKSYNC_CONFIG: configPath,
    OUT_DIR: join(dir, 'out'),
    TRACKSYNC_HTTP_PORT: '0',
    TRACKSYNC_LOG_LEVEL: 'info',
    TRACKSYNC_ALLOW_PRIVATE_HOSTS: media.hostPort,
  };
  try {
    // Start-up: `tracksync once` (lock, SQLite and migrations, schema discovery, one cycle, exit), first on an empty
    // state folder, then again on the state it left (data source ids and cursors known: fewer Notion requests).
    const firstStarts: number[] = [];
    const restarts: number[] = [];
    const bare: number[] = [];
    const requests = { first: 0, restart: 0 };
    const once = async (stateDir: string, kind: keyof typeof requests): Promise<number> => {
      const before = sandbox.requests().length;
      const t = performance.now();
      await execa(process.execPath, [BIN, 'once'], {
        env: { ...env, TRACKSYNC_STATE_DIR: stateDir },
        extendEnv: false,
      });
      const ms = performance.now() - t;
      requests[kind] = sandbox.requests().length - before;
      return ms;
    };
    for (let i = 0; i < 5; i++) {
      firstStarts.push(await once(join(dir, `state-start-${i}`), 'first'));
      restarts.push(await once(join(dir, `state-start-${i}`), 'restart'));
      const t = performance.now();
      await execa(process.execPath, ['-e', '0']);
      bare.push(performance.now() - t);
    }

    // Memory: the daemon idle after its first cycle, then busy with real tracks; a bare Node process for scale.
    const idleNode = execa(process.execPath, ['-e', 'setTimeout(() => {}, 3000)']);
    await sleep(1_500);
    const bareRss = residentBytes(idleNode.pid!);
    await idleNode;
    const daemon = execa(process.execPath, [BIN, 'run'], { env, extendEnv: false, reject: false });
    let log = '';
    daemon.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    while (!log.includes('"msg":"cycle done"')) {
      if (daemon.exitCode !== null)
        throw new Error(`tracksync run exited (${daemon.exitCode}) before its first cycle:\n${log.slice(-2000)}`);
      await sleep(50);
    }
    await sleep(1_000);
    const idleRss = residentBytes(daemon.pid!);
    const requestsBefore = sandbox.requests().length;
    for (let i = 0; i < TRACKS; i++) {
      const url = await media.addFile(
        `bench-${i}.wav`,
        encodeWav(synthesize({ tonic: i, mode: 'major', bpm: 110 + i, timbre: 'saw', seconds: 30 })),
      );
      sandbox.workspace.createPage({
        parent: { data_source_id: sandbox.ids.tracks.dataSourceId },
        properties: {
          Title: { title: [{ text: { content: `Bench ${i}` } }] },
          'Artist Name': { rich_text: [{ text: { content: 'Bench' } }] },
          'Source URL': { url },
        },
      });
    }
    let busyRss = 0;
    const done = (): number =>
      sandbox.workspace
        .allPages(sandbox.ids.tracks.dataSourceId)
        .filter((p) => (p.properties.Downloaded as { checkbox?: boolean }).checkbox === true).length;
    const until = Date.now() + 10 * 60 * 1000;
    while (done() < TRACKS && Date.now() < until) {
      busyRss = Math.max(busyRss, residentBytes(daemon.pid!));
      await sleep(100);
    }
    // The idle cycles while waiting (one query a minute) are counted too: they are part of what a track costs.
    const perTrack = (sandbox.requests().length - requestsBefore) / TRACKS;
    daemon.kill('SIGTERM');
    await daemon;
    const legacyMinimum = 6;
    return {
      title: 'The daemon as a process',
      command: 'npm run bench -- daemon (bench/daemon.ts)',
      rows: [
        {
          figure: 'start-up to the end of a first cycle (`tracksync once`, empty state folder, median of 5)',
          ours: `${median(firstStarts).toFixed(0)} ms`,
          baseline: `${median(bare).toFixed(0)} ms (\`node -e 0\`)`,
          ratio: `x${(median(firstStarts) / median(bare)).toFixed(1)} of bare Node`,
          note: `migrations, schema discovery and polls: ${requests.first} Notion requests under the default limit of ${DEFAULT_SETTINGS.notion.requestsPerSecond} per second`,
        },
        {
          figure: 'restart to the end of a first cycle (`tracksync once` on its earlier state, median of 5)',
          ours: `${median(restarts).toFixed(0)} ms`,
          baseline: `${median(bare).toFixed(0)} ms (\`node -e 0\`)`,
          ratio: `x${(median(restarts) / median(bare)).toFixed(1)} of bare Node`,
          note: `data source ids are remembered: ${requests.restart} Notion requests`,
        },
        {
          figure: 'resident memory, idle after the first cycle',
          ours: mb(idleRss),
          baseline: `${mb(bareRss)} (bare Node)`,
          ratio: `x${(idleRss / bareRss).toFixed(1)} of bare Node`,
        },
        {
          figure: `resident memory, busy (${TRACKS} tracks of 30 s, 2 at a time; ffmpeg and yt-dlp are separate processes)`,
          ours: mb(busyRss),
          baseline: mb(idleRss),
          ratio: `x${(busyRss / idleRss).toFixed(1)} of idle`,
        },
        {
          figure: 'Notion requests per processed track (real pipeline, default settings)',
          ours: perTrack.toFixed(1),
          baseline: `${legacyMinimum} (the legacy script's minimum, documented: a query, three writes, two block appends)`,
          ratio: `x${(legacyMinimum / perTrack).toFixed(1)}`,
          note: 'ours includes the claim (write, settle, read-back) and the lock release',
        },
      ],
      notes: ['Memory: the resident set size of the daemon process alone (/proc/<pid>/status on Linux).'],
    };
  } finally {
    await media.close();
    await sandbox.close();
  }
}
