import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Launchctl, parsePrint } from '../../src/launchd/launchctl.js';
import { TrackSyncError } from '../../src/errors.js';
import { standIn } from '../helpers/standins.js';
import { tempDir } from '../helpers/tmp.js';

// `tracksync launchd status` must tell "not loaded" from "launchctl failed", and read pid, runs and last exit code
// from `launchctl print`. The stand-in (test/fixtures/bin/launchctl) answers with the real tool's exit codes and
// output format; the whole install flow through the CLI is in test/cli/commands/launchd.test.ts.
describe('Launchctl (src/launchd/launchctl.ts)', () => {
  const root = tempDir();
  const tool = standIn('launchctl', join(root, 'bin'));
  const launchctl = new Launchctl({ uid: 501, bin: tool.bin });
  const label = 'com.example.tracksync';

  it('reads state, pid, runs and the last exit code from `launchctl print`, leaving out what it cannot read', () => {
    const text = [
      'gui/501/com.example.tracksync = {',
      '\tactive count = 1',
      '\tstate = running',
      '\truns = 3',
      '\tpid = 40123',
      '\tlast exit code = 0',
      '\tendpoints = {',
      '\t\tstate = nested, not ours',
      '\t}',
      '}',
    ].join('\n');
    expect(parsePrint(text)).toEqual({ loaded: true, state: 'running', runs: 3, pid: 40123, lastExitCode: 0 });
    expect(parsePrint('gui/501/x = {\n\tstate = waiting\n\tlast exit code = (never exited)\n}')).toEqual({
      loaded: true,
      state: 'waiting',
    });
  });

  it('reports an agent that is not loaded as such, and a loaded one with its pid', async () => {
    expect(await launchctl.print(label)).toEqual({ loaded: false });
    const plist = join(root, `${label}.plist`);
    writeFileSync(plist, `<plist><dict><key>Label</key>\n<string>${label}</string></dict></plist>`);
    await launchctl.bootstrap(plist);
    const state = await launchctl.print(label);
    expect(state).toMatchObject({ loaded: true, state: 'running', runs: 1 });
    expect(state.pid).toBeGreaterThan(0);
    expect(tool.calls().at(-1)).toEqual(['print', `gui/501/${label}`]);
    expect(await launchctl.bootout(label)).toBe(true);
    expect(await launchctl.bootout(label)).toBe(false); // not loaded any more: not an error
  });

  it('names the command, the exit code and launchctl’s words when it fails', async () => {
    const error = await launchctl.kickstart('com.example.missing').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrackSyncError);
    expect(error).toMatchObject({ code: 'LAUNCHD_FAILED' });
    expect((error as Error).message).toContain('cannot restart the LaunchAgent: launchctl kickstart -k');
    expect((error as Error).message).toContain('exited with 113');
    expect((error as Error).message).toContain('Could not find service');
  });

  it('says LaunchAgents are macOS only when there is no launchctl, and checks PATH before installing', async () => {
    const missing = new Launchctl({ uid: 501, bin: join(root, 'nowhere', 'launchctl') });
    expect(missing.available()).toBe(false);
    await expect(missing.print(label)).rejects.toMatchObject({ code: 'TOOL_MISSING' });
    expect(new Launchctl({ uid: 501 }).available(tool.dir)).toBe(true);
    expect(new Launchctl({ uid: 501 }).available(join(root, 'empty'))).toBe(false);
    expect(launchctl.target(label)).toBe(`gui/501/${label}`);
  });
});
