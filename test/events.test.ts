import { Writable } from 'node:stream';
import { EventBus } from '../src/events.js';
import { createLogger } from '../src/log.js';

// Metrics, notifications and the status page listen on the bus; a bug in one of them must never break the job that
// emitted the event, nor keep the other listeners from hearing it. The warning goes to the real logger.
describe('EventBus (src/events.ts)', () => {
  function capturedLogger(): { logger: ReturnType<typeof createLogger>; lines: () => Array<Record<string, unknown>> } {
    const chunks: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk.toString('utf8'));
        done();
      },
    });
    const logger = createLogger({ level: 'info', destination });
    return {
      logger,
      lines: () =>
        chunks
          .join('')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Record<string, unknown>),
    };
  }

  it('delivers each event to every listener with its payload', () => {
    const bus = new EventBus();
    const heard: string[] = [];
    bus.on('poll:wake', (p) => heard.push(`a:${p.source}:${p.reason}`));
    bus.on('poll:wake', (p) => heard.push(`b:${p.source}`));
    bus.on('daemon:shutdown', (p) => heard.push(`shutdown:${p.reason}`));
    bus.emit('poll:wake', { source: 'tracks', reason: 'webhook' });
    expect(heard).toEqual(['a:tracks:webhook', 'b:tracks']);
  });

  it('a listener that throws is logged with the event name, and the emitter and the other listeners go on', () => {
    const { logger, lines } = capturedLogger();
    const bus = new EventBus(logger);
    const heard: number[] = [];
    bus.on('files:written', () => {
      throw new Error('metrics bug');
    });
    bus.on('files:written', (p) => heard.push(p.bytes));
    expect(() => bus.emit('files:written', { bytes: 1_024 })).not.toThrow();
    expect(heard).toEqual([1_024]);
    const warning = lines().find((l) => l.msg === 'an event listener threw; the job goes on');
    expect(warning).toMatchObject({ level: 40, event: 'files:written', err: { message: 'metrics bug' } });
  });

  it('the function on() returns stops that listener only', () => {
    const bus = new EventBus();
    const heard: string[] = [];
    const off = bus.on('notion:recovered', () => heard.push('first'));
    bus.on('notion:recovered', () => heard.push('second'));
    off();
    bus.emit('notion:recovered', { downMs: 60_000 });
    expect(heard).toEqual(['second']);
  });
});
