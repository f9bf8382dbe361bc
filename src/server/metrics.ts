import type { EventBus } from '../events.js';

/**
 * The daemon's counters and histograms, fed by the event bus and rendered in the Prometheus text format (version
 * 0.0.4). Our own ~100 lines rather than prom-client: we need four metric shapes, no default process metrics, and no
 * global registry that two daemons in one test process would share.
 */

type Labels = Readonly<Record<string, string>>;

/**
 * Stage durations in seconds: tagging and Notion writes take milliseconds, analysis a few seconds, a download or a
 * three-format conversion of a long mix minutes (docs/decisions.md, "Conversion: one ffmpeg run, three outputs"), so
 * the buckets span 50 ms to 20 min.
 */
export const STAGE_SECONDS_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200] as const;

interface Histogram {
  readonly counts: number[];
  sum: number;
  count: number;
}

function key(labels: Labels): string {
  return Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}="${v.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n')}"`)
    .join(',');
}

/**
 * Every counter the README documents (its "Status page, health and metrics" section), declared up front so a scrape
 * right after the start already shows each series: the unlabelled ones at 0, the labelled ones with their HELP and
 * TYPE lines (a label set appears with its first count, as Prometheus client libraries do).
 */
const COUNTERS: ReadonlyArray<readonly [name: string, help: string, labelled: boolean]> = [
  ['tracksync_cycles_total', 'Polling cycles finished.', false],
  ['tracksync_cycle_errors_total', 'Sources whose polling failed in a cycle, by error code.', true],
  ['tracksync_items_finished_total', 'Items finished, by source and outcome.', true],
  ['tracksync_items_failed_total', 'Items given up on, by error code.', true],
  ['tracksync_item_retries_total', 'Items scheduled for another attempt, by error kind.', true],
  ['tracksync_notion_requests_total', 'Notion API requests, by method and HTTP status.', true],
  ['tracksync_notion_rate_limited_total', 'Notion answers with 429 Too Many Requests.', false],
  ['tracksync_bytes_written_total', 'Bytes of audio files placed in the library.', false],
  ['tracksync_webhook_deliveries_total', 'Webhook deliveries received, by result.', true],
];

export class Metrics {
  readonly #counters = new Map<string, { help: string; values: Map<string, number> }>(
    COUNTERS.map(([name, help, labelled]) => [name, { help, values: new Map(labelled ? [] : [['', 0]]) }]),
  );
  readonly #histograms = new Map<string, Histogram>();
  readonly #gauges: Array<() => Array<{ name: string; help: string; labels: Labels; value: number }>> = [];

  inc(name: string, help: string, labels: Labels = {}, by = 1): void {
    let counter = this.#counters.get(name);
    if (!counter) this.#counters.set(name, (counter = { help, values: new Map() }));
    const k = key(labels);
    counter.values.set(k, (counter.values.get(k) ?? 0) + by);
  }

  observeStage(stage: string, seconds: number): void {
    const k = key({ stage });
    let histogram = this.#histograms.get(k);
    if (!histogram)
      this.#histograms.set(k, (histogram = { counts: STAGE_SECONDS_BUCKETS.map(() => 0), sum: 0, count: 0 }));
    STAGE_SECONDS_BUCKETS.forEach((bound, i) => {
      if (seconds <= bound) histogram.counts[i]! += 1;
    });
    histogram.sum += seconds;
    histogram.count += 1;
  }

  /** Gauges are read when scraped (queue sizes come from SQLite, so they are right after a restart too). */
  gauge(read: () => Array<{ name: string; help: string; labels: Labels; value: number }>): void {
    this.#gauges.push(read);
  }

  /** Subscribes to the daemon's events; returns the unsubscribe function. */
  attach(events: EventBus): () => void {
    const offs = [
      events.on('cycle:end', () => this.inc('tracksync_cycles_total', 'Polling cycles finished.')),
      events.on('cycle:error', (e) =>
        this.inc('tracksync_cycle_errors_total', 'Sources whose polling failed in a cycle, by error code.', {
          code: e.code,
        }),
      ),
      events.on('item:done', (e) =>
        this.inc('tracksync_items_finished_total', 'Items finished, by source and outcome.', {
          source: e.source,
          outcome: e.outcome,
        }),
      ),
      events.on('item:failed', (e) =>
        this.inc('tracksync_items_failed_total', 'Items given up on, by error code.', { code: e.code }),
      ),
      events.on('item:retry', (e) =>
        this.inc('tracksync_item_retries_total', 'Items scheduled for another attempt, by error kind.', {
          kind: e.kind,
        }),
      ),
      events.on('stage:end', (e) => {
        if (!e.skipped) this.observeStage(e.stage, e.durationMs / 1000);
      }),
      events.on('notion:request', (e) =>
        this.inc('tracksync_notion_requests_total', 'Notion API requests, by method and HTTP status.', {
          method: e.method,
          status: String(e.status),
        }),
      ),
      events.on('notion:rate_limited', () =>
        this.inc('tracksync_notion_rate_limited_total', 'Notion answers with 429 Too Many Requests.'),
      ),
      events.on('files:written', (e) =>
        this.inc('tracksync_bytes_written_total', 'Bytes of audio files placed in the library.', {}, e.bytes),
      ),
    ];
    return () => offs.forEach((off) => off());
  }

  render(): string {
    const lines: string[] = [];
    for (const [name, counter] of [...this.#counters].sort(([a], [b]) => a.localeCompare(b))) {
      lines.push(`# HELP ${name} ${counter.help}`, `# TYPE ${name} counter`);
      for (const [labels, value] of counter.values) lines.push(`${name}${labels ? `{${labels}}` : ''} ${value}`);
    }
    const name = 'tracksync_stage_duration_seconds';
    lines.push(
      `# HELP ${name} Time spent in each pipeline stage (stages skipped from a checkpoint are not counted).`,
      `# TYPE ${name} histogram`,
    );
    for (const [labels, h] of this.#histograms) {
      STAGE_SECONDS_BUCKETS.forEach((bound, i) => lines.push(`${name}_bucket{${labels},le="${bound}"} ${h.counts[i]}`));
      lines.push(
        `${name}_bucket{${labels},le="+Inf"} ${h.count}`,
        `${name}_sum{${labels}} ${h.sum}`,
        `${name}_count{${labels}} ${h.count}`,
      );
    }
    const seen = new Set<string>();
    for (const read of this.#gauges) {
      for (const g of read()) {
        if (!seen.has(g.name)) lines.push(`# HELP ${g.name} ${g.help}`, `# TYPE ${g.name} gauge`);
        seen.add(g.name);
        const labels = key(g.labels);
        lines.push(`${g.name}${labels ? `{${labels}}` : ''} ${g.value}`);
      }
    }
    return `${lines.join('\n')}\n`;
  }
}
