import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir, platform } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import type { z } from 'zod';
import { ConfigError, registerSecrets } from '../errors.js';
import { nearestKey, settingKeys } from './reference.js';
import {
  ENVIRONMENT,
  RETIRED_SETTINGS,
  SECRET_NAMES,
  configSchema,
  defaultStateDir,
  valueAt,
  type Config,
} from './schema.js';
import { loadSecrets } from './secrets.js';

export { defaultStateDir, isLoopbackHost, parseNotionId } from './schema.js';
export type { AudioFormat, Config, DestinationKey, FileConfig, SourceKind } from './schema.js';

/**
 * loadConfig(): reads the sources (a JSON config file, an optional .env file, the environment, the secrets), merges
 * them (file < .env < environment), parses the result once with the schema (./schema.ts) and freezes it. Every
 * problem is reported at once in one ConfigError (exit 2), each naming the variable or the file and key, the value
 * (secrets masked) and what was expected; nothing downstream re-validates or reads process.env.
 */

/** Variables whose values are secrets: masked in messages, scrubbed from logs, kept out of the LaunchAgent plist. */
export const SECRET_ENV_KEYS = SECRET_NAMES;
/** Every environment variable that sets a setting (the LaunchAgent copies the non-secret ones it finds). */
export const CONFIG_ENV_KEYS: readonly string[] = ENVIRONMENT.map((e) => e.name);

export interface LoadConfigOptions {
  env?: Record<string, string | undefined>;
  /** Directory searched for .env (default: the working directory). */
  cwd?: string;
  platform?: NodeJS.Platform;
  /** The home folder for the default state and output folders (default: the user's). */
  home?: string;
  /** The Keychain tool (macOS; found on PATH by default). */
  securityBin?: string;
  /** A config file named on the command line (`--config`): wins over TRACKSYNC_CONFIG and the conventional places. */
  configPath?: string;
}

/** "ntn_…(50 chars)": enough to tell which secret is set, not enough to use it. */
export function maskSecret(value: string): string {
  return value.length <= 8 ? '***' : `${value.slice(0, 4)}…(${value.length} chars)`;
}

export function readDotEnv(cwd: string): Record<string, string> {
  const path = join(cwd, '.env');
  if (!existsSync(path)) return {};
  return parseEnv(readFileSync(path, 'utf8')) as Record<string, string>;
}

// ---------------------------------------------------------------------------------------------------------------------
// Where the config file is.

export interface ConfigFileLocation {
  readonly path: string;
  /** How it was named: the option, the variable, or found at a conventional place. */
  readonly via: '--config' | 'TRACKSYNC_CONFIG' | 'conventional';
}

/**
 * The conventional places, in order: $XDG_CONFIG_HOME/tracksync/config.json (or ~/.config/tracksync/config.json), then
 * on macOS ~/Library/Application Support/tracksync/config.json. Home is $HOME (or the `home` given): a caller that
 * passes an environment without HOME, as the tests do, gets no file it did not name.
 */
export function conventionalConfigFiles(
  env: Record<string, string | undefined>,
  os: NodeJS.Platform,
  home = env.HOME,
): string[] {
  const xdg =
    env.XDG_CONFIG_HOME && isAbsolute(env.XDG_CONFIG_HOME)
      ? env.XDG_CONFIG_HOME
      : home
        ? join(home, '.config')
        : undefined;
  const places = xdg ? [join(xdg, 'tracksync', 'config.json')] : [];
  if (os === 'darwin' && home) places.push(join(home, 'Library', 'Application Support', 'tracksync', 'config.json'));
  return places;
}

/** --config, else TRACKSYNC_CONFIG (set but empty: no file at all), else the first conventional place that exists. */
export function locateConfigFile(options: {
  configPath?: string;
  env: Record<string, string | undefined>;
  cwd: string;
  platform: NodeJS.Platform;
  home?: string;
}): ConfigFileLocation | undefined {
  if (options.configPath !== undefined) return { path: resolve(options.cwd, options.configPath), via: '--config' };
  const named = options.env.TRACKSYNC_CONFIG;
  if (named !== undefined)
    return named === '' ? undefined : { path: resolve(options.cwd, named), via: 'TRACKSYNC_CONFIG' };
  const found = conventionalConfigFiles(options.env, options.platform, options.home ?? options.env.HOME).find((p) =>
    existsSync(p),
  );
  return found === undefined ? undefined : { path: found, via: 'conventional' };
}

/** Line and column (1-based) of a character offset. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before.at(-1)!.length + 1 };
}

/**
 * Where JSON text stops being valid JSON: V8's messages give a position only for some errors ("Unexpected token"
 * gives none), so a small strict scanner finds it for every one.
 */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const space = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const literal = (word: string): void => {
    for (const ch of word) {
      if (text[i++] !== ch) {
        i--;
        fail();
      }
    }
  };
  const string = (): void => {
    i++;
    for (;;) {
      const ch = text[i];
      if (ch === undefined || ch < ' ') fail();
      if (ch === '"') return void i++;
      if (ch === '\\') {
        i++;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail();
          i += 5;
        } else if (text[i] !== undefined && '"\\/bfnrt'.includes(text[i]!)) i++;
        else fail();
      } else i++;
    }
  };
  const value = (): void => {
    space();
    const ch = text[i];
    if (ch === '{' || ch === '[') {
      const close = ch === '{' ? '}' : ']';
      i++;
      space();
      if (text[i] === close) return void i++;
      for (;;) {
        if (close === '}') {
          space();
          if (text[i] !== '"') fail();
          string();
          space();
          if (text[i] !== ':') fail();
          i++;
        }
        value();
        space();
        if (text[i] === ',') i++;
        else if (text[i] === close) return void i++;
        else fail();
      }
    }
    if (ch === '"') return string();
    if (ch === 't') return literal('true');
    if (ch === 'f') return literal('false');
    if (ch === 'n') return literal('null');
    const number = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!number) fail();
    i += number![0].length;
  };
  try {
    value();
    space();
    if (i < text.length) fail();
  } catch (offset) {
    return offset as number;
  }
  return text.length;
}

/** The file's JSON object, or undefined with the problem recorded (missing, unreadable, not JSON, not an object). */
function readConfigFile(location: ConfigFileLocation, problems: string[]): Record<string, unknown> | undefined {
  const { path, via } = location;
  const named = via === 'conventional' ? `config file ${path}` : `${via}: config file ${path}`;
  if (!existsSync(path)) {
    problems.push(`${via}: there is no file at "${path}"; create it, or name another file`);
    return undefined;
  }
  let text: string;
  try {
    if (statSync(path).isDirectory()) throw Object.assign(new Error('it is a folder'), { code: 'EISDIR' });
    text = readFileSync(path, 'utf8');
  } catch (error) {
    problems.push(
      `${named}: cannot be read (${(error as Error).message}); give this user read access (chmod u+r "${path}")`,
    );
    return undefined;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    const { line, column } = lineColumn(text, jsonErrorOffset(text));
    // V8's own words without its position and its quote of the text ("..." is not valid JSON).
    const what = (error as Error).message
      .replace(/ in JSON at position \d+.*$/s, '')
      .replace(/, ".*" is not valid JSON$/s, '');
    problems.push(`${named}: not valid JSON at line ${line}, column ${column}: ${what}`);
    return undefined;
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push(`${named}: expected a JSON object ({ ... }) at the top level; got ${shownValue(raw)}`);
    return undefined;
  }
  return raw as Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------------------------------
// Merging: the file's keys, then each variable set in .env or the environment on its key.

/** Where a key's value came from, for messages. */
type Origin = { readonly env: string; readonly text: string; readonly secret: boolean; readonly form?: string };

function clone(value: unknown): unknown {
  return value === undefined ? undefined : structuredClone(value);
}

/** Sets a dotted key, creating the sections on the way; false when a section on the way is not an object. */
function setAt(root: Record<string, unknown>, path: string, value: unknown): boolean {
  const keys = path.split('.');
  let node = root;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (next === undefined) node[key] = {};
    else if (next === null || typeof next !== 'object' || Array.isArray(next)) return false;
    node = node[key] as Record<string, unknown>;
  }
  node[keys.at(-1)!] = value;
  return true;
}

function deleteAt(root: Record<string, unknown>, path: string): void {
  const keys = path.split('.');
  const parent = valueAt(root, keys.slice(0, -1));
  if (parent !== null && typeof parent === 'object') delete (parent as Record<string, unknown>)[keys.at(-1)!];
}

/** A value from the file as JSON, so text and numbers differ ("2" is text, 2 a number). */
function shownValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const json = JSON.stringify(value);
  return json.length > 120 ? `${json.slice(0, 120)}…` : json;
}

// ---------------------------------------------------------------------------------------------------------------------
// Problems: each names where the value came from, the value and what was expected.

/**
 * zod's own words, where a schema gave none of its own ("Too small: expected number to be >=1" -> "expected at least
 * 1").
 */
function explain(issue: z.core.$ZodIssue): string {
  if (!/^(Invalid|Too small|Too big)\b/.test(issue.message)) return issue.message;
  switch (issue.code) {
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      const inclusive = issue.inclusive !== false;
      const word =
        issue.code === 'too_small' ? (inclusive ? 'at least' : 'more than') : inclusive ? 'at most' : 'less than';
      const unit =
        issue.origin === 'string'
          ? ' characters'
          : issue.origin === 'array' || issue.origin === 'set'
            ? ' entries'
            : '';
      return `expected ${word} ${String(bound)}${unit}`;
    }
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_type':
      return `expected ${issue.expected === 'int' ? 'a whole number' : issue.expected}`;
    default:
      return issue.message;
  }
}

interface Sources {
  readonly file?: ConfigFileLocation;
  readonly fileValues?: Record<string, unknown>;
  readonly origins: ReadonlyMap<string, Origin>;
}

/** "TRACKSYNC_HTTP_PORT", "config file /x/config.json: http.port", or for an unset key the variable that sets it. */
function labelOf(
  path: readonly PropertyKey[],
  sources: Sources,
): { label: string; got?: string; form?: string; hint?: string } {
  const dotted = path.map(String).join('.');
  for (let n = path.length; n > 0; n--) {
    const origin = sources.origins.get(path.slice(0, n).map(String).join('.'));
    if (origin) {
      return {
        label: origin.env,
        got: `"${origin.secret ? maskSecret(origin.text) : origin.text}"`,
        ...(origin.form ? { form: origin.form } : {}),
      };
    }
  }
  const inFile = sources.fileValues === undefined ? undefined : valueAt(sources.fileValues, path.map(String));
  if (sources.file && inFile !== undefined) {
    // "2" where 2 was expected: the commonest slip in hand-written JSON.
    const quoted = typeof inFile === 'string' && /^(-?\d+(\.\d+)?|true|false|null)$/.test(inFile.trim());
    return {
      label: `config file ${sources.file.path}: ${dotted}`,
      got: `${shownValue(inFile)}${quoted ? ' (text: write it without the quotes)' : ''}`,
    };
  }
  const variable = ENVIRONMENT.find((e) => e.path === dotted);
  // Unset: named by its variable, and by its key where a config file may set it too (secrets: never).
  if (variable)
    return { label: variable.name, ...('secret' in variable ? {} : { hint: ` (or "${dotted}" in the config file)` }) };
  return { label: sources.file ? `config file ${sources.file.path}: ${dotted}` : dotted };
}

function problemsOf(issues: readonly z.core.$ZodIssue[], sources: Sources): string[] {
  const keys = settingKeys().map((k) => k.path);
  const problems: string[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const dotted = [...issue.path.map(String), key].join('.');
        // Never the key's own section: "schedule.cron" is five edits from both "schedule" and "schedule.cycleCron".
        const near = nearestKey(
          dotted,
          keys.filter((k) => !dotted.startsWith(`${k}.`)),
        );
        const where = sources.file ? `config file ${sources.file.path}: ` : '';
        const retired = RETIRED_SETTINGS[dotted];
        if (retired) {
          problems.push(`${where}"${dotted}" is no longer a setting: ${retired}; remove it from the file`);
          continue;
        }
        problems.push(
          `${where}unknown key "${dotted}"; ${near ? `did you mean "${near}"?` : "see the README's Configuration section for every key"}`,
        );
      }
      continue;
    }
    const { label, got, form, hint } = labelOf(issue.path, sources);
    // A check across keys names its values itself.
    const across = issue.code === 'custom' && (issue.params as { across?: boolean } | undefined)?.across === true;
    // A variable's text that did not become a value of the right type: say the variable's own form ("1 or 0").
    const expected = form && issue.code === 'invalid_type' ? `expected ${form}` : explain(issue);
    problems.push(`${label}: ${expected}${hint ?? ''}${got && !across ? `; got ${got}` : ''}`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------------------

export function loadConfig(options: LoadConfigOptions = {}): Config {
  const cwd = options.cwd ?? process.cwd();
  const os = options.platform ?? platform();
  const home = options.home ?? homedir();
  const problems: string[] = [];
  const env = { ...readDotEnv(cwd), ...(options.env ?? process.env) };

  const file = locateConfigFile({
    ...(options.configPath !== undefined ? { configPath: options.configPath } : {}),
    env,
    cwd,
    platform: os,
    ...(options.home ? { home } : {}),
  });
  const fileValues = file ? readConfigFile(file, problems) : undefined;
  const raw = (clone(fileValues) ?? {}) as Record<string, unknown>;
  if (file && fileValues) {
    for (const secret of ENVIRONMENT.filter((e) => 'secret' in e)) {
      if (valueAt(fileValues, secret.path) === undefined) continue;
      problems.push(
        `config file ${file.path}: ${secret.path} is a secret and is not read from a config file (config files get shared and backed up); ` +
          `remove it and run "tracksync secrets set ${secret.name}" (or set ${secret.name} in the environment)`,
      );
      deleteAt(raw, secret.path);
    }
  }

  // The variables, then the secrets stored in the state directory's secrets.env or the Keychain (secrets.ts).
  const origins = new Map<string, Origin>();
  const apply = (values: Record<string, string | undefined>): void => {
    for (const variable of ENVIRONMENT) {
      const text = values[variable.name];
      // An empty variable is an unset one: `.env` templates and plists carry "NAME=" lines.
      if (text === undefined || text === '') continue;
      const value = 'parse' in variable ? variable.parse(text) : text;
      if (setAt(raw, variable.path, value)) {
        origins.set(variable.path, {
          env: variable.name,
          text,
          secret: 'secret' in variable,
          ...('form' in variable ? { form: variable.form.replaceAll('`', '"') } : {}),
        });
      }
    }
  };
  apply(env);
  const stateDir = raw.stateDir;
  // A relative state directory is reported by the schema; secrets are then looked up nowhere but the Keychain.
  const secretsDir =
    stateDir === undefined
      ? defaultStateDir(os, home, env.XDG_STATE_HOME)
      : typeof stateDir === 'string' && isAbsolute(stateDir)
        ? stateDir
        : undefined;
  try {
    apply(loadSecrets(secretsDir, env, os, options.securityBin));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }

  const schema = configSchema({
    platform: os,
    home,
    cwd,
    ...(env.XDG_STATE_HOME ? { xdgStateHome: env.XDG_STATE_HOME } : {}),
    ...(file ? { configFile: file.path } : {}),
  });
  const parsed = schema.safeParse(raw);
  if (!parsed.success)
    problems.push(
      ...problemsOf(parsed.error.issues, { ...(file ? { file } : {}), ...(fileValues ? { fileValues } : {}), origins }),
    );
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  const config = parsed.data as Config;
  registerSecrets(config.secrets);
  return deepFreeze(config);
}

/**
 * The state directory alone, for commands that only read local state (`status`, `logs`, `secrets`): no Notion
 * settings needed, and only the config file's `stateDir` is read from it (a file with a JSON error is still refused).
 */
export function stateDirFrom(
  env: Record<string, string | undefined>,
  cwd: string,
  os: NodeJS.Platform = platform(),
  home: string = homedir(),
  options: { configPath?: string } = {},
): string {
  const merged = { ...readDotEnv(cwd), ...env };
  const explicit = merged.TRACKSYNC_STATE_DIR;
  if (explicit !== undefined && explicit !== '') {
    if (!isAbsolute(explicit))
      throw new ConfigError([`TRACKSYNC_STATE_DIR: expected an absolute path; got "${explicit}"`]);
    return explicit;
  }
  const file = locateConfigFile({ ...options, env: merged, cwd, platform: os });
  if (file) {
    const problems: string[] = [];
    const fromFile = readConfigFile(file, problems)?.stateDir;
    if (problems.length > 0) throw new ConfigError(problems);
    if (fromFile !== undefined) {
      if (typeof fromFile !== 'string' || !isAbsolute(fromFile)) {
        throw new ConfigError([
          `config file ${file.path}: stateDir: expected an absolute path; got ${shownValue(fromFile)}`,
        ]);
      }
      return fromFile;
    }
  }
  return defaultStateDir(os, home, merged.XDG_STATE_HOME);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
