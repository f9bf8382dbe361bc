import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { CONFIG_ENV_KEYS, SECRET_ENV_KEYS, type Config } from '../config/load.js';
import { CONSTANTS } from '../config/constants.js';
import { packageRoot } from '../paths.js';

/**
 * The LaunchAgent: its plist (filled from launchd/tracksync.plist.template) and where it lives. launchctl itself is
 * driven by ./launchctl.ts.
 */

export interface AgentPaths {
  /** ~/Library/LaunchAgents/<label>.plist */
  readonly plist: string;
  /** ~/Library/Logs/tracksync: the JSON log (rotated by the daemon) and launchd's stdout/stderr capture. */
  readonly logDir: string;
  readonly stdout: string;
  readonly stderr: string;
}

export function agentPaths(home: string, label: string): AgentPaths {
  const logDir = join(home, 'Library', 'Logs', 'tracksync');
  return {
    plist: join(home, 'Library', 'LaunchAgents', `${label}.plist`),
    logDir,
    stdout: join(logDir, 'launchd.out.log'),
    stderr: join(logDir, 'launchd.err.log'),
  };
}

export interface PlistInput {
  readonly label: string;
  /** Absolute path of the node binary (process.execPath at install time: the one that built better-sqlite3). */
  readonly node: string;
  /** Absolute path of bin/tracksync.js. */
  readonly cli: string;
  /** Where the daemon starts: the directory of the user's .env. */
  readonly workingDirectory: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly throttleIntervalSeconds: number;
  readonly exitTimeoutSeconds: number;
  readonly paths: AgentPaths;
}

/** The plist input for this installation: absolute paths, the non-secret settings of `env`, the PATH launchd lacks. */
export function plistInput(options: {
  config: Pick<Config, 'launchd' | 'shutdown'>;
  env: Record<string, string | undefined>;
  cwd: string;
  home: string;
  node?: string;
}): PlistInput {
  const { config, env, cwd, home } = options;
  const node = options.node ?? process.execPath;
  const paths = agentPaths(home, config.launchd.label);
  const environment: Record<string, string> = {};
  const secret = new Set<string>(SECRET_ENV_KEYS);
  for (const key of [...CONFIG_ENV_KEYS, 'TRACKSYNC_CONFIG']) {
    const value = env[key];
    if (value === undefined || value === '' || secret.has(key)) continue;
    environment[key] = key === 'TRACKSYNC_CONFIG' && !isAbsolute(value) ? resolve(cwd, value) : value;
  }
  const path = [dirname(node), ...CONSTANTS.launchd.path.filter((p) => p !== dirname(node))];
  Object.assign(environment, { PATH: path.join(':'), LANG: CONSTANTS.launchd.lang, TRACKSYNC_LOG_DIR: paths.logDir });
  const shutdownSeconds = Math.ceil((config.shutdown.graceMs + config.shutdown.abortWaitMs) / 1000);
  return {
    label: config.launchd.label,
    node,
    cli: join(packageRoot(), 'bin', 'tracksync.js'),
    workingDirectory: cwd,
    environment,
    throttleIntervalSeconds: config.launchd.throttleIntervalSeconds,
    exitTimeoutSeconds: shutdownSeconds + CONSTANTS.launchd.exitTimeoutMarginSeconds,
    paths,
  };
}

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

function xml(value: string): string {
  // Control characters other than tab and newline are not allowed in XML 1.0 at all; a path never needs them.
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(value))
    throw new Error(`a control character in ${JSON.stringify(value)} cannot go into a plist`);
  return value.replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!);
}

/** The plist text: the template with every value XML-escaped. */
export function buildPlist(input: PlistInput): string {
  const template = readFileSync(join(packageRoot(), 'launchd', 'tracksync.plist.template'), 'utf8');
  const environment = Object.entries(input.environment)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => `    <key>${xml(key)}</key>\n    <string>${xml(value)}</string>`)
    .join('\n');
  const values: Record<string, string> = {
    LABEL: xml(input.label),
    NODE: xml(input.node),
    CLI: xml(input.cli),
    WORKING_DIRECTORY: xml(input.workingDirectory),
    ENVIRONMENT: environment,
    THROTTLE_INTERVAL_SECONDS: String(input.throttleIntervalSeconds),
    EXIT_TIMEOUT_SECONDS: String(input.exitTimeoutSeconds),
    STDOUT_PATH: xml(input.paths.stdout),
    STDERR_PATH: xml(input.paths.stderr),
  };
  return template.replace(/\{\{([A-Z_]+)\}\}/g, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`launchd/tracksync.plist.template: unknown placeholder ${whole}`);
    return value;
  });
}
