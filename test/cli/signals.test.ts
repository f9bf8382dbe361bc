import { execa } from 'execa';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../../src/paths.js';
import { waitFor } from '../helpers/cli.js';

/**
 * A real process with onStopSignal registered (the built module, as the CLI loads it): the first SIGINT or SIGTERM
 * starts the stop, and a repeated signal while it runs (launchd sends SIGTERM, an impatient user presses Ctrl-C twice)
 * must not kill the process half-way through its shutdown; once unregistered, a signal stops the process as usual.
 */
describe('stop signals (src/cli/signals.ts)', () => {
  const module = pathToFileURL(join(packageRoot(), 'dist', 'src', 'cli', 'signals.js')).href;
  // The stand-in for a command: it reports the signal its stop began with, and finishes the stop when told on stdin.
  const program = `
    const { onStopSignal } = await import(${JSON.stringify(module)});
    const off = onStopSignal((signal) => console.log('stopping ' + signal));
    process.stdin.on('data', (data) => {
      if (String(data).includes('finish')) { off(); console.log('done'); process.exit(0); }
      if (String(data).includes('unregister')) { off(); console.log('unregistered'); }
    });
    console.log('ready');`;
  const start = () => {
    const child = execa(process.execPath, ['--input-type=module', '-e', program], { reject: false });
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    return { child, out: () => out };
  };

  it('stops once on the first signal and survives the repeats until its stop is done', async () => {
    const { child, out } = start();
    await waitFor(() => out().includes('ready'), 'the child to register');
    child.kill('SIGINT');
    await waitFor(() => out().includes('stopping'), 'the stop to begin');
    // A signal is delivered before the process reads what is written to it afterwards: these reach it before "finish".
    child.kill('SIGTERM');
    child.kill('SIGINT');
    child.stdin!.write('finish\n');
    const result = await child;
    expect(result.signal).toBeUndefined();
    expect(result.exitCode).toBe(0);
    expect(out().match(/stopping \w+/g)).toEqual(['stopping SIGINT']);
    expect(out()).toContain('done');
  }, 30_000);

  it('names SIGTERM to the handler, and lets a signal end the process after it unregistered', async () => {
    const { child, out } = start();
    await waitFor(() => out().includes('ready'), 'the child to register');
    child.kill('SIGTERM');
    await waitFor(() => out().includes('stopping'), 'the stop to begin');
    expect(out()).toContain('stopping SIGTERM');
    child.stdin!.write('unregister\n');
    await waitFor(() => out().includes('unregistered'), 'the listeners to go');
    child.kill('SIGTERM');
    const result = await child;
    expect(result.signal).toBe('SIGTERM');
  }, 30_000);
});
