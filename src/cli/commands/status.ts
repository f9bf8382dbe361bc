import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Store } from '../../../state/store.js';
import { CONSTANTS } from '../../config/constants.js';
import { stateDirFrom } from '../../config/load.js';
import { STATUS_LOGIN_KEY, STATUS_URL_KEY, hashLoginCode } from '../../server/http.js';
import { ago, inTime, localTime, span } from '../../human.js';
import { stepOfStage } from '../../pipeline/steps.js';
import { daemonProcess, latestFailureDetail, recentTracks } from '../../status/views.js';
import { colorsFor, print, table, type CliIO } from '../io.js';
import { readableTitle } from '../progress.js';
import { statusSnapshot } from '../../engine/status.js';

/**
 * `tracksync status [--json]`: reads the daemon's SQLite state (works while the daemon runs; needs no Notion access):
 * whether a daemon holds the state directory (pid, since when), the queue, what is in flight (step k of n), waiting
 * rows with their cause and next attempt in human time, failures, the latest synced tracks and the recent cycles. -v
 * adds the raw tool output kept with each failure (a traceback, yt-dlp's own words), which Notion never gets.
 */
export async function statusCommand(_args: string[], values: { json?: boolean }, io: CliIO): Promise<number> {
  const stateDir = stateDirFrom(io.env, io.cwd);
  const store = Store.open(join(stateDir, 'tracksync.sqlite'));
  try {
    const snapshot = statusSnapshot(store);
    const daemon = daemonProcess(stateDir);
    const recent = recentTracks(store);
    if (values.json) {
      const details = io.verbose
        ? Object.fromEntries(
            [...snapshot.retrying, ...snapshot.failed].map((i) => [i.id, latestFailureDetail(store, i.id) ?? null]),
          )
        : undefined;
      print(
        io.stdout,
        JSON.stringify(
          { stateDir, daemon, ...snapshot, recent, ...(details ? { failureDetails: details } : {}) },
          null,
          2,
        ),
      );
      return 0;
    }
    const now = Date.now();
    const c = colorsFor(io);
    const when = (ms: number | null): string =>
      ms ? `${localTime(ms)} (${ms > now ? inTime(ms, now) : ago(ms, now)})` : '-';
    print(io.stdout, `tracksync status (state directory ${stateDir})`);
    print(
      io.stdout,
      daemon.running
        ? `Daemon: ${c.green('running')}, pid ${daemon.pid}, since ${when(daemon.since ?? null)}`
        : `Daemon: ${c.yellow('not running')} on this state directory (start it: tracksync run, or tracksync launchd install on a Mac)`,
    );
    const page = statusPageLink(store, now);
    if (page) print(io.stdout, `Status page: ${page}`);
    print(io.stdout);
    print(io.stdout, 'Queue:');
    const states = ['queued', 'claimed', 'running', 'retry_wait', 'failed', 'done'] as const;
    const words: Record<(typeof states)[number], string> = {
      queued: 'queued',
      claimed: 'claimed',
      running: 'running',
      retry_wait: 'waiting',
      failed: 'failed',
      done: 'done',
    };
    const rows: string[][] = [['', ...states.map((s) => words[s])]];
    for (const source of ['tracks', 'tasks'])
      rows.push([source, ...states.map((s) => String(snapshot.queue[source]?.[s] ?? 0))]);
    print(io.stdout, indent(table(rows)));
    print(io.stdout);
    print(io.stdout, `In flight (${snapshot.inFlight.length}):`);
    for (const item of snapshot.inFlight) {
      const step = stepOfStage(item.stage);
      const doing = step
        ? `${step.label}, step ${step.step} of ${step.steps}`
        : item.source === 'tasks'
          ? 'working on the task'
          : 'starting';
      print(
        io.stdout,
        `  "${readableTitle(item.title)}": ${doing}, for ${item.startedAt ? span(now - item.startedAt) : '-'} (attempt ${item.attempts})`,
      );
    }
    print(io.stdout);
    print(io.stdout, `Waiting to retry (${snapshot.retrying.length}):`);
    for (const item of snapshot.retrying) {
      print(io.stdout, `  "${readableTitle(item.title)}": ${cause(item.error)}`);
      print(
        io.stdout,
        `      next attempt ${item.nextAttemptAt ? `${inTime(item.nextAttemptAt, now)} (${localTime(item.nextAttemptAt)})` : 'when the daemon runs'}, attempt ${item.attempts} so far`,
      );
      if (io.verbose) printDetail(io, latestFailureDetail(store, item.id));
    }
    print(io.stdout);
    print(io.stdout, `Failed (${snapshot.failed.length}):`);
    for (const item of snapshot.failed) {
      print(
        io.stdout,
        `  "${readableTitle(item.title)}": ${c.red(cause(item.error))}, ${item.finishedAt ? ago(item.finishedAt, now) : ''}`,
      );
      if (io.verbose) printDetail(io, latestFailureDetail(store, item.id));
    }
    if (!io.verbose && (snapshot.retrying.length > 0 || snapshot.failed.length > 0))
      print(io.stdout, '  (tracksync status -v shows the raw tool output behind each failure)');
    print(io.stdout);
    print(io.stdout, `Latest synced (${recent.length}):`);
    if (recent.length > 0) {
      const synced = [
        ['track', 'BPM', 'key', 'Camelot', 'source', 'when', 'files'],
        ...recent.map((t) => [
          t.artist ? `${t.artist} - ${t.title}` : t.title,
          t.bpm === null ? '' : String(Math.round(t.bpm * 10) / 10),
          t.key,
          t.camelot,
          t.source,
          t.finishedAt ? ago(t.finishedAt, now) : '',
          String(t.files.length),
        ]),
      ];
      print(io.stdout, indent(table(synced)));
    }
    print(io.stdout);
    print(io.stdout, 'Recent cycles:');
    const runs = [['#', 'started', 'trigger', 'polled', 'claimed', 'Notion requests', 'took', 'error']];
    for (const r of snapshot.runs)
      runs.push([
        String(r.id),
        when(r.startedAt),
        r.trigger,
        String(r.polled),
        String(r.claimed),
        String(r.notionRequests),
        r.durationMs === null ? 'running' : span(r.durationMs),
        r.error ?? '',
      ]);
    print(io.stdout, indent(table(runs)));
    return 0;
  } finally {
    store.close();
  }
}

/** An item's error for a person: its message without the code in front ("SOURCE_NOT_FOUND: ..."). */
function cause(error: string | null): string {
  return (error ?? 'no reason recorded').replace(/^[A-Z][A-Z_]+: /, '');
}

function printDetail(io: CliIO, detail: string | undefined): void {
  if (!detail) return;
  print(io.stdout, '      raw output:');
  for (const line of detail.trimEnd().split('\n').slice(-12)) print(io.stdout, `        ${line}`);
}

/**
 * The daemon's status page, as the daemon last announced it. When it asks for a token, the link carries a one-time
 * code (kept hashed in SQLite, valid for 10 minutes) that logs the browser in with a cookie.
 */
export function statusPageLink(store: Store, now: number): string | undefined {
  const url = store.getMeta(STATUS_URL_KEY);
  if (!url) return undefined;
  if (store.getMeta(STATUS_LOGIN_KEY) !== '1') return url;
  const code = randomBytes(24).toString('base64url');
  store.server.addLoginCode(hashLoginCode(code), now + CONSTANTS.http.loginLinkTtlMs, now);
  return `${url}/login?code=${code} (a one-time login link, valid for ${Math.round(CONSTANTS.http.loginLinkTtlMs / 60_000)} minutes)`;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}
