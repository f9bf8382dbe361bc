import { execa } from 'execa';
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { CONSTANTS } from '../config/constants.js';
import { TrackSyncError } from '../errors.js';

/**
 * The four launchctl verbs tracksync uses, in their modern form (launchctl(1), macOS 10.11+): bootstrap and bootout
 * replace load and unload, kickstart -k restarts, print reports. Argument arrays only; the binary is found on PATH
 * (/bin/launchctl on macOS; tests put a recording stand-in first).
 */

export interface AgentState {
  readonly loaded: boolean;
  /** "running", "waiting", ... as launchctl prints it. */
  readonly state?: string;
  readonly pid?: number;
  /** Undefined while the agent has never exited. */
  readonly lastExitCode?: number;
  readonly runs?: number;
}

/**
 * launchctl's exit codes when the service is not there: 3 "No such process" (bootout), 113 "Could not find service"
 * (print).
 */
const NOT_LOADED_EXIT_CODES = new Set([3, 113]);

export class Launchctl {
  readonly #bin: string;
  readonly #domain: string;

  constructor(options: { uid: number; bin?: string }) {
    this.#bin = options.bin ?? 'launchctl';
    this.#domain = `gui/${options.uid}`;
  }

  get domain(): string {
    return this.#domain;
  }

  /**
   * Whether launchctl can be run at all (found on `path`, executable): checked before `install` writes anything, so a
   * machine without launchd (Linux) is told so instead of getting a plist nothing will load.
   */
  available(path: string | undefined = process.env.PATH): boolean {
    const candidates = isAbsolute(this.#bin)
      ? [this.#bin]
      : (path ?? '')
          .split(delimiter)
          .filter(Boolean)
          .map((dir) => join(dir, this.#bin));
    return candidates.some((file) => {
      try {
        accessSync(file, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
  }

  target(label: string): string {
    return `${this.#domain}/${label}`;
  }

  async bootstrap(plistPath: string): Promise<void> {
    await this.#run(['bootstrap', this.#domain, plistPath], 'load the LaunchAgent');
  }

  /** Stops and unloads the agent; false when it was not loaded. */
  async bootout(label: string): Promise<boolean> {
    const result = await this.#run(['bootout', this.target(label)], 'unload the LaunchAgent', NOT_LOADED_EXIT_CODES);
    return !NOT_LOADED_EXIT_CODES.has(result.exitCode);
  }

  /** Kills the running daemon (SIGTERM, a clean shutdown) and starts it again. */
  async kickstart(label: string): Promise<void> {
    await this.#run(['kickstart', '-k', this.target(label)], 'restart the LaunchAgent');
  }

  async print(label: string): Promise<AgentState> {
    const result = await this.#run(['print', this.target(label)], 'read the LaunchAgent state', NOT_LOADED_EXIT_CODES);
    if (NOT_LOADED_EXIT_CODES.has(result.exitCode)) return { loaded: false };
    return parsePrint(result.stdout);
  }

  async #run(
    args: string[],
    what: string,
    allowed: ReadonlySet<number> = new Set(),
  ): Promise<{ exitCode: number; stdout: string }> {
    const result = await execa(this.#bin, args, { reject: false, timeout: CONSTANTS.launchd.launchctlTimeoutMs });
    if (result.failed && (result.exitCode === undefined || !allowed.has(result.exitCode))) {
      if ((result as { code?: string }).code === 'ENOENT') {
        throw new TrackSyncError(
          'TOOL_MISSING',
          `cannot ${what}: "${this.#bin}" was not found; LaunchAgents exist on macOS only (on Linux, run "tracksync run" under systemd or a terminal multiplexer)`,
        );
      }
      const detail = String(result.stderr || result.stdout || result.shortMessage).trim();
      throw new TrackSyncError(
        'LAUNCHD_FAILED',
        `cannot ${what}: launchctl ${args.join(' ')} exited with ${result.exitCode}: ${detail}`,
      );
    }
    return { exitCode: result.exitCode ?? 0, stdout: String(result.stdout) };
  }
}

/** The fields of `launchctl print` we show: its output is a tab-indented "key = value" listing. */
export function parsePrint(text: string): AgentState {
  const field = (name: string): string | undefined => text.match(new RegExp(`^\\s*${name} = (.+)$`, 'm'))?.[1]?.trim();
  const number = (value: string | undefined): number | undefined =>
    value !== undefined && /^-?\d+$/.test(value) ? Number(value) : undefined;
  const state = field('state');
  const pid = number(field('pid'));
  const lastExitCode = number(field('last exit code'));
  const runs = number(field('runs'));
  return {
    loaded: true,
    ...(state ? { state } : {}),
    ...(pid !== undefined ? { pid } : {}),
    ...(lastExitCode !== undefined ? { lastExitCode } : {}),
    ...(runs !== undefined ? { runs } : {}),
  };
}
