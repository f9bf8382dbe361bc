import { platform } from 'node:os';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { readDotEnv, stateDirFrom, maskSecret } from '../../config/load.js';
import {
  SECRET_NAMES,
  readKeychain,
  readSecretsFile,
  secretsFile,
  storeSecret,
  type SecretName,
} from '../../config/secrets.js';
import { isTerminal, print, table, type CliIO } from '../io.js';
import { usageError } from '../usage.js';

/**
 * `tracksync secrets set NAME [--file PATH] [--secrets-file]`: stores a secret in the Keychain (macOS) or the 0600
 * secrets file, so it never sits in the LaunchAgent plist or the shell history. On a terminal it asks for the value at
 * a prompt that does not echo; otherwise it reads standard input, or the file given. `tracksync secrets list`: where
 * each one comes from, masked. `tracksync secrets get NAME`: prints one (the webhook verification token must be pasted
 * into Notion's settings).
 */
export async function secretsCommand(
  action: 'set' | 'get' | 'list',
  positionals: string[],
  values: { file?: string; secretsFile?: boolean; json?: boolean },
  io: CliIO,
): Promise<number> {
  const [name] = positionals;
  const os = io.platform ?? platform();
  const stateDir = stateDirFrom(io.env, io.cwd, os);
  if (action === 'list') {
    const dotEnv = readDotEnv(io.cwd);
    const file = readSecretsFile(secretsFile(stateDir));
    const rows = [['name', 'from', 'value']];
    for (const secret of SECRET_NAMES) {
      const keychain = () => (os === 'darwin' ? readKeychain(secret) : undefined);
      const [from, value] = io.env[secret]
        ? ['environment', io.env[secret]]
        : dotEnv[secret]
          ? ['.env', dotEnv[secret]]
          : file[secret]
            ? [secretsFile(stateDir), file[secret]]
            : ((v) => (v ? ['Keychain', v] : ['-', undefined]))(keychain());
      rows.push([secret, from!, value ? maskSecret(value) : 'unset']);
    }
    if (values.json)
      print(
        io.stdout,
        JSON.stringify(
          rows.slice(1).map(([secret, from, value]) => ({ name: secret, from: from === '-' ? null : from, value })),
          null,
          2,
        ),
      );
    else print(io.stdout, table(rows));
    return 0;
  }
  if (action === 'get' && name !== undefined) {
    // The one place a secret is printed in full, on explicit request: the webhook token must be pasted into Notion.
    if (!(SECRET_NAMES as readonly string[]).includes(name))
      throw usageError(`"${name}" is not a secret tracksync reads; use one of ${SECRET_NAMES.join(', ')}`);
    const value =
      io.env[name] ||
      readDotEnv(io.cwd)[name] ||
      readSecretsFile(secretsFile(stateDir))[name] ||
      (os === 'darwin' ? readKeychain(name) : undefined);
    if (!value) {
      print(
        io.stderr,
        `tracksync secrets: ${name} is not set anywhere (environment, .env, ${secretsFile(stateDir)}${os === 'darwin' ? ', Keychain' : ''})`,
      );
      return 1;
    }
    print(io.stdout, value);
    return 0;
  }
  if (name === undefined) throw usageError('name the secret: tracksync secrets set NAME');
  if (!(SECRET_NAMES as readonly string[]).includes(name))
    throw usageError(`"${name}" is not a secret tracksync reads; use one of ${SECRET_NAMES.join(', ')}`);
  let value: string;
  if (values.file !== undefined) {
    const path = resolve(io.cwd, values.file);
    if (!existsSync(path)) throw usageError(`--file: no file at ${path}`);
    // The first line: a token saved by an editor ends with a line break, which is not part of it.
    value =
      readFileSync(path, 'utf8')
        .replace(/^\uFEFF/, '')
        .split(/\r?\n/)[0] ?? '';
    if (value.trim() === '') throw usageError(`--file: ${path} holds no value on its first line`);
  } else if (io.stdin && (io.stdin as { isTTY?: boolean }).isTTY && isTerminal(io.stderr)) {
    value = await hiddenPrompt(
      io.stdin as NodeJS.ReadStream,
      io.stderr,
      `${name} (typing is not shown; Enter when done): `,
    );
    if (value.trim() === '') throw usageError(`no value typed for ${name}; nothing was stored`);
  } else {
    if (!io.stdin) throw usageError('no standard input to read the value from');
    // The value as typed: only the line break that ends it is dropped; quotes, backslashes, "#" and "=" are kept.
    value = (await readAll(io.stdin)).replace(/\r?\n$/, '');
    if (value.trim() === '')
      throw usageError(
        `no value for ${name} on standard input: run "printf %s "$VALUE" | tracksync secrets set ${name}", use --file PATH, or run it in a terminal to be asked`,
      );
    if (/[\r\n]/.test(value))
      throw usageError(
        `the value for ${name} has more than one line; a secret is one line (paste the token alone, then press Enter and Ctrl-D)`,
      );
  }
  const where = storeSecret(stateDir, name as SecretName, value, { os, file: values.secretsFile === true });
  print(
    io.stdout,
    `${name} stored in ${where} (${maskSecret(value)}). The daemon reads it at its next start: tracksync launchd restart`,
  );
  return 0;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Reads one line from a terminal without echoing it: the terminal in raw mode, each key handled here (Backspace
 * deletes, Ctrl-C cancels, Enter ends), nothing written back but the prompt and the final line break.
 */
async function hiddenPrompt(input: NodeJS.ReadStream, output: NodeJS.WritableStream, prompt: string): Promise<string> {
  const wasRaw = input.isRaw;
  // Raw mode before the prompt: whatever is typed once the prompt shows is never echoed by the terminal.
  input.setRawMode(true);
  input.resume();
  output.write(prompt);
  try {
    return await new Promise<string>((resolveValue, reject) => {
      let value = '';
      const onData = (chunk: Buffer): void => {
        for (const char of chunk.toString('utf8')) {
          if (char === '\r' || char === '\n' || char === '\u0004') {
            input.off('data', onData);
            return resolveValue(value);
          }
          if (char === '\u0003') {
            input.off('data', onData);
            return reject(usageError('cancelled; nothing was stored'));
          }
          if (char === '\u007f' || char === '\b') value = [...value].slice(0, -1).join('');
          else if (char >= ' ') value += char;
        }
      };
      input.on('data', onData);
    });
  } finally {
    input.setRawMode(wasRaw);
    input.pause();
    output.write('\n');
  }
}
