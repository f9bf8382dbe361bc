import { platform } from 'node:os';
import { parseArgs } from 'node:util';
import { readDotEnv, stateDirFrom, maskSecret } from '../../config/load.js';
import { SECRET_NAMES, readKeychain, readSecretsFile, secretsFile, storeSecret, type SecretName } from '../../config/secrets.js';
import { print, table, type CliIO } from '../io.js';
import { usageError } from '../usage.js';

const USAGE = 'usage: tracksync secrets set NAME [--file] (the value is read from standard input) | tracksync secrets get NAME | tracksync secrets list';

/**
 * `tracksync secrets set NAME [--file]`: stores a secret in the Keychain (macOS) or the 0600 secrets file, so it never
 * sits in the LaunchAgent plist or the shell history. `tracksync secrets list`: where each one comes from, masked.
 * `tracksync secrets get NAME`: prints one (the webhook verification token must be pasted into Notion's settings).
 */
export async function secretsCommand(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { file: { type: 'boolean', default: false } } });
  const [action, name] = positionals;
  const os = io.platform ?? platform();
  const stateDir = stateDirFrom(io.env, io.cwd, os);
  if (action === 'list' && name === undefined) {
    const dotEnv = readDotEnv(io.cwd);
    const file = readSecretsFile(secretsFile(stateDir));
    const rows = [['name', 'from', 'value']];
    for (const secret of SECRET_NAMES) {
      const keychain = () => (os === 'darwin' ? readKeychain(secret) : undefined);
      const [from, value] = io.env[secret] ? ['environment', io.env[secret]] : dotEnv[secret] ? ['.env', dotEnv[secret]] : file[secret] ? [secretsFile(stateDir), file[secret]] : ((v) => (v ? ['Keychain', v] : ['-', undefined]))(keychain());
      rows.push([secret, from!, value ? maskSecret(value) : 'unset']);
    }
    print(io.stdout, table(rows));
    return 0;
  }
  if (action === 'get' && name !== undefined && positionals.length === 2) {
    // The one place a secret is printed in full, on explicit request: the webhook token must be pasted into Notion.
    if (!(SECRET_NAMES as readonly string[]).includes(name)) throw usageError(`"${name}" is not a secret tracksync reads; use one of ${SECRET_NAMES.join(', ')}`);
    const value = io.env[name] || readDotEnv(io.cwd)[name] || readSecretsFile(secretsFile(stateDir))[name] || (os === 'darwin' ? readKeychain(name) : undefined);
    if (!value) {
      print(io.stderr, `tracksync secrets: ${name} is not set anywhere (environment, .env, ${secretsFile(stateDir)}${os === 'darwin' ? ', Keychain' : ''})`);
      return 1;
    }
    print(io.stdout, value);
    return 0;
  }
  if (action !== 'set' || name === undefined || positionals.length !== 2) throw usageError(USAGE);
  if (!(SECRET_NAMES as readonly string[]).includes(name)) throw usageError(`"${name}" is not a secret tracksync reads; use one of ${SECRET_NAMES.join(', ')}`);
  if (!io.stdin) throw usageError('no standard input to read the value from');
  // The value as typed: only the line break that ends it is dropped; quotes, backslashes, "#" and "=" are kept.
  const value = (await readAll(io.stdin)).replace(/\r?\n$/, '');
  if (value.trim() === '') throw usageError(`no value for ${name} on standard input: run "printf %s "$VALUE" | tracksync secrets set ${name}" or type it and press Ctrl-D`);
  if (/[\r\n]/.test(value)) throw usageError(`the value for ${name} has more than one line; a secret is one line (paste the token alone, then press Enter and Ctrl-D)`);
  const where = storeSecret(stateDir, name as SecretName, value, { os, file: values.file });
  print(io.stdout, `${name} stored in ${where} (${maskSecret(value)}). The daemon reads it at its next start: tracksync launchd restart`);
  return 0;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
