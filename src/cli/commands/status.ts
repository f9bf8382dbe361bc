import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Store } from '../../../state/store.js';
import { DEFAULTS } from '../../config/defaults.js';
import { stateDirFrom } from '../../config/load.js';
import { STATUS_LOGIN_KEY, STATUS_URL_KEY, hashLoginCode } from '../../server/http.js';
import { statusSnapshot } from '../../engine/status.js';
import { print, table, type CliIO } from '../io.js';

const time = (ms: number | null): string => (ms ? new Date(ms).toISOString().slice(0, 19).replace('T', ' ') : '-');

/** `tracksync status [--json]`: reads the daemon's SQLite state (works while the daemon runs; needs no Notion access). */
export async function statusCommand(args: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean', default: false } } });
  const stateDir = stateDirFrom(io.env, io.cwd);
  const store = Store.open(join(stateDir, 'tracksync.sqlite'));
  try {
    const snapshot = statusSnapshot(store);
    if (values.json) {
      print(io.stdout, JSON.stringify({ stateDir, ...snapshot }, null, 2));
      return 0;
    }
    print(io.stdout, `tracksync status (state directory ${stateDir})`);
    const page = statusPageLink(store, Date.now());
    if (page) print(io.stdout, `Status page: ${page}`);
    print(io.stdout);
    print(io.stdout, 'Queue:');
    const states = ['queued', 'claimed', 'running', 'retry_wait', 'failed', 'done'] as const;
    const rows: string[][] = [['source', ...states]];
    for (const source of ['tracks', 'tasks']) rows.push([source, ...states.map((s) => String(snapshot.queue[source]?.[s] ?? 0))]);
    print(io.stdout, indent(table(rows)));
    print(io.stdout);
    print(io.stdout, `In flight (${snapshot.inFlight.length}):`);
    for (const item of snapshot.inFlight) print(io.stdout, `  #${item.id} ${item.source} "${item.title}" ${item.stage ?? item.state} since ${time(item.startedAt)} (attempt ${item.attempts})`);
    print(io.stdout);
    print(io.stdout, `Waiting to retry (${snapshot.retrying.length}):`);
    for (const item of snapshot.retrying) print(io.stdout, `  #${item.id} "${item.title}" ${item.error} next attempt ${time(item.nextAttemptAt)} (attempt ${item.attempts})`);
    print(io.stdout);
    print(io.stdout, `Failed (${snapshot.failed.length}):`);
    for (const item of snapshot.failed) print(io.stdout, `  #${item.id} "${item.title}" ${item.error} at ${time(item.finishedAt)}`);
    print(io.stdout);
    print(io.stdout, 'Recent cycles:');
    const runs = [['#', 'started', 'trigger', 'polled', 'claimed', 'notion requests', 'duration', 'errors']];
    for (const r of snapshot.runs) runs.push([String(r.id), time(r.startedAt), r.trigger, String(r.polled), String(r.claimed), String(r.notionRequests), r.durationMs === null ? 'running' : `${r.durationMs} ms`, r.error ?? '']);
    print(io.stdout, indent(table(runs)));
    return 0;
  } finally {
    store.close();
  }
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
  store.addLoginCode(hashLoginCode(code), now + DEFAULTS.http.loginLinkTtlMs, now);
  return `${url}/login?code=${code} (a one-time login link, valid for ${Math.round(DEFAULTS.http.loginLinkTtlMs / 60_000)} minutes)`;
}

function indent(text: string): string {
  return text.split('\n').map((l) => `  ${l}`).join('\n');
}
