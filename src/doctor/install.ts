import { existsSync, readFileSync } from 'node:fs';

/**
 * How to install or update each tool on the machine doctor runs on: Homebrew on macOS, apt on Debian and Ubuntu, the
 * project's own instructions where a distribution has no (or too old a) package. The platform is injected (tests check
 * both); on Linux /etc/os-release says whether apt is the package manager.
 */

export type Installer = 'brew' | 'apt' | 'other';

export function installerFor(platform: NodeJS.Platform, osRelease: string | undefined = readOsRelease()): Installer {
  if (platform === 'darwin') return 'brew';
  if (platform === 'linux' && osRelease !== undefined && /^(ID|ID_LIKE)=.*\b(debian|ubuntu)\b/m.test(osRelease))
    return 'apt';
  return 'other';
}

function readOsRelease(): string | undefined {
  return existsSync('/etc/os-release') ? readFileSync('/etc/os-release', 'utf8') : undefined;
}

interface Recipe {
  readonly brew: string;
  /** null: Debian's package is missing or too old to use. */
  readonly apt: string | null;
  /** Where no package manager helps. */
  readonly other: string;
}

const RECIPES: Record<string, Recipe> = {
  ffmpeg: {
    brew: 'brew install ffmpeg',
    apt: 'sudo apt-get install ffmpeg',
    other: 'install ffmpeg from your distribution or https://ffmpeg.org/download.html',
  },
  ffprobe: {
    brew: 'brew install ffmpeg (ffprobe comes with it)',
    apt: 'sudo apt-get install ffmpeg (ffprobe comes with it)',
    other: 'install ffmpeg, which includes ffprobe',
  },
  // Debian's yt-dlp lags behind the sites it reads; the release binary updates itself (yt-dlp -U).
  'yt-dlp': {
    brew: 'brew install yt-dlp',
    apt: null,
    other:
      'install the yt-dlp release binary (https://github.com/yt-dlp/yt-dlp#installation), then keep it current with "yt-dlp -U"',
  },
  fpcalc: {
    brew: 'brew install chromaprint',
    apt: 'sudo apt-get install libchromaprint-tools',
    other: "install Chromaprint's fpcalc (https://acoustid.org/chromaprint)",
  },
  deno: {
    brew: 'brew install deno',
    apt: null,
    other: 'install deno (https://docs.deno.com/runtime/getting_started/installation/); yt-dlp finds it on PATH',
  },
  'terminal-notifier': {
    brew: 'brew install terminal-notifier',
    apt: null,
    other: 'notifications exist on macOS only',
  },
};

/** The command (or the instruction) that installs `tool` here. */
export function installFix(tool: string, platform: NodeJS.Platform, osRelease?: string): string {
  const recipe = RECIPES[tool];
  if (!recipe) return `install ${tool}`;
  const installer = installerFor(platform, osRelease);
  return installer === 'brew' ? recipe.brew : installer === 'apt' ? (recipe.apt ?? recipe.other) : recipe.other;
}

/** The command that updates `tool` here (yt-dlp: sites change, releases follow within days). */
export function upgradeFix(tool: string, platform: NodeJS.Platform, osRelease?: string): string {
  const installer = installerFor(platform, osRelease);
  if (tool === 'yt-dlp')
    return installer === 'brew'
      ? 'brew upgrade yt-dlp'
      : "yt-dlp -U (the release binary; Debian's package is updated only with the distribution)";
  if (installer === 'brew') return `brew upgrade ${RECIPES[tool]?.brew.split(' ')[2] ?? tool}`;
  return installFix(tool, platform, osRelease);
}
