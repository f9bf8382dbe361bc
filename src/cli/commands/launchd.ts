import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, platform } from 'node:os';
import { dirname } from 'node:path';
import { DEFAULT_SETTINGS } from '../../config/schema.js';
import { loadConfig, readDotEnv, stateDirFrom, type Config } from '../../config/load.js';
import { SECRET_NAMES, loadSecrets } from '../../config/secrets.js';
import { ConfigError, TrackSyncError } from '../../errors.js';
import { agentPaths, buildPlist, plistInput } from '../../launchd/agent.js';
import { Launchctl } from '../../launchd/launchctl.js';
import { mark, print, type CliIO } from '../io.js';

/**
 * `tracksync launchd …`: the daemon as a LaunchAgent in ~/Library/LaunchAgents, started at login, restarted after a
 * crash. Exit codes: 0 done (status: loaded), 3 status: not loaded, 2 configuration or usage error.
 */
export async function launchdCommand(
  action: 'install' | 'uninstall' | 'restart' | 'status' | 'print',
  values: { json?: boolean },
  io: CliIO,
): Promise<number> {
  const home = io.env.HOME ?? homedir();
  const launchctl = new Launchctl({ uid: process.getuid?.() ?? 0 });
  switch (action) {
    case 'print': {
      const config = loadConfig({ env: io.env, cwd: io.cwd, ...(io.platform ? { platform: io.platform } : {}) });
      print(io.stdout, buildPlist(plistInput({ config, env: io.env, cwd: io.cwd, home })).trimEnd());
      return 0;
    }
    case 'install':
      return install(io, home, launchctl);
    case 'uninstall': {
      const label = labelOf(io);
      const paths = agentPaths(home, label);
      const wasLoaded = await launchctl.bootout(label);
      const hadPlist = existsSync(paths.plist);
      rmSync(paths.plist, { force: true });
      print(
        io.stdout,
        wasLoaded || hadPlist
          ? `Stopped and removed ${label} (${paths.plist}). Logs stay in ${paths.logDir}.`
          : `${label} was not installed.`,
      );
      return 0;
    }
    case 'restart': {
      const label = labelOf(io);
      await launchctl.kickstart(label);
      print(io.stdout, `Restarted ${label}.`);
      return 0;
    }
    case 'status': {
      const label = labelOf(io);
      const paths = agentPaths(home, label);
      const state = await launchctl.print(label);
      const installed = existsSync(paths.plist);
      if (values.json) {
        print(
          io.stdout,
          JSON.stringify({ label, plist: paths.plist, installed, ...state, logDir: paths.logDir }, null, 2),
        );
      } else {
        print(
          io.stdout,
          `${label}: ${state.loaded ? `loaded, ${state.state ?? 'state unknown'}${state.pid ? ` (pid ${state.pid})` : ''}` : 'not loaded'}`,
        );
        print(
          io.stdout,
          `  plist: ${paths.plist}${installed ? '' : ' (not installed: run "tracksync launchd install")'}`,
        );
        if (state.lastExitCode !== undefined)
          print(
            io.stdout,
            `  last exit code: ${state.lastExitCode}${state.lastExitCode === 0 ? '' : ' (see "tracksync logs" and ' + paths.stderr + ')'}`,
          );
        if (state.runs !== undefined) print(io.stdout, `  starts since login: ${state.runs}`);
        print(io.stdout, `  logs: ${paths.logDir} ("tracksync logs -f" to follow)`);
      }
      return state.loaded ? 0 : 3;
    }
  }
}

/** Writes the plist (atomically) and (re)loads it. Refuses when the daemon could not start from it. */
async function install(io: CliIO, home: string, launchctl: Launchctl): Promise<number> {
  const os = io.platform ?? platform();
  const config: Config = loadConfig({ env: io.env, cwd: io.cwd, platform: os });
  // Nothing is written on a machine that cannot load it: no launchctl, no LaunchAgents (Linux, a container).
  if (!launchctl.available(io.env.PATH)) {
    throw new TrackSyncError(
      'TOOL_MISSING',
      `"launchctl" was not found on PATH: LaunchAgents exist on macOS only, so nothing was installed. On Linux run "tracksync run" under systemd or a terminal multiplexer`,
    );
  }
  // Under launchd only .env, the secrets file and the Keychain exist: a token exported in this shell is not seen.
  const stateDir = stateDirFrom(io.env, io.cwd, os);
  const dotEnv = readDotEnv(io.cwd);
  const stored = loadSecrets(stateDir, dotEnv, os);
  const shellOnly = SECRET_NAMES.filter((name) => io.env[name] && !dotEnv[name] && !stored[name]);
  if (shellOnly.includes('NOTION_TOKEN')) {
    throw new ConfigError([
      'NOTION_TOKEN is set in this shell only, and the LaunchAgent would not see it (secrets never go into the plist): run "tracksync secrets set NOTION_TOKEN" first',
    ]);
  }
  const input = plistInput({ config, env: io.env, cwd: io.cwd, home });
  const local = localServices(input.environment);
  const text = buildPlist(input);
  mkdirSync(dirname(input.paths.plist), { recursive: true });
  mkdirSync(input.paths.logDir, { recursive: true });
  const temp = `${input.paths.plist}.tmp-${process.pid}`;
  writeFileSync(temp, text, { mode: 0o644 });
  renameSync(temp, input.paths.plist);
  // bootstrap refuses a label that is already loaded (error 5): unload the old definition first.
  const replaced = await launchctl.bootout(input.label);
  await launchctl.bootstrap(input.paths.plist);
  print(io.stdout, `${replaced ? 'Reinstalled' : 'Installed'} ${input.label}: ${input.paths.plist}`);
  print(io.stdout, `  runs: ${input.node} ${input.cli} run (in ${input.workingDirectory})`);
  print(io.stdout, `  logs: ${input.paths.logDir}`);
  if (config.http.port !== null) print(io.stdout, `  status page: http://${config.http.host}:${config.http.port}/`);
  for (const name of shellOnly)
    print(
      io.stdout,
      `  note: ${name} is set in this shell only; the daemon will not see it. Run "tracksync secrets set ${name}".`,
    );
  for (const line of local) print(io.stderr, `${mark(io, 'warn', io.stderr)} ${line}`);
  if (local.length > 0)
    print(
      io.stderr,
      '      The daemon stops syncing when that server stops: unset these variables (the "export" lines of tracksync sandbox) and run "tracksync launchd install" again.',
    );
  print(
    io.stdout,
    'It starts now and at every login, and is restarted after a crash. "tracksync launchd status" shows it.',
  );
  return 0;
}

/**
 * The label from the configuration when it loads, else the default (uninstall and status must work on a broken setup).
 */
function labelOf(io: CliIO): string {
  try {
    return loadConfig({ env: io.env, cwd: io.cwd, ...(io.platform ? { platform: io.platform } : {}) }).launchd.label;
  } catch (error) {
    if (error instanceof ConfigError) return DEFAULT_SETTINGS.launchd.label;
    throw error;
  }
}

/**
 * Settings the plist would bake in that point at a server on this machine: the sandbox's Notion, Spotify or media
 * site (NOTION_API_BASE_URL=http://127.0.0.1:7718, ...). Eagle is a local app by design and is left out.
 */
export function localServices(environment: Readonly<Record<string, string>>): string[] {
  const lines: string[] = [];
  for (const key of ['NOTION_API_BASE_URL', 'SPOTIFY_API_BASE_URL', 'SPOTIFY_ACCOUNTS_BASE_URL']) {
    const value = environment[key];
    if (!value || !URL.canParse(value)) continue;
    const host = new URL(value).hostname.replace(/^\[|\]$/g, '');
    if (host === 'localhost' || host === '::1' || /^127\./.test(host))
      lines.push(
        `${key}=${value} is a server on this machine (the sandbox?), not the real service: the LaunchAgent would use it`,
      );
  }
  if (environment.TRACKSYNC_ALLOW_PRIVATE_HOSTS)
    lines.push(
      `TRACKSYNC_ALLOW_PRIVATE_HOSTS=${environment.TRACKSYNC_ALLOW_PRIVATE_HOSTS} lets the daemon download from this machine's own servers (the sandbox's media site)`,
    );
  return lines;
}
