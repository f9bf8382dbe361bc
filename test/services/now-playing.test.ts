import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '../../src/log.js';
import { spotifyNowPlaying } from '../../src/services/now-playing.js';
import { standIn } from '../helpers/standins.js';
import { tempDir } from '../helpers/tmp.js';

// A music-sync task with no URL first syncs what Spotify plays; anything else (not a Mac, paused, an ad, osascript
// refused) must quietly give nothing, so the fallback chain goes on. The real osascript is macOS only: a stand-in
// (test/fixtures/bin/osascript) answers what the AppleScript would print.
describe('spotifyNowPlaying', () => {
  const osascript = standIn('osascript', tempDir());
  const answer = (stdout: string | undefined): void => {
    const path = join(osascript.dir, 'stdout.txt');
    if (stdout === undefined) rmSync(path, { force: true });
    else writeFileSync(path, stdout);
  };
  const ask = (platform: NodeJS.Platform = 'darwin', nowPlaying = true) =>
    spotifyNowPlaying({
      config: { macos: { osascript: osascript.bin, nowPlaying } } as never,
      platform,
      logger: silentLogger(),
    });

  it('turns the playing track into its open.spotify.com URL, title and artist', async () => {
    answer('spotify:track:4uLU6hMCjMI75M1A2tKUQC\nNever Gonna Give You Up \nRick Astley\n');
    expect(await ask()).toEqual({
      url: 'https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC',
      title: 'Never Gonna Give You Up',
      artist: 'Rick Astley',
    });
    // The script is passed as -e lines, never through a shell, and checks the app runs before it talks to it.
    const args = osascript.calls().at(-1)!;
    expect(args[0]).toBe('-e');
    expect(args[1]).toContain('is running');
  });

  it('gives nothing for an ad, a paused or closed Spotify, a refused osascript, another OS, or when turned off', async () => {
    const calls = osascript.calls().length;
    answer('spotify:ad:000000000000000000000a\nAdvertisement\n\n');
    expect(await ask()).toBeUndefined();
    answer('\n');
    expect(await ask()).toBeUndefined();
    answer(undefined);
    writeFileSync(join(osascript.dir, 'fail'), '');
    expect(await ask()).toBeUndefined();
    rmSync(join(osascript.dir, 'fail'));
    expect(await ask('linux')).toBeUndefined();
    expect(await ask('darwin', false)).toBeUndefined();
    expect(osascript.calls().length - calls).toBe(3); // neither of the last two ran osascript
  });
});
