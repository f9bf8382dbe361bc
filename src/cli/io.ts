import { stripVTControlCharacters } from 'node:util';
import { createColors } from 'picocolors';

/** What a command may touch of the outside world: injected so tests run commands in-process. */
export interface CliIO {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: Record<string, string | undefined>;
  readonly cwd: string;
  /** Where `secrets set` reads a value (never from the command line, which other processes can see). */
  readonly stdin?: NodeJS.ReadableStream;
  /** The operating system (the Keychain is used on darwin only); tests on Linux set darwin. */
  readonly platform?: NodeJS.Platform;
  /** -q: results and errors only. */
  readonly quiet?: boolean;
  /** -v: log lines on standard error, raw tool output of failures. */
  readonly verbose?: boolean;
  /** --no-color; NO_COLOR in the environment does the same. */
  readonly color?: boolean;
}

export const processIO: CliIO = {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  stdin: process.stdin,
};

export function print(stream: NodeJS.WritableStream, text = ''): void {
  stream.write(`${text}\n`);
}

/** Whether a stream is a terminal a person looks at (progress is drawn live there; elsewhere it is plain lines). */
export function isTerminal(stream: NodeJS.WritableStream): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true;
}

/**
 * Colours for `stream`: on a terminal only, never with --no-color, NO_COLOR (https://no-color.org: any non-empty
 * value) or TERM=dumb.
 */
export function colorsFor(io: CliIO, stream: NodeJS.WritableStream = io.stdout): ReturnType<typeof createColors> {
  const enabled = io.color !== false && !io.env.NO_COLOR && io.env.TERM !== 'dumb' && isTerminal(stream);
  return createColors(enabled);
}

/** OK / WARN / FAIL, coloured on a terminal (green, yellow, red), padded to one width. */
export function mark(
  io: CliIO,
  status: 'ok' | 'warn' | 'fail' | 'skip',
  stream: NodeJS.WritableStream = io.stdout,
): string {
  const c = colorsFor(io, stream);
  if (status === 'ok') return c.green('OK  ');
  if (status === 'warn') return c.yellow('WARN');
  if (status === 'fail') return c.red(c.bold('FAIL'));
  return c.dim('-   ');
}

/** A note for a person (not a result): left out with -q. */
export function note(io: CliIO, text = '', stream: NodeJS.WritableStream = io.stderr): void {
  if (!io.quiet) print(stream, text);
}

/** A plain-text table: columns padded to their widest cell. */
export function table(rows: ReadonlyArray<ReadonlyArray<string>>): string {
  const widths: number[] = [];
  // Widths as seen on screen: colour codes (on a terminal) take no room.
  const width = (cell: string): number => [...stripVTControlCharacters(cell)].length;
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, width(cell))));
  return rows
    .map((row) =>
      row.map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat(widths[i]! - width(cell)))).join('  '),
    )
    .join('\n');
}
