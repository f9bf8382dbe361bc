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

/** A plain-text table: columns padded to their widest cell. */
export function table(rows: ReadonlyArray<ReadonlyArray<string>>): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, [...cell].length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat(widths[i]! - [...cell].length))).join('  ')).join('\n');
}
