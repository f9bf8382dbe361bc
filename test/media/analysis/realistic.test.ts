import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import type { SongSpec } from '../../../bench/corpus/arrange.js';
import { renderSong } from '../../../bench/corpus/render.js';
import { detectKey, keyName } from '../../../src/media/analysis/key.js';
import { detectTempo } from '../../../src/media/analysis/tempo.js';

/**
 * Issue 16's error patterns on realistic material: arrangements from the benchmark's generator (bench/corpus),
 * rendered by fluidsynth with the General MIDI soundfont (Debian: fluidsynth, fluid-soundfont-gm), mastered and
 * encoded to MP3, then decoded as the pipeline does (22.05 kHz mono float). The analyser before issue 16 read the
 * first song as its dominant, doubled the ballad and halved the rock groove.
 */
const RATE = 22_050;
const RANGE = { minBpm: 70, maxBpm: 180 };
const dir = mkdtempSync(join(tmpdir(), 'tracksync-realistic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function render(spec: SongSpec): Promise<Float32Array> {
  const { path } = await renderSong(spec, dir);
  const pcm = join(dir, `${spec.seed}.f32`);
  await execa('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-i', path, '-filter_complex', `[0:a]aresample=${RATE},aformat=sample_fmts=flt:channel_layouts=mono[p]`, '-map', '[p]', '-f', 'f32le', pcm]);
  const bytes = readFileSync(pcm);
  return new Float32Array(bytes.buffer, bytes.byteOffset, Math.floor(bytes.length / 4)).slice();
}

const song = (spec: Omit<SongSpec, 'detuneCents' | 'bitrateKbps'>): SongSpec => ({ detuneCents: 0, bitrateKbps: 192, ...spec });

describe('realistic songs (fluidsynth)', () => {
  it('reads a major song whose loop starts on vi (vi IV I V) in its key, not the relative minor or the dominant', async () => {
    const pcm = await render(song({ seed: 9001, style: 'pop', tonic: 0, mode: 'major', bpm: 104, progressions: ['vi IV I V', 'IV I V vi'] }));
    expect(detectKey(pcm, RATE)?.name).toBe(keyName(0, 'major'));
  });

  it('does not double a ballad with a backbeat (snare on 2 and 4 at 76 BPM)', async () => {
    const pcm = await render(song({ seed: 9002, style: 'ballad', tonic: 9, mode: 'minor', bpm: 76 }));
    const bpm = detectTempo(pcm, RATE, RANGE)?.bpm;
    expect(bpm).toBeGreaterThanOrEqual(75);
    expect(bpm).toBeLessThanOrEqual(77);
  });

  it('does not halve a fast rock groove (kick on 1 and 3, snare on 2 and 4 at 160 BPM)', async () => {
    const pcm = await render(song({ seed: 9003, style: 'rock', tonic: 4, mode: 'minor', bpm: 160 }));
    const bpm = detectTempo(pcm, RATE, RANGE)?.bpm;
    expect(bpm).toBeGreaterThanOrEqual(159);
    expect(bpm).toBeLessThanOrEqual(161);
  });
});
