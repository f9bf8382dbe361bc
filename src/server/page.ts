import { createHash } from 'node:crypto';
import type { SchemaMappingRow } from '../doctor/checks.js';
import type { StatusSnapshot } from '../engine/status.js';
import { ago, bytes, span } from '../human.js';
import type { DownloadProgress } from '../media/ytdlp.js';
import { stepOfStage } from '../pipeline/steps.js';
import type { LibraryShape, RecentTrack } from '../status/views.js';
import { bpmHistogram, camelotWheel, esc } from './page-views.js';

export { span };

/**
 * The status page at GET /: one server-rendered HTML document (no script, no external asset, one inline style allowed
 * by its hash in the Content-Security-Policy header), refreshed every few seconds by the browser. Every value from
 * Notion or SQLite is HTML-escaped: titles are user text.
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
  /** The latest synced tracks (status/views.ts). */
  readonly recent: readonly RecentTrack[];
  readonly library: LibraryShape;
  /** Where each in-flight item stands, as its handler last reported (item:progress). */
  readonly live: ReadonlyMap<number, LiveStep>;
  /** CRITICAL conditions open (a Notion token refused, a full disk, ...): their message. */
  readonly incidents: readonly string[];
  /** Output folders on a volume that is not mounted. */
  readonly missingVolumes: readonly string[];
}

export interface LiveStep {
  readonly label: string;
  readonly step: number;
  readonly steps: number;
  readonly title?: string;
  readonly download?: DownloadProgress;
}

export interface Health {
  readonly status: 'ok' | 'starting' | 'stale' | 'notion-down';
  readonly detail: string;
  readonly lastSuccessfulCycleAgeSeconds: number | null;
}

/** What the badge says: down (the daemon cannot do its job), degraded (it works, something needs a look), ok. */
export interface Badge {
  readonly level: 'ok' | 'degraded' | 'down';
  readonly reasons: readonly string[];
}

export function badge(model: Pick<PageModel, 'health' | 'snapshot' | 'incidents' | 'missingVolumes'>): Badge {
  const { health, snapshot } = model;
  if (health.status === 'notion-down' || health.status === 'stale') return { level: 'down', reasons: [health.detail] };
  const reasons = [
    ...model.incidents.map((m) => `CRITICAL: ${m}`),
    ...model.missingVolumes.map((v) => `the volume ${v} is not mounted`),
    ...(snapshot.failed.length > 0
      ? [`${snapshot.failed.length} item${snapshot.failed.length === 1 ? '' : 's'} failed`]
      : []),
    ...(snapshot.retrying.length > 0 ? [`${snapshot.retrying.length} waiting to retry`] : []),
  ];
  const degraded = model.incidents.length > 0 || model.missingVolumes.length > 0 || snapshot.failed.length > 0;
  return degraded ? { level: 'degraded', reasons } : { level: 'ok', reasons: [health.detail, ...reasons] };
}

const STATES = ['queued', 'claimed', 'running', 'retry_wait', 'failed', 'done'] as const;

function table(
  caption: string,
  headers: readonly string[],
  rows: ReadonlyArray<ReadonlyArray<string>>,
  empty: string,
): string {
  if (rows.length === 0) return `<p class="empty">${esc(empty)}</p>`;
  const head = headers.map((h) => `<th scope="col">${esc(h)}</th>`).join('');
  return `<table><caption class="sr">${esc(caption)}</caption><thead><tr>${head}</tr></thead><tbody>${rows.map((r) => `<tr>${r.join('')}</tr>`).join('')}</tbody></table>`;
}

const td = (value: unknown, cls = ''): string => `<td${cls ? ` class="${cls}"` : ''}>${esc(value)}</td>`;

/** An item's error for a person: the message without its code ("SOURCE_NOT_FOUND: ..."). */
const cause = (error: string | null): string => (error ?? '').replace(/^[A-Z][A-Z_]+: /, '');

/**
 * The page's one style sheet. Colours meet WCAG AA contrast (4.5:1 for text) in both schemes; test/server checks the
 * ratios from these variables.
 */
export const STYLE = `
  :root { color-scheme: light dark; --fg: #1d1d1f; --bg: #fbfbfd; --muted: #5f5f64; --line: #d2d2d7; --ok: #1a7f37;
    --warn: #9a4d00; --bad: #b3131f; --bar: #3b6fd6; --on-badge: #ffffff; }
  @media (prefers-color-scheme: dark) { :root { --fg: #f5f5f7; --bg: #1c1c1e; --muted: #a8a8ad; --line: #3a3a3c;
    --ok: #3fb950; --warn: #e3a03b; --bad: #ff7b72; --bar: #6e9cf5; --on-badge: #111114; } }
  body { font: 14px/1.45 -apple-system, BlinkMacSystemFont, "Helvetica Neue", "DejaVu Sans", sans-serif; color: var(--fg);
    background: var(--bg); margin: 0 auto; max-width: 1100px; padding: 24px; }
  h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 28px 0 8px; } h3 { font-size: 14px; margin: 0 0 6px; }
  .meta, .empty, td.muted { color: var(--muted); }
  .badge { display: inline-block; padding: 2px 10px; border-radius: 999px; color: var(--on-badge); font-weight: 600;
    font-size: 13px; vertical-align: middle; }
  .badge.ok { background: var(--ok); } .badge.degraded { background: var(--warn); } .badge.down { background: var(--bad); }
  .reasons { margin: 6px 0 0; padding-left: 18px; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: 5px 10px 5px 0; border-bottom: 1px solid var(--line); vertical-align: top; }
  th { font-weight: 600; color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .03em; }
  td.num { font-variant-numeric: tabular-nums; } td.reason { color: var(--bad); } td.stage { font-weight: 600; }
  td.files { font-size: 12px; color: var(--muted); word-break: break-all; }
  .views { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; } .views figure { margin: 0; }
  figcaption { color: var(--muted); font-size: 12px; margin-top: 4px; }
  svg text { fill: var(--fg); font-size: 11px; } svg .count { font-weight: 600; }
  svg .bar { fill: var(--bar); } svg .axis { stroke: var(--line); }
  progress { width: 120px; vertical-align: middle; }
  details { margin-top: 28px; } summary { font-weight: 600; font-size: 16px; cursor: pointer; }
  .sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  footer { margin-top: 32px; color: var(--muted); font-size: 12px; } a { color: inherit; }
`;

/**
 * The Content-Security-Policy of the page: nothing may load (no script, image, font or frame), the one inline style is
 * allowed by its SHA-256 (CSP Level 3, https://www.w3.org/TR/CSP3/#grammardef-hash-source). The SVG views are inline
 * markup with presentation attributes, which no directive governs.
 */
export const PAGE_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

function downloadWords(d: DownloadProgress): string {
  const parts = [`${Math.floor(d.percent)} %`];
  if (d.bytesPerSecond) parts.push(`${bytes(d.bytesPerSecond)}/s`);
  if (d.etaSeconds !== null && d.percent < 100) parts.push(`about ${span(d.etaSeconds * 1000)} left`);
  return parts.join(' · ');
}

export function renderPage(model: PageModel): string {
  const { snapshot, now } = model;
  const when = (t: number | null): string => (t ? ago(t, now) : '-');
  const state = badge(model);
  const queueRows = ['tracks', 'tasks'].map((source) => [
    td(source),
    ...STATES.map((s) => td(snapshot.queue[source]?.[s] ?? 0, 'num')),
  ]);
  const inFlight = snapshot.inFlight.map((i) => {
    const live = model.live.get(i.id);
    const step = live ?? stepOfStage(i.stage);
    const doing = step
      ? `${step.label} (step ${step.step} of ${step.steps})`
      : i.source === 'tasks'
        ? 'working on the task'
        : 'starting';
    const download = live?.download
      ? `<progress max="100" value="${Math.floor(live.download.percent)}" aria-label="download">${Math.floor(live.download.percent)} %</progress> ${esc(downloadWords(live.download))}`
      : '';
    return [
      td(live?.title ?? i.title),
      `<td class="stage">${esc(doing)}</td>`,
      `<td>${download}</td>`,
      td(i.startedAt ? span(now - i.startedAt) : '-'),
      td(i.attempts, 'num'),
    ];
  });
  const retrying = snapshot.retrying.map((i) => [
    td(i.title),
    td(cause(i.error), 'reason'),
    td(i.nextAttemptAt ? (i.nextAttemptAt > now ? `in ${span(i.nextAttemptAt - now)}` : 'due now') : '-'),
    td(i.attempts, 'num'),
  ]);
  const failed = snapshot.failed.map((i) => [
    td(i.title),
    td(cause(i.error), 'reason'),
    td(when(i.finishedAt)),
    td(i.attempts, 'num'),
  ]);
  const recent = model.recent.map((t) => [
    `<td><a href="${esc(t.pageUrl)}">${esc(t.title)}</a>${t.artist ? `<br><span class="meta">${esc(t.artist)}</span>` : ''}</td>`,
    td(t.bpm === null ? '' : Math.round(t.bpm * 10) / 10, 'num'),
    td(t.key),
    td(t.camelot),
    td(t.source),
    td(when(t.finishedAt)),
    `<td class="files">${t.files.map((f) => esc(f)).join('<br>')}</td>`,
  ]);
  const runs = snapshot.runs.map((r) => [
    td(`#${r.id}`),
    td(when(r.startedAt)),
    td(r.trigger),
    td(r.polled, 'num'),
    td(r.claimed, 'num'),
    td(r.notionRequests, 'num'),
    td(r.durationMs === null ? 'running' : span(r.durationMs)),
    td(r.error ?? '', 'reason'),
  ]);
  const mapping = model.mapping.map((m) => [
    td(m.database),
    td(m.field),
    td(m.property ?? '-'),
    td(m.type ?? '-'),
    td(m.note, m.note.startsWith('skipped') ? 'muted' : ''),
  ]);
  const formats = model.library.formats.map((f) => [td(f.format), td(f.files, 'num'), td(bytes(f.bytes), 'num')]);
  const badgeWords = { ok: 'OK', degraded: 'degraded', down: 'down' }[state.level];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="${model.refreshSeconds}">
<title>tracksync: ${esc(badgeWords)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
  <h1>tracksync <span class="badge ${state.level}" id="health" role="status">${esc(badgeWords)}</span></h1>
  ${state.reasons.length > 0 ? `<ul class="reasons" id="reasons">${state.reasons.map((r) => `<li>${esc(r)}</li>`).join('')}</ul>` : ''}
  <div class="meta">${esc(model.host)} · pid ${model.pid} · up ${esc(span(now - model.startedAt))} · daemon ${esc(model.daemonId)}${model.notionDownSince ? ` · <strong>Notion failing for ${esc(span(now - model.notionDownSince))}</strong>` : ''}</div>
</header>
<main>
<section id="in-flight"><h2>In flight (${inFlight.length})</h2>${table('Items being processed', ['title', 'step', 'download', 'running for', 'attempt'], inFlight, 'Nothing is being processed.')}</section>
<section id="recent"><h2>Recently synced</h2>${table('Recently synced tracks', ['track', 'BPM', 'key', 'Camelot', 'source', 'when', 'files'], recent, 'No track synced yet.')}</section>
<section id="retrying"><h2>Waiting to retry (${retrying.length})</h2>${table('Items waiting to retry', ['title', 'cause', 'next attempt', 'attempts'], retrying, 'Nothing is waiting.')}</section>
<section id="failed"><h2>Failed (${failed.length})</h2>${table('Failed items', ['title', 'cause', 'when', 'attempts'], failed, 'No failures. "tracksync retry <page>" queues a failed row again.')}</section>
<section id="library"><h2>Library (${model.library.files} files)</h2>
<div class="views">
<figure>${camelotWheel(model.library.camelot)}<figcaption>Tracks per key on the Camelot wheel</figcaption></figure>
<figure>${bpmHistogram(model.library.bpm)}<figcaption>Tracks per tempo (5 BPM bands)</figcaption></figure>
<div><h3>Formats</h3>${table('Files and sizes by format', ['format', 'files', 'size'], formats, 'No file indexed yet: tracksync library scan.')}</div>
</div></section>
<section id="queue"><h2>Queue</h2>${table('Items by state', ['source', ...STATES.map((s) => (s === 'retry_wait' ? 'waiting' : s))], queueRows, '')}</section>
<section id="runs"><h2>Recent cycles</h2>${table('Recent polling cycles', ['cycle', 'started', 'trigger', 'polled', 'claimed', 'Notion requests', 'took', 'errors'], runs, 'No cycle yet.')}</section>
<details id="mapping"><summary>Schema mapping</summary>${table('Semantic fields and the Notion properties they use', ['database', 'field', 'property', 'type', 'note'], mapping, 'The schemas have not been read.')}</details>
</main>
<footer>Refreshes every ${model.refreshSeconds} s · <a href="/metrics">/metrics</a> · <a href="/healthz">/healthz</a> · <a href="/api/status">/api/status</a></footer>
</body>
</html>
`;
}
