import { EventBus } from '../../src/events.js';
import { Metrics, STAGE_SECONDS_BUCKETS } from '../../src/server/metrics.js';

/** The lines of one metric family (its samples, without HELP and TYPE). */
const samples = (text: string, name: string): string[] =>
  text.split('\n').filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));

// /metrics is scraped by Prometheus: the text format (version 0.0.4) must parse, and the series the README documents
// must be there from the first scrape so dashboards and alerts do not see "no data" after a restart.
describe('the daemon metrics (src/server/metrics.ts)', () => {
  it('shows every documented counter at the first scrape, with HELP and TYPE, unlabelled ones at 0', () => {
    const text = new Metrics().render();
    expect(text.endsWith('\n')).toBe(true);
    for (const name of [
      'tracksync_cycles_total',
      'tracksync_notion_rate_limited_total',
      'tracksync_bytes_written_total',
    ]) {
      expect(text).toContain(`# HELP ${name} `);
      expect(text).toContain(`# TYPE ${name} counter\n${name} 0\n`);
    }
    for (const name of ['tracksync_items_finished_total', 'tracksync_webhook_deliveries_total']) {
      expect(text).toContain(`# TYPE ${name} counter`);
      // A labelled counter has no sample until its first count (as Prometheus client libraries do).
      expect(samples(text, name)).toEqual([]);
    }
    expect(text).toContain('# TYPE tracksync_stage_duration_seconds histogram');
  });

  it('counts the daemon events by their labels, sorted by label name, and stops counting once detached', () => {
    const events = new EventBus();
    const metrics = new Metrics();
    const detach = metrics.attach(events);
    const done = { itemId: 1, pageId: 'p', title: 't', handler: 'track', durationMs: 5 };
    events.emit('item:done', { ...done, source: 'tracks', outcome: 'synced' });
    events.emit('item:done', { ...done, source: 'tracks', outcome: 'synced' });
    events.emit('item:done', { ...done, source: 'tasks', outcome: 'completed' });
    events.emit('cycle:end', { runId: 1, polled: 0, claimed: 0, durationMs: 1, errors: 0 });
    events.emit('notion:request', { method: 'POST', endpoint: '/v1/pages', status: 429, durationMs: 1 });
    events.emit('files:written', { bytes: 1_000 });
    events.emit('files:written', { bytes: 500 });
    let text = metrics.render();
    expect(samples(text, 'tracksync_items_finished_total')).toEqual([
      'tracksync_items_finished_total{outcome="synced",source="tracks"} 2',
      'tracksync_items_finished_total{outcome="completed",source="tasks"} 1',
    ]);
    expect(samples(text, 'tracksync_cycles_total')).toEqual(['tracksync_cycles_total 1']);
    expect(samples(text, 'tracksync_notion_requests_total')).toEqual([
      'tracksync_notion_requests_total{method="POST",status="429"} 1',
    ]);
    expect(samples(text, 'tracksync_bytes_written_total')).toEqual(['tracksync_bytes_written_total 1500']);
    detach();
    events.emit('cycle:end', { runId: 2, polled: 0, claimed: 0, durationMs: 1, errors: 0 });
    text = metrics.render();
    expect(samples(text, 'tracksync_cycles_total')).toEqual(['tracksync_cycles_total 1']);
  });

  it('escapes backslashes, quotes and newlines in label values, so an odd error code cannot break the scrape', () => {
    const metrics = new Metrics();
    metrics.inc('tracksync_cycle_errors_total', 'x', { code: 'a"b\\c\nd' });
    expect(samples(metrics.render(), 'tracksync_cycle_errors_total')).toEqual([
      'tracksync_cycle_errors_total{code="a\\"b\\\\c\\nd"} 1',
    ]);
  });

  it('puts stage durations into cumulative buckets with +Inf, sum and count; skipped stages are not counted', () => {
    const events = new EventBus();
    const metrics = new Metrics();
    metrics.attach(events);
    events.emit('stage:end', { itemId: 1, stage: 'download', durationMs: 200, skipped: false });
    events.emit('stage:end', { itemId: 1, stage: 'download', durationMs: 3_000, skipped: false });
    // A stage restored from a checkpoint took no time now: counting it would pull the averages down.
    events.emit('stage:end', { itemId: 2, stage: 'download', durationMs: 0, skipped: true });
    const lines = samples(metrics.render(), 'tracksync_stage_duration_seconds_bucket');
    const bucket = (le: string): string | undefined => lines.find((l) => l.includes(`le="${le}"`))?.split(' ')[1];
    expect(lines).toHaveLength(STAGE_SECONDS_BUCKETS.length + 1);
    expect([bucket('0.1'), bucket('0.25'), bucket('2.5'), bucket('5'), bucket('1200'), bucket('+Inf')]).toEqual([
      '0',
      '1',
      '1',
      '2',
      '2',
      '2',
    ]);
    const text = metrics.render();
    expect(text).toContain('tracksync_stage_duration_seconds_sum{stage="download"} 3.2\n');
    expect(text).toContain('tracksync_stage_duration_seconds_count{stage="download"} 2\n');
  });

  it('reads gauges at each scrape, one HELP and TYPE per name whatever the number of label sets', () => {
    const metrics = new Metrics();
    let queued = 3;
    metrics.gauge(() => [
      { name: 'tracksync_items', help: 'Items by state.', labels: { state: 'queued' }, value: queued },
      { name: 'tracksync_items', help: 'Items by state.', labels: { state: 'failed' }, value: 1 },
    ]);
    expect(metrics.render()).toContain(
      '# HELP tracksync_items Items by state.\n# TYPE tracksync_items gauge\n' +
        'tracksync_items{state="queued"} 3\ntracksync_items{state="failed"} 1\n',
    );
    queued = 0;
    expect(metrics.render()).toContain('tracksync_items{state="queued"} 0\n');
  });
});
