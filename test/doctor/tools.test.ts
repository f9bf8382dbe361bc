import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock, type Clock } from '../../src/clock.js';
import { loadConfig } from '../../src/config/load.js';
import { checkFfmpeg, checkFolders, checkFpcalc, checkYtDlp, type MachineContext } from '../../src/doctor/tools.js';
import { installFix } from '../../src/doctor/install.js';
import { silentLogger } from '../../src/log.js';
import { tempDir } from '../helpers/tmp.js';

// Doctor runs the real tools and writes in the real folders, so its OK means a sync can work; a missing tool or an
// unwritable folder is a FAIL with the command that fixes it, and an old yt-dlp (sites break it) a warning.
describe('the machine checks of doctor (src/doctor/tools.ts)', () => {
  const dir = tempDir('tracksync-doctor-tools-');
  const config = loadConfig({
    env: {
      NOTION_TOKEN: 'secret_doctor_tools',
      TRACKS_DB_ID: '0123456789abcdef0123456789abcdef',
      TRACKSYNC_STATE_DIR: join(dir, 'state'),
      OUT_DIR: join(dir, 'music'),
    },
    cwd: dir,
  });
  const context = (extra: Partial<MachineContext> = {}): MachineContext => ({
    config,
    logger: silentLogger(),
    clock: systemClock,
    platform: 'linux',
    fetch: globalThis.fetch.bind(globalThis),
    ...extra,
  });
  const withTools = (tools: Partial<typeof config.media.tools>): MachineContext['config'] => ({
    ...config,
    media: { ...config.media, tools: { ...config.media.tools, ...tools } },
  });

  it('finds ffmpeg with its ALAC encoder and fpcalc; a missing ffmpeg fails with the install command', async () => {
    expect((await checkFfmpeg(context()))[0]).toMatchObject({ name: 'ffmpeg', status: 'ok' });
    expect((await checkFfmpeg(context()))[0]!.detail).toMatch(/ALAC encoder present$/);
    expect(await checkFpcalc(context())).toEqual([expect.objectContaining({ name: 'fpcalc', status: 'ok' })]);
    const missing = await checkFfmpeg(context({ config: withTools({ ffmpeg: join(dir, 'no-ffmpeg') }) }));
    expect(missing).toEqual([
      {
        name: 'ffmpeg',
        status: 'fail',
        detail: 'not found (it converts every track)',
        fix: installFix('ffmpeg', 'linux'),
      },
    ]);
  });

  it('judges yt-dlp by the age of its release date: OK when recent, a warning with the upgrade past 60 days', async () => {
    const version = (await checkYtDlp(context()))[0]!.detail.split(' ')[0]!;
    // The version is the release date (YYYY.MM.DD); the clock is set relative to it.
    const [year, month, day] = version.split('.').map(Number);
    const released = Date.UTC(year!, month! - 1, day!);
    const at = (days: number): Clock => ({ ...systemClock, now: () => released + days * 86_400_000 });
    expect(await checkYtDlp(context({ clock: at(10) }))).toEqual([
      { name: 'yt-dlp', status: 'ok', detail: `${version} (10 days old)` },
    ]);
    const old = (await checkYtDlp(context({ clock: at(61) })))[0]!;
    expect(old).toMatchObject({
      status: 'warn',
      detail: `${version} is 61 days old; YouTube and SoundCloud downloads break with old releases`,
    });
    expect(old.fix).toContain('yt-dlp');
  });

  it('writes in each configured folder (creating it); a path it cannot create fails with the setting to change', async () => {
    expect(await checkFolders(context())).toEqual([
      { name: 'OUT_DIR', status: 'ok', detail: `${join(dir, 'music')} is writable` },
    ]);
    // A file where the folder should be: no user (not even root) can create a folder under it.
    writeFileSync(join(dir, 'a-file'), '');
    const blocked = join(dir, 'a-file', 'music');
    const result = await checkFolders(context({ config: { ...config, paths: { ...config.paths, outDir: blocked } } }));
    expect(result).toEqual([
      expect.objectContaining({
        name: 'OUT_DIR',
        status: 'fail',
        detail: expect.stringContaining(`${blocked} is not writable`),
        fix: "fix the folder's permissions or set OUT_DIR to another folder",
      }),
    ]);
  });
});
