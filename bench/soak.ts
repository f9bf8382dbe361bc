import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout } from 'node:timers/promises';
import { execa } from 'execa';
import type { Handler } from '../src/engine/contracts.js';
import { builtInHandlers } from '../handlers/index.js';
import { systemClock } from '../src/clock.js';
import { loadConfig } from '../src/config/load.js';
import { musicApp } from '../src/app/music.js';
import { Daemon } from '../src/engine/daemon.js';
import { Services } from '../src/engine/services.js';
import { silentLogger } from '../src/log.js';
import { packageRoot } from '../src/paths.js';
import { registerMediaServices } from '../src/services/media.js';
import { machine } from './report.js';

/**
 * `npm run soak`: 1,000 Music Tracks rows and 50 Agent-Tasks through the local Notion with the daemon's real polling,
 * claims, leases, write-back and SQLite, plus 20 rows through the real media pipeline (yt-dlp, ffmpeg, fpcalc on 6 s
 * generated clips). Measures throughput, Notion requests per item, peak memory, the SQLite size, and growth: the work
 * comes in two equal rounds, and the heap after a forced GC at the end of the second round is compared with the same
 * figure after the first (the first round also pays for code loading and warm caches, so it is the baseline). Writes
 * bench/SOAK.md. About two minutes.
 *
 * The local Notion and media server run in a child process (bench/soak-world.ts), so the memory measured here is the
 * daemon's. The 1,000 rows use a handler that writes a result without media work: 1,000 real conversions take ~20
 * minutes on two cores, and the media cost per track is measured on its own (the 20 real rows here, bench/RESULTS.md).
 */

const ROUNDS = 2;
const ROWS_PER_ROUND = 500;
const TASKS_PER_ROUND = 25;
const REAL_TRACKS_PER_ROUND = 10;
/** The issue asks for two minutes at most; past five something is stuck, and the error names the open items. */
const BUDGET_MS = 5 * 60 * 1000;

const soakTrack: Handler<'tracks'> = {
  name: 'soak-track',
  source: 'tracks',
  accepts: (input) => String(input.fields.title ?? '').startsWith('soak '),
  run: async (ctx) => {
    const result = await ctx.stage('measure', 'v1', async () => ({ bpm: 100 + (ctx.item.id % 60) }));
    return { outcome: 'synced', properties: { bpm: result.bpm, downloaded: true } };
  },
};

const soakTask: Handler<'tasks'> = {
  name: 'soak-task',
  source: 'tasks',
  accepts: (input) => String(input.fields.title ?? '').startsWith('Soak task'),
  run: async () => ({ outcome: 'completed', taskStatus: 'completed', summary: 'Soak task handled.' }),
};

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();
const heapAfterGc = (): number => (gc(), process.memoryUsage().heapUsed);
const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MB`;

interface World {
  readonly env: Record<string, string>;
  readonly search: { youtube: string; soundcloud: string };
  /** Adds the next round's rows to the local Notion. */
  seed(): Promise<void>;
  /** Requests the local Notion has answered so far. */
  notionRequests(): Promise<number>;
  stop(): Promise<void>;
}

/** Starts bench/soak-world.ts and waits for its ready line. */
async function startWorld(dir: string): Promise<World> {
  const args = [dir, ROWS_PER_ROUND, TASKS_PER_ROUND, REAL_TRACKS_PER_ROUND, ROUNDS].map(String);
  const child = execa(process.execPath, [join(packageRoot(), 'dist', 'bench', 'soak-world.js'), ...args], {
    stdin: 'pipe',
    stdout: 'pipe',
    stderr: 'inherit',
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<string> => {
    const line = await lines.next();
    if (line.done) throw new Error('the soak world (bench/soak-world.ts) exited early; its error is above');
    return line.value;
  };
  const ready = JSON.parse(await next()) as {
    env: Record<string, string>;
    search: { youtube: string; soundcloud: string };
  };
  return {
    ...ready,
    seed: async () => {
      child.stdin.write('seed\n');
      await next();
    },
    notionRequests: async () =>
      ((await (await fetch(`${ready.env.NOTION_API_BASE_URL}/__sandbox/requests`)).json()) as unknown[]).length,
    stop: async () => {
      child.kill('SIGTERM');
      await child.catch(() => undefined);
    },
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tracksync-soak-'));
  const world = await startWorld(dir);
  const configPath = join(dir, 'config.json');
  // The local Notion has no rate limit: the client limiter is raised so the daemon, not the limiter, is measured.
  // More slots and a shorter settle than the defaults, as a user with a big backlog would set them; a 2 s first retry
  // (default 30 s) so an item that meets a transient failure finishes inside the soak's two minutes and is counted.
  writeFileSync(
    configPath,
    JSON.stringify({
      notion: { requestsPerSecond: 50, burstPerSecond: 50 },
      concurrency: { maxItems: 8, claimBatchSize: 10 },
      claims: { settleMs: 200 },
      retry: { baseDelayMs: 2_000 },
      search: world.search,
      links: { enabled: false },
    }),
  );
  const config = loadConfig({
    env: {
      ...world.env,
      TRACKSYNC_STATE_DIR: join(dir, 'state'),
      TRACKSYNC_CONFIG: configPath,
      OUT_DIR: join(dir, 'out'),
      TRACKSYNC_HTTP_PORT: 'off',
    },
    cwd: dir,
  });
  const services = new Services();
  registerMediaServices(services, config, silentLogger(), systemClock);
  const daemon = await Daemon.start({
    app: musicApp,
    config,
    logger: silentLogger(),
    handlers: [soakTrack as Handler, soakTask as Handler, ...builtInHandlers()],
    services,
  });

  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  // Real-pipeline time is summed per round (first claim to last done), so the gap between rounds is not counted.
  let realDone = 0;
  let realMs = 0;
  let realStarted: number | undefined;
  let realEnded = 0;
  daemon.events.on('item:claimed', (e) => {
    if (e.handler === 'music-track') realStarted ??= performance.now();
  });
  daemon.events.on('item:done', (e) => {
    if (e.handler !== 'music-track') return;
    realDone += 1;
    realEnded = performance.now();
  });
  const retries: string[] = [];
  daemon.events.on('item:retry', (e) => retries.push(`${e.code} (${e.message.slice(0, 120)})`));
  const finished = (): number =>
    daemon.store.items
      .countItemsByState()
      .filter((r) => r.state === 'done' || r.state === 'failed')
      .reduce((n, r) => n + r.count, 0);

  const heaps = [heapAfterGc()];
  const perRound = ROWS_PER_ROUND + TASKS_PER_ROUND + REAL_TRACKS_PER_ROUND;
  const total = perRound * ROUNDS;
  let workMs = 0;
  let requests = 0;
  let cycles = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    await world.seed();
    const requestsBefore = await world.notionRequests();
    const started = performance.now();
    realStarted = undefined;
    while (finished() < perRound * round) {
      await daemon.runOnce();
      cycles += 1;
      if (finished() >= perRound * round) break;
      if (performance.now() - started > BUDGET_MS) {
        const open = (['queued', 'claimed', 'running', 'retry_wait'] as const).flatMap((state) =>
          daemon.store.items.listItemsInState(state, 10),
        );
        const described = open.map(
          (i) =>
            `${i.title} (${i.handler}, ${i.state}, attempts ${i.attempts}, ${i.last_error_code ?? 'no error'}: ${i.last_error_message ?? ''})`,
        );
        throw new Error(
          `soak round ${round} unfinished after ${BUDGET_MS / 1000} s: ${finished()} of ${perRound * round} items; open: ${described.join('; ')}`,
        );
      }
      await setTimeout(500); // an item in retry_wait: poll again shortly, as the daemon's cron would
    }
    workMs += performance.now() - started;
    requests += (await world.notionRequests()) - requestsBefore;
    if (realStarted !== undefined) realMs += realEnded - realStarted;
    heaps.push(heapAfterGc());
  }
  clearInterval(sampler);
  const failed = daemon.store.items
    .countItemsByState()
    .filter((r) => r.state === 'failed')
    .reduce((n, r) => n + r.count, 0);
  await daemon.stop('soak over');
  const dbBytes = statSync(join(dir, 'state', 'tracksync.sqlite')).size;
  await world.stop();

  const seconds = workMs / 1000;
  const [idle = 0, afterFirst = 0, afterLast = 0] = [heaps[0], heaps[1], heaps.at(-1)];
  const lines = [
    '# tracksync soak',
    '',
    `Regenerated by \`npm run soak\` on ${new Date().toISOString().slice(0, 10)}. Machine: ${await machine()}.`,
    '',
    `${(ROWS_PER_ROUND * ROUNDS).toLocaleString('en')} Music Tracks rows, ${TASKS_PER_ROUND * ROUNDS} Agent-Tasks and ${REAL_TRACKS_PER_ROUND * ROUNDS} rows through the real media pipeline, in ${ROUNDS} equal rounds, one daemon, ${config.concurrency.maxItems} slots, against the local Notion over HTTP.`,
    '',
    '| figure | value |',
    '|---|---|',
    `| items finished | ${total - failed} done, ${failed} failed, in ${seconds.toFixed(1)} s (${cycles} cycles) |`,
    `| transient failures retried | ${retries.length}${retries.length > 0 ? `: ${[...new Set(retries)].join('; ')}` : ''} |`,
    `| throughput, all items | ${((total / seconds) * 60).toFixed(0)} items per minute |`,
    `| throughput, real pipeline (download, analysis, three formats, tags, fingerprint) | ${realMs > 0 ? ((realDone / (realMs / 1000)) * 60).toFixed(1) : '-'} tracks per minute (${realDone} tracks of 6 s) |`,
    `| Notion requests per item | ${(requests / total).toFixed(2)} (${requests.toLocaleString('en')} in all) |`,
    `| memory: peak RSS of the daemon's process | ${mb(peak)} |`,
    `| memory: heap after GC, idle / after round 1 / after round ${ROUNDS} | ${mb(idle)} / ${mb(afterFirst)} / ${mb(afterLast)} (growth over the last ${ROUNDS - 1} round(s): ${(((afterLast - afterFirst) / afterFirst) * 100).toFixed(1)} %) |`,
    `| SQLite state after the run | ${mb(dbBytes)} |`,
    '',
    "The 1,000 rows use a handler without media work (real conversions are ~1 s of CPU per track; bench/RESULTS.md has the stage timings). Notion requests per item include the claim (write, settle, read back), the write-back and the polling. The local Notion and media server run in a separate process, so the memory figures are the daemon's own; round 1 pays for code loading and warm caches, so growth is measured from its end.",
  ];
  const text = lines.join('\n');
  writeFileSync(join(packageRoot(), 'bench', 'SOAK.md'), `${text}\n`);
  process.stdout.write(`${text}\n`);
}

await main();
