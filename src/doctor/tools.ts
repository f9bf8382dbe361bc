import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../clock.js';
import { CONSTANTS } from '../config/constants.js';
import type { Config } from '../config/load.js';
import { coerceError } from '../errors.js';
import { Launchctl } from '../launchd/launchctl.js';
import type { Logger } from '../log.js';
import { runTool } from '../media/process.js';
import { installFix, upgradeFix } from './install.js';
import { unmountedVolume } from '../domain/volumes.js';
import { EagleClient } from '../services/eagle.js';
import { SpotifyService } from '../services/spotify.js';
import type { CheckResult } from './checks.js';

/**
 * The machine side of `tracksync doctor`: the media tools, the output folders, Eagle, Spotify and the LaunchAgent.
 * Each check runs the real thing (the tool, a write in the folder, a request) and says what to do when it fails.
 */

export interface MachineContext {
  readonly config: Pick<Config, 'media' | 'paths' | 'eagle' | 'spotify' | 'launchd'>;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly platform: NodeJS.Platform;
  readonly fetch: typeof fetch;
}

async function tool(bin: string, args: string[]): Promise<string> {
  const result = await runTool(bin, args, { timeoutMs: CONSTANTS.doctor.toolTimeoutMs, failureCode: 'TOOL_MISSING' });
  return `${result.stdout}\n${result.stderr}`;
}

function missing(name: string, error: unknown, blocks: boolean, why: string, platform: NodeJS.Platform): CheckResult {
  const e = coerceError(error);
  return {
    name,
    status: blocks ? 'fail' : 'warn',
    detail: e.code === 'TOOL_MISSING' ? `not found (${why})` : e.message,
    fix: installFix(name, platform),
  };
}

export async function checkFfmpeg(context: MachineContext): Promise<CheckResult[]> {
  const { ffmpeg } = context.config.media.tools;
  try {
    const version =
      (await tool(ffmpeg, ['-hide_banner', '-version'])).match(/ffmpeg version (\S+)/)?.[1] ?? 'unknown version';
    const encoders = await tool(ffmpeg, ['-hide_banner', '-encoders']);
    const muxers = await tool(ffmpeg, ['-hide_banner', '-muxers']);
    const results: CheckResult[] = [];
    results.push(
      /\balac\b/.test(encoders)
        ? { name: 'ffmpeg', status: 'ok', detail: `${version}, ALAC encoder present` }
        : {
            name: 'ffmpeg',
            status: 'fail',
            detail: `${version} has no ALAC encoder: .m4a files cannot be made`,
            fix: `a full ffmpeg build: ${installFix('ffmpeg', context.platform)}`,
          },
    );
    results.push(
      /\bchromaprint\b/.test(muxers)
        ? { name: 'ffmpeg chromaprint', status: 'ok', detail: 'fingerprints are computed during conversion' }
        : {
            name: 'ffmpeg chromaprint',
            status: 'warn',
            detail: 'this ffmpeg has no chromaprint muxer: fingerprints take an extra fpcalc pass per track',
            fix:
              context.platform === 'darwin'
                ? 'brew reinstall ffmpeg (Homebrew builds include chromaprint)'
                : `an ffmpeg built with chromaprint: ${installFix('ffmpeg', context.platform)}`,
          },
    );
    return results;
  } catch (error) {
    return [missing('ffmpeg', error, true, 'it converts every track', context.platform)];
  }
}

/** yt-dlp's version is its release date (YYYY.MM.DD); old ones break on YouTube and SoundCloud. */
export async function checkYtDlp(context: MachineContext): Promise<CheckResult[]> {
  let version: string;
  try {
    version = (await tool(context.config.media.tools.ytDlp, ['--version'])).trim().split('\n')[0]!;
  } catch (error) {
    return [missing('yt-dlp', error, true, 'it downloads every track', context.platform)];
  }
  const date = version.match(/^(\d{4})\.(\d{2})\.(\d{2})/);
  if (!date)
    return [
      {
        name: 'yt-dlp',
        status: 'warn',
        detail: `version "${version}" is not a release date; cannot tell its age`,
        fix: upgradeFix('yt-dlp', context.platform),
      },
    ];
  const ageDays = Math.floor(
    (context.clock.now() - Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3]))) / 86_400_000,
  );
  if (ageDays > CONSTANTS.doctor.ytDlpMaxAgeDays) {
    return [
      {
        name: 'yt-dlp',
        status: 'warn',
        detail: `${version} is ${ageDays} days old; YouTube and SoundCloud downloads break with old releases`,
        fix: upgradeFix('yt-dlp', context.platform),
      },
    ];
  }
  return [{ name: 'yt-dlp', status: 'ok', detail: `${version} (${ageDays} days old)` }];
}

/** Since late 2025 yt-dlp needs a JavaScript runtime (deno by default) to solve YouTube's challenges. */
export async function checkDeno(context: Pick<MachineContext, 'platform'>): Promise<CheckResult[]> {
  try {
    const version = (await tool('deno', ['--version'])).match(/deno (\S+)/)?.[1] ?? 'present';
    return [{ name: 'deno', status: 'ok', detail: `${version} (yt-dlp uses it for YouTube)` }];
  } catch {
    return [
      {
        name: 'deno',
        status: 'warn',
        detail: 'not found: current yt-dlp releases need it to download from YouTube (SoundCloud works without)',
        fix: installFix('deno', context.platform),
      },
    ];
  }
}

export async function checkFpcalc(context: MachineContext): Promise<CheckResult[]> {
  try {
    const version =
      (await tool(context.config.media.tools.fpcalc, ['-version'])).match(/version (\S+)/)?.[1] ?? 'present';
    return [{ name: 'fpcalc', status: 'ok', detail: `Chromaprint ${version}` }];
  } catch (error) {
    return [missing('fpcalc', error, true, 'it fingerprints files for deduplication', context.platform)];
  }
}

/** Each configured folder: on a mounted volume, creatable, writable (a real write and delete). */
export async function checkFolders(context: MachineContext): Promise<CheckResult[]> {
  const { paths } = context.config;
  const folders: Array<[string, string | undefined]> = [
    ['OUT_DIR', paths.outDir],
    ['BACKUP_DIR', paths.backupDir],
    ['WAV_BACKUP_DIR', paths.wavBackupDir],
  ];
  const results: CheckResult[] = [];
  for (const [name, folder] of folders) {
    if (!folder) continue;
    const volume = unmountedVolume(folder);
    if (volume) {
      results.push({
        name,
        status: 'fail',
        detail: `${folder}: the volume ${volume} is not mounted`,
        fix: `connect the drive (tracks wait and are retried meanwhile), or set ${name} to a folder on this Mac`,
      });
      continue;
    }
    const probe = join(folder, `.tracksync-doctor-${process.pid}`);
    try {
      mkdirSync(folder, { recursive: true });
      writeFileSync(probe, 'ok');
      rmSync(probe);
      results.push({ name, status: 'ok', detail: `${folder} is writable` });
    } catch (error) {
      results.push({
        name,
        status: 'fail',
        detail: `${folder} is not writable: ${(error as Error).message}`,
        fix: `fix the folder's permissions or set ${name} to another folder`,
      });
    }
  }
  return results;
}

export async function checkEagle(context: MachineContext): Promise<CheckResult[]> {
  const client = EagleClient.fromConfig(context.config as Config, context.fetch, context.clock, context.logger);
  const where = context.config.eagle.apiBase ?? 'the default address (http://localhost:41595)';
  if (await client.health()) return [{ name: 'Eagle', status: 'ok', detail: `reachable at ${where}` }];
  return [
    {
      name: 'Eagle',
      status: 'warn',
      detail: `not reachable at ${where}: tracks are synced and imported into Eagle once it runs`,
      fix: client.explicit ? 'start Eagle, or check EAGLE_API_BASE and EAGLE_TOKEN' : 'start Eagle (optional)',
    },
  ];
}

export async function checkSpotify(context: MachineContext): Promise<CheckResult[]> {
  const spotify = SpotifyService.fromConfig(context.config as Config, context.clock, context.logger);
  if (!spotify)
    return [
      {
        name: 'Spotify',
        status: 'warn',
        detail: 'SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET are not set: Spotify links get no metadata',
        fix: 'create an app at https://developer.spotify.com/dashboard and set both',
      },
    ];
  try {
    // A token and one request: a refused app (no Premium, a user not on the allow-list) still gets tokens.
    await spotify.checkAccess();
    const user = context.config.spotify.refreshToken
      ? ' (with the user refresh token: liked songs readable, and the playlists you own or collaborate on)'
      : '; without SPOTIFY_REFRESH_TOKEN liked songs and playlists cannot be read';
    return [{ name: 'Spotify', status: 'ok', detail: `credentials accepted and the app served${user}` }];
  } catch (raw) {
    const error = coerceError(raw);
    // The refusal's message carries its own fix (Premium, or the allow-list).
    const fix =
      error.code === 'SPOTIFY_APP_REFUSED'
        ? 'see the message: the Spotify dashboard, https://developer.spotify.com/dashboard'
        : 'check SPOTIFY_CLIENT_ID, SPOTIFY_CLIENT_SECRET (and SPOTIFY_REFRESH_TOKEN) in the Spotify dashboard';
    return [{ name: 'Spotify', status: 'fail', detail: error.message, fix }];
  }
}

export async function checkLaunchAgent(context: MachineContext): Promise<CheckResult[]> {
  if (context.platform !== 'darwin')
    return [
      {
        name: 'LaunchAgent',
        status: 'skip',
        detail: `not macOS (${context.platform}): run "tracksync run" under your service manager`,
      },
    ];
  try {
    const state = await new Launchctl({ uid: process.getuid?.() ?? 0 }).print(context.config.launchd.label);
    if (!state.loaded)
      return [
        {
          name: 'LaunchAgent',
          status: 'warn',
          detail: `${context.config.launchd.label} is not loaded: tracksync runs only while started by hand`,
          fix: 'tracksync launchd install',
        },
      ];
    return [
      {
        name: 'LaunchAgent',
        status: 'ok',
        detail: `${context.config.launchd.label} ${state.state ?? 'loaded'}${state.pid ? ` (pid ${state.pid})` : ''}`,
      },
    ];
  } catch (error) {
    return [{ name: 'LaunchAgent', status: 'warn', detail: coerceError(error).message }];
  }
}

/** Every machine check, in the order a person fixes things. */
export async function checkMachine(context: MachineContext): Promise<CheckResult[]> {
  const checks = [
    checkFfmpeg,
    checkYtDlp,
    checkDeno,
    checkFpcalc,
    checkFolders,
    checkEagle,
    checkSpotify,
    checkLaunchAgent,
  ];
  return (await Promise.all(checks.map((check) => check(context)))).flat();
}
