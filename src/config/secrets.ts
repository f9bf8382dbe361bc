import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseEnv } from 'node:util';
import { ConfigError } from '../errors.js';
import { DEFAULTS } from './defaults.js';

/**
 * Secrets never go into the LaunchAgent plist (it is readable by every process of the user and often backed up). They
 * come from the macOS Keychain (service "tracksync", account = the variable name) or from `secrets.env` in the state
 * directory, which must be readable by its owner only (0600). The environment and .env still win over both.
 */

export const SECRET_NAMES = ['NOTION_TOKEN', 'SPOTIFY_CLIENT_SECRET', 'SPOTIFY_REFRESH_TOKEN', 'EAGLE_TOKEN', 'NOTION_WEBHOOK_TOKEN'] as const;
export type SecretName = (typeof SECRET_NAMES)[number];
export const KEYCHAIN_SERVICE = 'tracksync';

export function secretsFile(stateDir: string): string {
  return join(stateDir, 'secrets.env');
}

/** The secrets file's values; refuses a file other users can read. */
export function readSecretsFile(path: string): Record<string, string> {
  if (!existsSync(path)) return {};
  const mode = statSync(path).mode & 0o777;
  if (mode & 0o077) {
    throw new ConfigError([`${path} is readable by others (mode ${mode.toString(8).padStart(3, '0')}); it holds secrets: run "chmod 600 ${path}"`], 'tracksync refuses to read a secrets file other users can read');
  }
  return parseEnv(readFileSync(path, 'utf8')) as Record<string, string>;
}

/** A secret from the Keychain (macOS only); undefined when absent. `security` gets an argument array, no shell. */
export function readKeychain(name: string, securityBin = 'security'): string | undefined {
  try {
    return execFileSync(securityBin, ['find-generic-password', '-s', KEYCHAIN_SERVICE, '-a', name, '-w'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: DEFAULTS.secrets.keychainTimeoutMs }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Secrets from the file and (on macOS) the Keychain, for the names the environment does not already set. */
export function loadSecrets(stateDir: string | undefined, env: Record<string, string | undefined>, os: NodeJS.Platform, securityBin?: string): Record<string, string> {
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
export function storeSecret(stateDir: string, name: SecretName, value: string, options: { os: NodeJS.Platform; file?: boolean; securityBin?: string }): string {
  if (options.os === 'darwin' && !options.file) {
    // `security` takes the value as an argument (its only non-interactive form): it is visible to this user's processes
    // for the moment the command runs. Use --file on a shared account.
    execFileSync(options.securityBin ?? 'security', ['add-generic-password', '-U', '-s', KEYCHAIN_SERVICE, '-a', name, '-w', value], { stdio: 'ignore', timeout: DEFAULTS.secrets.keychainTimeoutMs });
    return `the login Keychain (service "${KEYCHAIN_SERVICE}", account "${name}")`;
  }
  const path = secretsFile(stateDir);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const current = existsSync(path) ? readSecretsFile(path) : {};
  current[name] = value;
  const temp = `${path}.tmp`;
  writeFileSync(temp, Object.entries(current).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join('\n') + '\n', { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, path);
  return path;
}
