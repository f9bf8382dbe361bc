import { runTool } from '../../src/media/process.js';
import { TrackSyncError } from '../../src/errors.js';

/** Runs `node -e script` through runTool (a real subprocess, an argument array). */
const node = (script: string, options: Partial<Parameters<typeof runTool>[2]> = {}) =>
  runTool(process.execPath, ['-e', script], { timeoutMs: 60_000, failureCode: 'CONVERSION_FAILED', ...options });

async function failure(promise: Promise<unknown>): Promise<TrackSyncError> {
  try {
    await promise;
  } catch (error) {
    return error as TrackSyncError;
  }
  throw new Error('expected a failure');
}

// Every subprocess goes through runTool: the reason it ended must be in the error, classified once.
describe('runTool', () => {
  it('returns the output, and streams lines as they come', async () => {
    const lines: string[] = [];
    const result = await node('console.log("a\\nb"); console.error("progress 50%\\rprogress 100%")', {
      onStdoutLine: (l) => lines.push(`out:${l}`),
      onStderrLine: (l) => lines.push(`err:${l}`),
    });
    expect(result).toMatchObject({ exitCode: 0, stdout: 'a\nb', stderr: 'progress 50%\rprogress 100%' });
    expect(lines).toEqual(expect.arrayContaining(['out:a', 'out:b', 'err:progress 50%', 'err:progress 100%']));
  });

  it('fails with the caller’s code, the exit code and stderr’s last lines, unless the code is allowed', async () => {
    const error = await failure(node('console.error("first\\nthe real reason"); process.exit(3)'));
    expect(error.code).toBe('CONVERSION_FAILED');
    expect(error.message).toMatch(/^node exited with code 3: /);
    expect(error.details).toMatchObject({ exitCode: 3, stderrTail: 'first\nthe real reason' });
    await expect(node('process.exit(3)', { okExitCodes: [3] })).resolves.toMatchObject({ exitCode: 3 });
  });

  it('names a missing tool and how to install it', async () => {
    const error = await failure(
      runTool('/nonexistent/fpcalc', ['x'], { timeoutMs: 10_000, failureCode: 'ANALYSIS_FAILED' }),
    );
    expect(error.code).toBe('TOOL_MISSING');
    expect(error.message).toContain('libchromaprint-tools');
    expect(error.message).toContain('/nonexistent/fpcalc');
  });

  it('refuses an argument with a control character before starting anything', async () => {
    const error = await failure(
      runTool('/nonexistent/ffmpeg', ['-i', 'a\u0000b'], { timeoutMs: 1, failureCode: 'CONVERSION_FAILED' }),
    );
    expect(error.code).toBe('INVALID_VALUE');
  });

  it('stops a process when the item is cancelled, and one that outlives its timeout', async () => {
    const controller = new AbortController();
    const cancelled = node('console.log("started"); setInterval(() => {}, 1000)', {
      signal: controller.signal,
      onStdoutLine: () => controller.abort(),
    });
    expect((await failure(cancelled)).code).toBe('ABORTED');
    // A process that never ends: the timeout is the only way it stops, whatever the machine's load.
    const hung = await failure(node('setInterval(() => {}, 1000)', { timeoutMs: 300 }));
    expect(hung).toMatchObject({ code: 'CONVERSION_FAILED', details: { timedOut: true } });
  });
});
