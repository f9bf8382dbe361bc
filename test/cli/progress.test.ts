import { execa } from 'execa';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/paths.js';
import { makeClip } from '../helpers/audio.js';
import { cli } from '../helpers/cli.js';
import { pipelineWorld } from '../helpers/pipeline.js';

/** Colour codes (SGR: ESC [ ... m); log-update's cursor movements are other escape sequences. */
const COLOUR = /\x1b\[[0-9;]*m/;
/** The pipeline's checkpointed stage names (handlers/music-track.ts): never shown to a person. */
const INTERNAL = ['same-recording', 'write-back', 'ignored-paths', 'stage:', 'resolve', 'verify'];

describe('live progress and the result table (the CLI under a pseudo-terminal and through a pipe)', async () => {
  const world = await pipelineWorld();
  const { media } = world;
  const env = world.cliEnv('progress-config');
  /** The CLI with a terminal on stdin, stdout and stderr: util-linux `script` gives it a pseudo-terminal. */
  const onTerminal = async (args: string[], environment: Record<string, string>) => {
    const command = [process.execPath, join(packageRoot(), 'bin', 'tracksync.js'), ...args]
      .map((a) => `'${a.replaceAll("'", "'\\''")}'`)
      .join(' ');
    const result = await execa('script', ['-qefc', command, '/dev/null'], {
      reject: false,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        TERM: 'xterm-256color',
        COLUMNS: '120',
        LINES: '40',
        ...environment,
      },
      extendEnv: false,
      cwd: packageRoot(),
    });
    return { exitCode: result.exitCode, output: result.stdout };
  };

  it('on a terminal: the title from the start, its steps in words with step k of n, the overall line, coloured results', async () => {
    const url = await media.addFile(
      'night-bus.mp3',
      await makeClip({ tonic: 5, mode: 'minor', bpm: 122, seconds: 12 }),
    );
    // About 4 s of download (470 KiB at 120 KB/s), so yt-dlp reports its progress several times.
    media.throttle('/audio/night-bus.mp3', 120_000);
    const { exitCode, output } = await onTerminal(['sync', url], env('tty-state'));
    expect(exitCode, output).toBe(0);
    expect(output).toContain('night-bus');
    for (const step of [
      'Looking up the source',
      'Downloading',
      'Converting',
      'Analysing',
      'Placing the files',
      'Writing to Notion',
    ])
      expect(output).toContain(step);
    expect(output).toMatch(/step \d of 6/);
    expect(output).toMatch(/Downloading \d+ % [\d.]+ KiB\/s ETA \d+:\d\d/);
    expect(output).toMatch(/1 of 1 track done · \d+:\d\d/);
    // The result table, coloured on a terminal.
    expect(output).toMatch(/track\s+BPM\s+key\s+Camelot\s+source\s+outcome\s+files/);
    expect(output).toMatch(COLOUR);
    for (const name of INTERNAL) expect(output).not.toContain(name);

    // NO_COLOR (https://no-color.org): the same screens, without colour.
    const plain = await onTerminal(['sync', url], env('tty-state', { NO_COLOR: '1' }));
    expect(plain.exitCode, plain.output).toBe(0);
    expect(plain.output).toContain('already synced');
    expect(plain.output).not.toMatch(COLOUR);
  }, 240_000);

  it('feeds: each feed by name with how far it got, live on a terminal and one line per feed through a pipe', async () => {
    const like = (n: number) => ({
      title: `Progress like ${n}`,
      url: `${media.url}/audio/progress-like-${n}.mp3`,
      durationSeconds: 180,
    });
    media.addSearchResults('progress-profile', [like(3), like(2), like(1)]);
    const feedsConfig = join(world.dir, 'feeds-config.json');
    writeFileSync(
      feedsConfig,
      JSON.stringify({
        claims: { settleMs: 50 },
        shutdown: { graceMs: 300 },
        feeds: { soundcloudLikesUrl: `${media.url}/youtube/search.rss?q={profile}`, spotifyLikes: false },
      }),
    );
    const feedEnv = (name: string) =>
      env(name, { TRACKSYNC_CONFIG: feedsConfig, SOUNDCLOUD_PROFILE: 'progress-profile' });
    const terminal = await onTerminal(['feeds'], feedEnv('feeds-tty'));
    expect(terminal.exitCode, terminal.output).toBe(0);
    const output = terminal.output.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, ''); // colours and cursor moves out
    // The live line: the feed's name (cut to the terminal's width) and how far it got.
    expect(output).toMatch(/SoundCloud likes of p\S*\s+2 of 3 checked: 2 new, 0 already in Music Tracks/);
    expect(output).toMatch(/✓ SoundCloud likes of progress-profile {2}read/);
    expect(output).toMatch(/feed\s+listed\s+new rows\s+already known/);
    // Through a pipe: the feed's start and end lines, not a line per entry; the table on standard output.
    media.addSearchResults('progress-pipe', [like(5), like(4)]);
    const piped = await cli(['feeds'], { ...feedEnv('feeds-tty'), SOUNDCLOUD_PROFILE: 'progress-pipe' });
    expect(piped.exitCode, piped.stderr).toBe(0);
    expect(piped.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/SoundCloud likes of progress-pipe: Reading$/),
      expect.stringMatching(/^✓ SoundCloud likes of progress-pipe {2}read in/),
      expect.stringMatching(/^1 of 1 feed done/),
    ]);
    expect(piped.stdout).toMatch(/SoundCloud likes of progress-pipe\s+2\s+2\s+0/);
  }, 240_000);

  it('through a pipe: one plain line per step, then the table on standard output; -q leaves only the table', async () => {
    const url = await media.addFile('day-tram.mp3', await makeClip({ tonic: 7, mode: 'major', bpm: 118, seconds: 12 }));
    const piped = await cli(['sync', url], env('pipe-state'));
    expect(piped.exitCode, piped.stderr).toBe(0);
    expect(piped.stderr).toMatch(/^\[1\/1\] day-tram: Downloading \(step 2 of 6\)$/m);
    expect(piped.stderr).toMatch(/^\[1\/1\] day-tram: Writing to Notion \(step 6 of 6\)$/m);
    expect(piped.stderr).toMatch(/^✓ day-tram {2}synced in \d+ (s|min)$/m);
    expect(piped.stdout + piped.stderr).not.toMatch(/\x1b\[/);
    expect(piped.stdout).toMatch(/day-tram\s+118(\.\d)?\s+G Major\s+9B\s+Source URL\s+synced/);
    expect(piped.stdout).not.toContain('Downloading');
    for (const name of INTERNAL) expect(piped.stdout + piped.stderr).not.toContain(name);

    const quiet = await cli(['-q', 'sync', url], env('pipe-state'));
    expect(quiet.exitCode).toBe(0);
    expect(quiet.stderr).toBe('');
    expect(quiet.stdout).toContain('already synced');

    // A Spotify track on a machine without Spotify credentials: the cause and the fix, exit 3.
    const noSpotify = Object.fromEntries(Object.entries(env('pipe-state')).filter(([k]) => !k.startsWith('SPOTIFY_')));
    const spotify = await cli(['sync', 'https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC'], noSpotify);
    expect(spotify.exitCode).toBe(3);
    expect(spotify.stdout).toContain('this Spotify track needs SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET');

    const json = await cli(['sync', url, '--json'], env('pipe-state'));
    expect(json.exitCode).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ tracks: [{ outcome: 'already-synced', succeeded: true }] });
  }, 240_000);
});
