import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigError } from '../errors.js';
import { CONSTANTS } from './constants.js';
import { SECRET_NAMES, type SecretName } from './schema.js';

/**
 * Secrets never go into the LaunchAgent plist (it is readable by every process of the user and often backed up). They
 * come from the macOS Keychain (service "tracksync", account = the variable name) or from `secrets.env` in the state
 * directory, which must be readable by its owner only (0600). The environment and .env still win over both.
 */

export { SECRET_NAMES, type SecretName };
export const KEYCHAIN_SERVICE = 'tracksync';

export function secretsFile(stateDir: string): string {
  return join(stateDir, 'secrets.env');
}

/** The secrets file's values; refuses a file other users can read. */
export function readSecretsFile(path: string): Record<string, string> {
  if (!existsSync(path)) return {};
  const mode = statSync(path).mode & 0o777;
  if (mode & 0o077) {
    throw new ConfigError(
      [
        `${path} is readable by others (mode ${mode.toString(8).padStart(3, '0')}); it holds secrets: run "chmod 600 ${path}"`,
      ],
      'tracksync refuses to read a secrets file other users can read',
    );
  }
  return parseSecretsText(readFileSync(path, 'utf8'));
}

/**
 * secrets.env as tracksync writes it: one `NAME="value"` per line, the value a JSON string (so quotes, backslashes, `#`
 * and `=` survive every save). Lines written by hand are read too: `NAME='literal'` and `NAME=bare value # comment`.
 * Node's parseEnv is not used: it keeps `\"` and `\\` as they are, so each save doubled every backslash.
 */
export function parseSecretsText(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = line.match(/^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/);
    if (!match) continue;
    const [, name, rest] = match as unknown as [string, string, string];
    const json = rest.match(/^"(?:[^"\\]|\\.)*"/);
    const literal = rest.match(/^'([^']*)'/);
    if (json) values[name] = jsonString(json[0]);
    else if (literal) values[name] = literal[1]!;
    else values[name] = rest.replace(/\s+#.*$/, '').trim();
  }
  return values;
}

/** A double-quoted value: JSON's escapes; a hand-written one JSON does not accept is taken between its quotes. */
function jsonString(quoted: string): string {
  try {
    return JSON.parse(quoted) as string;
  } catch {
    return quoted.slice(1, -1);
  }
}

/** The file's text: every value as a JSON string, which parseSecretsText reads back exactly. */
export function formatSecretsText(values: Record<string, string>): string {
  return `${Object.entries(values)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join('\n')}\n`;
}

/** A secret from the Keychain (macOS only); undefined when absent. `security` gets an argument array, no shell. */
export function readKeychain(name: string, securityBin = 'security'): string | undefined {
  try {
    return (
      execFileSync(securityBin, ['find-generic-password', '-s', KEYCHAIN_SERVICE, '-a', name, '-w'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        timeout: CONSTANTS.secrets.keychainTimeoutMs,
      }).trim() || undefined
    );
  } catch {
    return undefined;
  }
}

/** Secrets from the file and (on macOS) the Keychain, for the names the environment does not already set. */
export function loadSecrets(
  stateDir: string | undefined,
  env: Record<string, string | undefined>,
  os: NodeJS.Platform,
  securityBin?: string,
): Record<string, string> {
  const found: Record<string, string> = {};
  const fromFile = stateDir === undefined ? {} : readSecretsFile(secretsFile(stateDir));
  for (const name of SECRET_NAMES) {
    if (env[name]) continue;
    const value = fromFile[name] ?? (os === 'darwin' ? readKeychain(name, securityBin) : undefined);
    if (value) found[name] = value;
  }
  return found;
}

/** Stores a secret: the Keychain on macOS (unless `file`), else the 0600 secrets file (written atomically). */
export function storeSecret(
  stateDir: string,
  name: SecretName,
  value: string,
  options: { os: NodeJS.Platform; file?: boolean; securityBin?: string },
): string {
  if (/[\r\n]/.test(value)) {
    throw new ConfigError(
      [`${name}: the value has a line break; a secret is one line (a token or a key, as copied from its page)`],
      'tracksync cannot store this secret',
    );
  }
  if (value === '') throw new ConfigError([`${name}: the value is empty`], 'tracksync cannot store this secret');
  if (options.os === 'darwin' && !options.file) {
    // `security` takes the value as an argument (its only non-interactive form): it is visible to this user's processes
    // for the moment the command runs. Use --secrets-file on a shared account.
    execFileSync(
      options.securityBin ?? 'security',
      ['add-generic-password', '-U', '-s', KEYCHAIN_SERVICE, '-a', name, '-w', value],
      { stdio: 'ignore', timeout: CONSTANTS.secrets.keychainTimeoutMs },
    );
    return `the login Keychain (service "${KEYCHAIN_SERVICE}", account "${name}")`;
  }
  const path = secretsFile(stateDir);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const current = existsSync(path) ? readSecretsFile(path) : {};
  current[name] = value;
  const temp = `${path}.tmp`;
  writeFileSync(temp, formatSecretsText(current), { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, path);
  return path;
}
