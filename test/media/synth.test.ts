import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { encodeWav, mulberry32, synthesize } from '../../src/media/synth.js';
import { tempDir } from '../helpers/tmp.js';

// The demo, the benchmarks and the tests make their audio here: it must be repeatable and a WAV every tool reads.
describe('synth', () => {
  it('makes the same clip from the same spec, at the asked length, peaking about -1 dBFS', () => {
    const spec = {
      tonic: 9,
      mode: 'minor',
      bpm: 128,
      timbre: 'saw',
      seconds: 2,
      sampleRate: 22_050,
      drums: true,
    } as const;
    const a = synthesize(spec);
    expect(a.length).toBe(2 * 22_050);
    expect(synthesize(spec)).toEqual(a);
    const peak = a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(peak).toBeCloseTo(0.89, 2);
    expect(synthesize({ ...spec, seed: 7 })).not.toEqual(a);
    const random = mulberry32(1);
    const again = mulberry32(1);
    const values = Array.from({ length: 5 }, () => random());
    expect(values).toEqual(Array.from({ length: 5 }, () => again()));
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
  });

  it('writes a 16-bit stereo WAV that ffprobe reads with the right length', async () => {
    const path = join(tempDir(), 'clip.wav');
    writeFileSync(path, encodeWav(synthesize({ tonic: 0, mode: 'major', bpm: 120, timbre: 'sine', seconds: 1.5 })));
    const { stdout } = await execa('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_streams', path]);
    const [stream] = JSON.parse(stdout).streams;
    expect(stream).toMatchObject({ codec_name: 'pcm_s16le', channels: 2, sample_rate: '44100' });
    expect(Number(stream.duration)).toBeCloseTo(1.5, 3);
  });
});
