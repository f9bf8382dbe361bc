import { join } from 'node:path';
import { Store } from '../../state/store.js';
import { tempDir } from '../helpers/tmp.js';

// CRITICAL incidents (state/incidents.ts), one row per kind, as src/handoff/critical.ts opens, repeats and clears
// them: one Agent-Task per open incident, a line added at most every critical.repeatLineMs.

const dir = tempDir();
let files = 0;
let store: Store;
beforeEach(() => (store = Store.open(join(dir, `incidents-${++files}.sqlite`))));
afterEach(() => store.close());

describe('incidents (Incidents)', () => {
  it('an open incident counts its occurrences and moves its last line only when a line was written', () => {
    // last_line_at paces the lines added to the task: a storm of the same error adds one line, not thousands.
    store.incidents.openIncident('volume-missing', null, 'the output volume is not mounted', 1_000);
    store.incidents.setIncidentTask('volume-missing', 'task-1', 1_100);
    store.incidents.seeIncident('volume-missing', 'still not mounted', false, 2_000);
    expect(store.incidents.getIncident('volume-missing')).toEqual({
      kind: 'volume-missing',
      task_page_id: 'task-1',
      message: 'still not mounted',
      opened_at: 1_000,
      last_seen_at: 2_000,
      last_line_at: 1_100,
      occurrences: 2,
      cleared_at: null,
    });
    store.incidents.seeIncident('volume-missing', 'not mounted again', true, 3_000);
    expect(store.incidents.getIncident('volume-missing')).toMatchObject({ occurrences: 3, last_line_at: 3_000 });
  });

  it('a cleared incident leaves the open list; clearing twice says it was not open', () => {
    // The status page and /healthz show open incidents only; the "cleared" line is written to the task once.
    store.incidents.openIncident('volume-missing', 'task-1', 'not mounted', 1_000);
    store.incidents.openIncident('notion-access', 'task-2', 'token refused', 1_500);
    expect(store.incidents.listOpenIncidents().map((i) => i.kind)).toEqual(['volume-missing', 'notion-access']);
    expect(store.incidents.clearIncident('volume-missing', 2_000)).toBe(true);
    expect(store.incidents.clearIncident('volume-missing', 3_000)).toBe(false);
    expect(store.incidents.clearIncident('never-opened', 3_000)).toBe(false);
    expect(store.incidents.getIncident('volume-missing')?.cleared_at).toBe(2_000);
    expect(store.incidents.listOpenIncidents().map((i) => i.kind)).toEqual(['notion-access']);
  });

  it('a kind that happens again after it cleared opens afresh: new task, count from one', () => {
    // A new episode is a new task for the person; the old task (closed or not) is not reused.
    store.incidents.openIncident('volume-missing', 'task-1', 'not mounted', 1_000);
    store.incidents.seeIncident('volume-missing', 'not mounted', true, 1_500);
    store.incidents.clearIncident('volume-missing', 2_000);
    store.incidents.openIncident('volume-missing', null, 'not mounted again', 5_000);
    expect(store.incidents.getIncident('volume-missing')).toEqual({
      kind: 'volume-missing',
      task_page_id: null,
      message: 'not mounted again',
      opened_at: 5_000,
      last_seen_at: 5_000,
      last_line_at: 5_000,
      occurrences: 1,
      cleared_at: null,
    });
  });
});
