import { EventBus } from '../../src/events.js';
import { TRACK_STEPS, reportStep, stepOfStage } from '../../src/pipeline/steps.js';

// The CLI, `tracksync status` and the status page show "Downloading, step 2 of 6", never an internal stage name.
describe('track steps', () => {
  it('names the step of each checkpointed stage, and nothing for a stage it does not know', () => {
    expect(stepOfStage('download')).toEqual({ label: 'Downloading', step: 2, steps: TRACK_STEPS.length });
    expect(stepOfStage('place')).toMatchObject({ label: 'Downloading' });
    expect(stepOfStage('write-back')).toEqual({ label: 'Writing to Notion', step: 6, steps: 6 });
    expect(stepOfStage('no-such-stage')).toBeUndefined();
    expect(stepOfStage(null)).toBeUndefined();
  });

  it('tells the views which step an item reached', () => {
    const events = new EventBus();
    const seen: unknown[] = [];
    events.on('item:progress', (e) => seen.push(e));
    reportStep(events, 7, 'Converting', { title: 'A - B' });
    reportStep(undefined, 8, 'Converting');
    expect(seen).toEqual([{ itemId: 7, step: 3, steps: 6, label: 'Converting', title: 'A - B' }]);
  });
});
