import type { SchemaMappingRow } from '../doctor/checks.js';
import type { StatusSnapshot } from '../engine/status.js';

/**
 * The status page at GET /: one server-rendered HTML document (no script, no external asset), refreshed every few
 * seconds by the browser. Every value from Notion or SQLite is HTML-escaped: titles are user text.
 */

export interface PageModel {
  readonly now: number;
  readonly health: Health;
  readonly host: string;
  readonly daemonId: string;
  readonly pid: number;
  readonly startedAt: number;
  readonly snapshot: StatusSnapshot;
  readonly mapping: readonly SchemaMappingRow[];
  readonly notionDownSince: number | undefined;
  readonly refreshSeconds: number;
}

export interface Health {
  readonly status: 'ok' | 'starting' | 'stale' | 'notion-down';
  readonly detail: string;
  readonly lastSuccessfulCycleAgeSeconds: number | null;
}

const STATES = ['queued', 'claimed', 'running', 'retry_wait', 'failed', 'done'] as const;

function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** "3 s", "4 min", "2 h 5 min", "3 d": how long ago or how far ahead, for people. */
export function span(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 90) return `${s} s`;
  const min = Math.round(s / 60);
  if (min < 120) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h ${min % 60} min`;
  return `${Math.round(h / 24)} d`;
}

function table(headers: readonly string[], rows: ReadonlyArray<ReadonlyArray<string>>, empty: string): string {
  if (rows.length === 0) return `<p class="empty">${esc(empty)}</p>`;
  return `<table><thead><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.join('')}</tr>`).join('')}</tbody></table>`;
}

const td = (value: unknown, cls = ''): string => `<td${cls ? ` class="${cls}"` : ''}>${esc(value)}</td>`;

export function renderPage(model: PageModel): string {
  const { snapshot, now } = model;
  const ago = (t: number | null): string => (t ? `${span(now - t)} ago` : '-');
  const queueRows = Object.keys(snapshot.queue).length === 0 ? [] : ['tracks', 'tasks'].map((source) => [td(source), ...STATES.map((s) => td(snapshot.queue[source]?.[s] ?? 0, 'num'))]);
  const inFlight = snapshot.inFlight.map((i) => [
    td(i.title),
    td(i.source),
    td(i.stage ?? i.state, 'stage'),
    td(`${i.stagesDone ?? 0} stage${i.stagesDone === 1 ? '' : 's'} done`),
    td(i.startedAt ? span(now - i.startedAt) : '-'),
    td(i.attempts, 'num'),
  ]);
  const retrying = snapshot.retrying.map((i) => [td(i.title), td(i.error, 'reason'), td(i.nextAttemptAt ? (i.nextAttemptAt > now ? `in ${span(i.nextAttemptAt - now)}` : 'due now') : '-'), td(i.attempts, 'num')]);
  const failed = snapshot.failed.map((i) => [td(i.title), td(i.error, 'reason'), td(ago(i.finishedAt)), td(i.attempts, 'num')]);
  const runs = snapshot.runs.map((r) => [td(`#${r.id}`), td(ago(r.startedAt)), td(r.trigger), td(r.polled, 'num'), td(r.claimed, 'num'), td(r.notionRequests, 'num'), td(r.durationMs === null ? 'running' : `${r.durationMs} ms`), td(r.error ?? '', 'reason')]);
  const mapping = model.mapping.map((m) => [td(m.database), td(m.field), td(m.property ?? '-'), td(m.type ?? '-'), td(m.note, m.note.startsWith('skipped') ? 'muted' : '')]);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="${model.refreshSeconds}">
<title>tracksync: ${esc(model.health.status)}</title>
<style>
  :root { color-scheme: light dark; --fg: #1d1d1f; --bg: #fbfbfd; --muted: #6e6e73; --line: #d2d2d7; --ok: #1a7f37; --warn: #b35900; --bad: #c9182b; }
  @media (prefers-color-scheme: dark) { :root { --fg: #f5f5f7; --bg: #1c1c1e; --muted: #a1a1a6; --line: #3a3a3c; } }
  body { font: 14px/1.45 -apple-system, BlinkMacSystemFont, "Helvetica Neue", "DejaVu Sans", sans-serif; color: var(--fg); background: var(--bg); margin: 0 auto; max-width: 1100px; padding: 24px; }
  h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 28px 0 8px; }
  .meta { color: var(--muted); }
  .badge { display: inline-block; padding: 2px 10px; border-radius: 999px; color: #fff; font-weight: 600; font-size: 13px; vertical-align: middle; }
  .ok, .starting { background: var(--ok); } .stale { background: var(--warn); } .notion-down { background: var(--bad); }
  table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: 5px 10px 5px 0; border-bottom: 1px solid var(--line); vertical-align: top; }
  th { font-weight: 600; color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .03em; }
  td.num { font-variant-numeric: tabular-nums; } td.reason { color: var(--bad); } td.stage { font-weight: 600; } td.muted, .empty { color: var(--muted); }
  footer { margin-top: 32px; color: var(--muted); font-size: 12px; } a { color: inherit; }
</style>
</head>
<body>
<header>
  <h1>tracksync <span class="badge ${esc(model.health.status)}" id="health">${esc(model.health.status)}</span></h1>
  <div class="meta">${esc(model.health.detail)} · ${esc(model.host)} · pid ${model.pid} · up ${esc(span(now - model.startedAt))} · daemon ${esc(model.daemonId)}${model.notionDownSince ? ` · <strong>Notion failing for ${esc(span(now - model.notionDownSince))}</strong>` : ''}</div>
</header>
<section id="queue"><h2>Queue</h2>${table(['source', ...STATES.map((s) => s.replace('_', ' '))], queueRows, 'Nothing seen yet: the first cycle has not finished.')}</section>
<section id="in-flight"><h2>In flight (${inFlight.length})</h2>${table(['title', 'source', 'stage', 'progress', 'running for', 'attempt'], inFlight, 'Nothing is being processed.')}</section>
<section id="retrying"><h2>Waiting to retry (${retrying.length})</h2>${table(['title', 'reason', 'next attempt', 'attempts'], retrying, 'Nothing is waiting.')}</section>
<section id="failed"><h2>Failed (${failed.length})</h2>${table(['title', 'reason', 'when', 'attempts'], failed, 'No failures. "tracksync retry <page>" queues a failed row again.')}</section>
<section id="runs"><h2>Recent cycles</h2>${table(['cycle', 'started', 'trigger', 'polled', 'claimed', 'Notion requests', 'took', 'errors'], runs, 'No cycle yet.')}</section>
<section id="mapping"><h2>Schema mapping</h2>${table(['database', 'field', 'property', 'type', 'note'], mapping, 'The schemas have not been read.')}</section>
<footer>Refreshes every ${model.refreshSeconds} s · <a href="/metrics">/metrics</a> · <a href="/healthz">/healthz</a> · <a href="/api/status">/api/status</a></footer>
</body>
</html>
`;
}
