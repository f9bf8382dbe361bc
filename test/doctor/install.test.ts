import { installFix, installerFor, upgradeFix } from '../../src/doctor/install.js';

// /etc/os-release as the distributions ship it (os-release(5)): ID, and ID_LIKE on derivatives.
const DEBIAN = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n';
const UBUNTU = 'NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\n';
const FEDORA = 'NAME="Fedora Linux"\nID=fedora\n';

describe("doctor's fixes fit the platform", () => {
  it('uses Homebrew on macOS, apt on Debian and Ubuntu, and the project instructions elsewhere', () => {
    expect(installerFor('darwin', undefined)).toBe('brew');
    expect(installerFor('linux', DEBIAN)).toBe('apt');
    expect(installerFor('linux', UBUNTU)).toBe('apt');
    expect(installerFor('linux', FEDORA)).toBe('other');
    expect(installFix('fpcalc', 'darwin')).toBe('brew install chromaprint');
    expect(installFix('fpcalc', 'linux', DEBIAN)).toBe('sudo apt-get install libchromaprint-tools');
    expect(installFix('ffmpeg', 'linux', UBUNTU)).toBe('sudo apt-get install ffmpeg');
    expect(installFix('ffmpeg', 'linux', FEDORA)).toContain('https://ffmpeg.org/download.html');
  });

  it('never tells a Linux user to run brew, and points yt-dlp at its release binary where Debian lags', () => {
    for (const tool of ['ffmpeg', 'ffprobe', 'yt-dlp', 'fpcalc', 'deno']) {
      expect(installFix(tool, 'linux', DEBIAN)).not.toMatch(/\bbrew\b/);
      expect(upgradeFix(tool, 'linux', DEBIAN)).not.toMatch(/\bbrew\b/);
      expect(installFix(tool, 'darwin')).toMatch(/^brew /);
    }
    expect(installFix('yt-dlp', 'linux', DEBIAN)).toContain('the yt-dlp release binary');
    expect(upgradeFix('yt-dlp', 'darwin')).toBe('brew upgrade yt-dlp');
    expect(upgradeFix('yt-dlp', 'linux', DEBIAN)).toContain('yt-dlp -U');
  });
});
