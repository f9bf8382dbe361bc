import { writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CheckResult } from '../../../src/doctor/checks.js';
import { cli } from '../../helpers/cli.js';
import { pipelineWorld } from '../../helpers/pipeline.js';

interface Report {
  ok: boolean;
  checks: CheckResult[];
  mapping: Array<{ database: string; field: string; property: string | null }>;
}

describe('tracksync doctor', async () => {
  const world = await pipelineWorld();
  const eagle = await world.eagle();
  const env = (extra: Record<string, string> = {}) => ({
    ...world.sandbox.env(),
    ...world.env(),
    EAGLE_API_BASE: eagle.url,
    TRACKSYNC_STATE_DIR: join(world.dir, 'doctor-state'),
    ...extra,
  });
  const doctor = async (
    extra: Record<string, string> = {},
  ): Promise<{ exitCode: number; report: Report; text: string }> => {
    const json = await cli(['doctor', '--json'], env(extra));
    const text = await cli(['doctor'], env(extra));
    expect(text.exitCode).toBe(json.exitCode);
    return { exitCode: json.exitCode ?? -1, report: JSON.parse(json.stdout) as Report, text: text.stdout };
  };
  const check = (report: Report, name: string): CheckResult => {
    const found = report.checks.find((c) => c.name === name);
    if (!found) throw new Error(`no "${name}" check in ${JSON.stringify(report.checks.map((c) => c.name))}`);
    return found;
  };

  it('checks the tools, Notion and its schema, the folders, Eagle, Spotify and the LaunchAgent, and passes on a working setup', async () => {
    const { exitCode, report, text } = await doctor();
    expect(report.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(exitCode).toBe(0);
    expect(check(report, 'ffmpeg')).toMatchObject({
      status: 'ok',
      detail: expect.stringContaining('ALAC encoder present'),
    });
    expect(check(report, 'ffmpeg chromaprint').status).toBe('ok');
    expect(check(report, 'fpcalc').status).toBe('ok');
    expect(['ok', 'warn']).toContain(check(report, 'yt-dlp').status);
    expect(['ok', 'warn']).toContain(check(report, 'deno').status);
    expect(check(report, 'Notion token').status).toBe('ok');
    expect(check(report, 'Notion databases').status).toBe('ok');
    expect(check(report, 'OUT_DIR')).toMatchObject({ status: 'ok', detail: `${world.outDir} is writable` });
    expect(check(report, 'WAV_BACKUP_DIR').status).toBe('ok');
    expect(check(report, 'Eagle')).toMatchObject({ status: 'ok', detail: `reachable at ${eagle.url}` });
    expect(check(report, 'Spotify')).toMatchObject({
      status: 'ok',
      detail: expect.stringContaining('liked songs readable'),
    });
    expect(check(report, 'LaunchAgent').status).toBe('skip');
    expect(report.mapping.find((m) => m.database === 'Music Tracks' && m.field === 'lock')?.property).toBe(
      'Processing Lock',
    );
    // Playlist export: targets and folder, where each playlist's tracks come from, which properties are written back.
    expect(check(report, 'Playlist export')).toMatchObject({
      status: 'ok',
      detail: `M3U8 on, rekordbox xml on, Apple Music off; folder ${join(world.outDir, 'Playlists (tracksync)')} (created at the first export)`,
    });
    expect(check(report, 'Playlist tracks')).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('each playlist\'s tracks come from the "Playlists" relation of Music Tracks'),
    });
    expect(check(report, 'Playlist write-back').detail).toBe(
      'writes nothing back; add "Exported At" (date), "Exported Tracks" (number), "Missing Tracks" (rich text), "Export File" (rich text) to Music Playlists to have them filled too',
    );
    expect(report.mapping.find((m) => m.database === 'Music Playlists' && m.field === 'tracks')?.property).toBeNull();
    expect(text).toContain('Nothing blocks the job.');
  });

  it('fails when Spotify refuses the app (a user not on its allow-list), saying so and how to fix it', async () => {
    world.spotify.setUserAllowed(false);
    onTestFinished(() => world.spotify.setUserAllowed(true));
    const { exitCode, report } = await doctor();
    expect(exitCode).toBe(2);
    const spotify = check(report, 'Spotify');
    expect(spotify.status).toBe('fail');
    expect(spotify.detail).toContain("not on the app's allow-list");
    expect(spotify.detail).toContain('User Management');
  });

  it('fails with the fix for a rejected Spotify secret, an unmounted volume and a missing yt-dlp; warns on an old yt-dlp', async () => {
    const configPath = join(world.dir, 'doctor-missing-tools.json');
    writeFileSync(
      configPath,
      JSON.stringify({ media: { tools: { ytDlp: join(world.dir, 'no-such-dir', 'yt-dlp') } } }),
    );
    const { exitCode, report, text } = await doctor({
      SPOTIFY_CLIENT_SECRET: 'wrong-secret',
      BACKUP_DIR: '/Volumes/DJ-SSD-not-here/Djay',
      TRACKSYNC_CONFIG: configPath,
    });
    expect(exitCode).toBe(2);
    expect(check(report, 'Spotify')).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('SPOTIFY_CLIENT_SECRET'),
    });
    expect(check(report, 'BACKUP_DIR')).toMatchObject({
      status: 'fail',
      detail: '/Volumes/DJ-SSD-not-here/Djay: the volume /Volumes/DJ-SSD-not-here is not mounted',
    });
    // The fix fits the machine (doctor/install.ts; both platforms are checked in test/doctor/install.test.ts).
    const ytDlpFix = process.platform === 'darwin' ? 'brew install yt-dlp' : 'the yt-dlp release binary';
    expect(check(report, 'yt-dlp')).toMatchObject({ status: 'fail', fix: expect.stringContaining(ytDlpFix) });
    expect(text).toContain('FAIL  BACKUP_DIR');
    expect(text).toContain('      fix: connect the drive');
    expect(text).toContain('Something blocks the job');

    // A yt-dlp that reports a release from 400 days ago.
    const old = new Date(Date.now() - 400 * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '.');
    const bin = join(world.dir, 'old-yt-dlp', 'yt-dlp');
    mkdirSync(dirname(bin), { recursive: true });
    writeFileSync(bin, `#!/bin/sh\necho ${old}\n`);
    chmodSync(bin, 0o755);
    writeFileSync(configPath, JSON.stringify({ media: { tools: { ytDlp: bin } } }));
    const aged = await doctor({ TRACKSYNC_CONFIG: configPath });
    expect(check(aged.report, 'yt-dlp')).toMatchObject({
      status: 'warn',
      detail: `${old} is 400 days old; YouTube and SoundCloud downloads break with old releases`,
    });
  });

  it('still checks the tools when the configuration is broken, so one run lists everything', async () => {
    const result = await cli(['doctor', '--json'], { TRACKSYNC_STATE_DIR: join(world.dir, 'broken-state') });
    expect(result.exitCode).toBe(2);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.checks.filter((c) => c.name === 'configuration').map((c) => c.detail)).toEqual([
      expect.stringContaining('NOTION_TOKEN: is not set'),
      expect.stringContaining('TRACKS_DB_ID: is not set'),
    ]);
    expect(check(report, 'ffmpeg').status).toBe('ok');
  });
});
