import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import { mulberry32 } from '../../src/media/synth.js';
import { ANALYSIS_RATE } from '../../src/pipeline/convert.js';
import { arrange, songSpec, type SongSpec } from './arrange.js';
import { readTemposBpm, writeMidi } from './midi.js';

/**
 * Renders the realistic corpus into a cache folder: each song's MIDI through fluidsynth with the General MIDI
 * soundfont Debian ships (fluid-soundfont-gm), then "mastered" with ffmpeg (compressor, then a limiter pushing the
 * level as releases do) and encoded to MP3. Files are named by a hash of everything that shaped them, so a change to
 * the arrangements or the mastering renders again instead of reusing stale audio. Nothing here is committed.
 */

/**
 * The General MIDI soundfont: TRACKSYNC_SOUNDFONT when set, else FluidR3_GM where Debian and Ubuntu
 * (fluid-soundfont-gm) or Fedora and Arch put it. Homebrew ships none: on a Mac, download FluidR3_GM.sf2 (MIT) and
 * point TRACKSYNC_SOUNDFONT at it (README, Setup). A cache rendered with another soundfont: delete bench/.cache.
 */
export const SOUNDFONT =
  process.env.TRACKSYNC_SOUNDFONT ??
  [
    '/usr/share/sounds/sf2/FluidR3_GM.sf2',
    '/usr/share/soundfonts/FluidR3_GM.sf2',
    '/usr/share/soundfonts/FluidR3_GM2-2.sf2',
  ].find((path) => existsSync(path)) ??
  '/usr/share/sounds/sf2/FluidR3_GM.sf2';

export interface CorpusTrack {
  readonly path: string;
  readonly spec: SongSpec;
  readonly progressions: readonly string[];
  /** Which half: tuning (even seeds) or held-out (odd seeds). */
  readonly half: 'tuning' | 'held-out';
}

export function halfOf(seed: number): 'tuning' | 'held-out' {
  return seed % 2 === 0 ? 'tuning' : 'held-out';
}

/** ffmpeg's mastering chain for a song: a bus compressor, a drive of 3-9 dB into a limiter, a high-pass for rumble. */
function masteringFilter(spec: SongSpec): string {
  const random = mulberry32(spec.seed * 31 + 5);
  const driveDb = (3 + random() * 6).toFixed(1);
  return [
    'highpass=f=28',
    'acompressor=threshold=0.125:ratio=3:attack=15:release=180:makeup=1.5',
    `volume=${driveDb}dB`,
    'alimiter=limit=0.89:attack=5:release=60:level=false',
  ].join(',');
}

export function missingTools(): string[] {
  const missing: string[] = [];
  if (!existsSync(SOUNDFONT))
    missing.push(
      `${SOUNDFONT} (Debian package fluid-soundfont-gm; elsewhere set TRACKSYNC_SOUNDFONT to a General MIDI .sf2)`,
    );
  return missing;
}

/** Renders one song to `dir` unless an identical render is there already; returns the MP3's path. */
export async function renderSong(spec: SongSpec, dir: string): Promise<CorpusTrack> {
  const song = arrange(spec);
  const midi = writeMidi(spec.bpm, song.tracks);
  const filter = masteringFilter(spec);
  const hash = createHash('sha256')
    .update(midi)
    .update(filter)
    .update(String(spec.bitrateKbps))
    .digest('hex')
    .slice(0, 12);
  const base = join(dir, `${String(spec.seed).padStart(4, '0')}-${spec.style}-${hash}`);
  const track: CorpusTrack = { path: `${base}.mp3`, spec, progressions: song.progressions, half: halfOf(spec.seed) };
  if (existsSync(track.path)) return track;
  mkdirSync(dir, { recursive: true });
  const tmp = `${base}.tmp`;
  try {
    writeFileSync(`${tmp}.mid`, midi);
    // -n no MIDI input, -i no shell, -q quiet, -F render to a file as fast as possible; reverb and chorus on.
    await execa('fluidsynth', [
      '-n',
      '-i',
      '-q',
      '-R',
      '1',
      '-C',
      '1',
      '-g',
      '0.45',
      '-r',
      '44100',
      '-F',
      `${tmp}.wav`,
      SOUNDFONT,
      `${tmp}.mid`,
    ]);
    await execa('ffmpeg', [
      '-nostdin',
      '-v',
      'error',
      '-y',
      '-i',
      `${tmp}.wav`,
      '-af',
      filter,
      '-c:a',
      'libmp3lame',
      '-b:a',
      `${spec.bitrateKbps}k`,
      '-f',
      'mp3',
      `${tmp}.mp3`,
    ]);
    writeFileSync(
      `${base}.json`,
      `${JSON.stringify({ ...spec, progressions: song.progressions, seconds: Math.round(song.seconds * 10) / 10 }, null, 1)}\n`,
    );
    renameSync(`${tmp}.mp3`, track.path);
  } finally {
    for (const ext of ['mid', 'wav', 'mp3']) rmSync(`${tmp}.${ext}`, { force: true });
  }
  return track;
}

/**
 * A rendered song as the pipeline analyses it: ffmpeg's resampler to mono 32-bit float at the pipeline's analysis rate
 * (src/pipeline/convert.ts), through a file in `scratch`.
 */
export async function decodeForAnalysis(path: string, scratch: string): Promise<Float32Array> {
  const out = join(scratch, `${basename(path)}.f32`);
  await execa('ffmpeg', [
    '-nostdin',
    '-v',
    'error',
    '-y',
    '-i',
    path,
    '-filter_complex',
    `[0:a]aresample=${ANALYSIS_RATE},aformat=sample_fmts=flt:channel_layouts=mono[p]`,
    '-map',
    '[p]',
    '-f',
    'f32le',
    out,
  ]);
  const bytes = readFileSync(out);
  rmSync(out, { force: true });
  return new Float32Array(bytes.buffer, bytes.byteOffset, Math.floor(bytes.length / 4)).slice();
}

/** Renders the songs for `seeds` (two at a time per core is too many on a shared machine: one per core). */
export async function renderCorpus(
  seeds: readonly number[],
  dir: string,
  onProgress?: (done: number, total: number) => void,
): Promise<CorpusTrack[]> {
  const results: CorpusTrack[] = new Array(seeds.length);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < seeds.length) {
      const index = next++;
      results[index] = await renderSong(songSpec(seeds[index]!), dir);
      onProgress?.(++done, seeds.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(availableParallelism(), 4)) }, worker));
  return results;
}

/** Corpus seeds of one half: 1..count*2, odd for held-out, even for tuning. */
export function seedsOf(half: 'tuning' | 'held-out', count: number): number[] {
  return Array.from({ length: count }, (_, i) => 2 * i + (half === 'held-out' ? 1 : 2));
}

// ---------------------------------------------------------------------------------------------------------------
// Real recordings

export interface RealTrack {
  readonly name: string;
  readonly path: string;
  readonly bpm: number;
}

/** Where Debian's fretsonfire-songs-muldjord and fretsonfire-songs-sectoid install their songs. */
export const FRETSONFIRE_SONGS = '/usr/share/games/fretsonfire/data/songs';

/**
 * Real recorded songs with a documented tempo: the Frets on Fire song packages (CC BY-SA 3.0, metal by Muldjord and
 * Sectoid). Each song folder has the band (song.ogg) and guitar (guitar.ogg) stems and the game's note chart
 * (notes.mid), whose tempo map the game scrolls by, so it follows the recording. Songs with a tempo change are left
 * out. The stems are mixed into one MP3 in the cache.
 */
export async function realTracks(dir: string, root = FRETSONFIRE_SONGS): Promise<RealTrack[]> {
  if (!existsSync(root)) return [];
  const tracks: RealTrack[] = [];
  for (const pack of readdirSync(root).sort()) {
    const packDir = join(root, pack);
    if (!existsSync(join(packDir, 'library.ini'))) continue;
    for (const song of readdirSync(packDir).sort()) {
      const folder = join(packDir, song);
      const chart = join(folder, 'notes.mid');
      const stems = ['song.ogg', 'guitar.ogg', 'rhythm.ogg'].map((f) => join(folder, f)).filter(existsSync);
      if (!existsSync(chart) || stems.length === 0) continue;
      const tempos = readTemposBpm(readFileSync(chart));
      if (tempos.length === 0 || tempos.some((t) => Math.abs(t - tempos[0]!) > 0.01)) continue;
      const path = join(dir, `real-${pack}-${song.replace(/[^\w-]+/g, '_')}.mp3`);
      if (!existsSync(path)) {
        mkdirSync(dir, { recursive: true });
        const inputs = stems.flatMap((s) => ['-i', s]);
        const mix = stems.length > 1 ? ['-filter_complex', `amix=inputs=${stems.length}:normalize=0`] : [];
        await execa('ffmpeg', [
          '-nostdin',
          '-v',
          'error',
          '-y',
          ...inputs,
          ...mix,
          '-c:a',
          'libmp3lame',
          '-b:a',
          '256k',
          '-f',
          'mp3',
          `${path}.tmp`,
        ]);
        renameSync(`${path}.tmp`, path);
      }
      tracks.push({ name: `${pack}/${song}`, path, bpm: Math.round(tempos[0]! * 100) / 100 });
    }
  }
  return tracks;
}
