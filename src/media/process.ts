import { execa } from 'execa';
import { TrackSyncError, toolSummary, type ErrorCode } from '../errors.js';
import { hasControlCharacters } from '../text.js';

/**
 * Every subprocess tracksync starts goes through here: an argument array (never a shell string), a hard timeout, the
 * job's AbortSignal (execa kills the process, then SIGKILLs it 5 s later if it lingers), and a result that says why it
 * ended instead of leaving callers to guess from stderr (docs/decisions.md, "Errors are classified once").
 */

export interface ToolResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
}

export interface RunToolOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /**
   * Exit codes that are not failures (fpcalc exits 3 with a valid result at end of file: docs/decisions.md,
   * "Chromaprint fingerprints").
   */
  readonly okExitCodes?: readonly number[];
  /** The code for a failure of this tool (what the caller classifies it as when nothing more specific applies). */
  readonly failureCode: ErrorCode;
  /** Lines of stderr as they arrive (progress). */
  readonly onStderrLine?: (line: string) => void;
  /** Lines of stdout as they arrive (yt-dlp prints its progress there when --print makes it quiet). */
  readonly onStdoutLine?: (line: string) => void;
  readonly env?: Record<string, string>;
  readonly cwd?: string;
}

/** How to install each tool, for the message when it is missing. */
export const INSTALL_HINTS: Record<string, string> = {
  ffmpeg: 'install ffmpeg (macOS: brew install ffmpeg; Debian: apt-get install ffmpeg)',
  ffprobe: 'install ffmpeg, which includes ffprobe (macOS: brew install ffmpeg)',
  'yt-dlp': 'install a current yt-dlp (macOS: brew install yt-dlp)',
  fpcalc: 'install Chromaprint (macOS: brew install chromaprint; Debian: apt-get install libchromaprint-tools)',
};

export async function runTool(bin: string, args: readonly string[], options: RunToolOptions): Promise<ToolResult> {
  // Text is cleaned where it enters (text.ts); an argument that still holds a control character is a bug or an attack,
  // and no retry fixes it (a NUL would make spawn throw, which used to count as a transient failure).
  const bad = args.find((a) => hasControlCharacters(a));
  if (bad !== undefined)
    throw new TrackSyncError(
      'INVALID_VALUE',
      `refusing to run ${bin.split('/').pop()}: an argument holds a control character (${JSON.stringify(bad.slice(0, 80))})`,
    );
  const started = Date.now();
  const subprocess = execa(bin, args, {
    reject: false,
    timeout: options.timeoutMs,
    ...(options.signal ? { cancelSignal: options.signal } : {}),
    forceKillAfterDelay: 5_000,
    stripFinalNewline: true,
    maxBuffer: 64 * 1024 * 1024,
    stdin: 'ignore',
    ...(options.env ? { env: options.env } : {}),
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  const follow = (stream: NodeJS.ReadableStream | null, onLine: ((line: string) => void) | undefined): void => {
    if (!onLine || !stream) return;
    let pending = '';
    stream.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split(/\r?\n|\r/);
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) onLine(line);
    });
  };
  follow(subprocess.stderr, options.onStderrLine);
  follow(subprocess.stdout, options.onStdoutLine);
  const result = await subprocess;
  const durationMs = Date.now() - started;
  const name = bin.split('/').pop() ?? bin;
  if (result.isCanceled) {
    throw new TrackSyncError('ABORTED', `${name} was stopped (the item was cancelled)`, { cause: result });
  }
  if (result.timedOut) {
    throw new TrackSyncError(
      options.failureCode,
      `${name} did not finish within ${Math.round(options.timeoutMs / 1000)} s and was stopped`,
      { cause: result, details: { timedOut: true } },
    );
  }
  if (
    (result as { code?: string }).code === 'ENOENT' ||
    /ENOENT/.test(String((result as { originalMessage?: string }).originalMessage ?? ''))
  ) {
    throw new TrackSyncError(
      'TOOL_MISSING',
      `${name} is not installed or not on PATH (looked for "${bin}"): ${INSTALL_HINTS[name] ?? `install ${name}`}, or set media.tools in the config file`,
      { cause: result },
    );
  }
  const exitCode = result.exitCode ?? -1;
  const stdout = String(result.stdout ?? '');
  const stderr = String(result.stderr ?? '');
  if (exitCode !== 0 && !(options.okExitCodes ?? []).includes(exitCode)) {
    // The message gets one line a person can read (errors.ts toolSummary); the last lines go to the details, which
    // reach the log and SQLite (tracksync status --verbose), never Notion.
    const tail = stderr.split('\n').filter(Boolean).slice(-20).join('\n');
    throw new TrackSyncError(
      options.failureCode,
      `${name} exited with code ${exitCode}${result.signal ? ` (${result.signal})` : ''}: ${toolSummary(tail, name) || '(no error output)'}`,
      {
        cause: result,
        details: { exitCode, stderrTail: tail },
      },
    );
  }
  return { exitCode, stdout, stderr, durationMs };
}
