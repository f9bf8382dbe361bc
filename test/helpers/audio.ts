import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { encodeWav, synthesize, type SynthSpec } from '../../src/media/synth.js';

const scratch = mkdtempSync(join(tmpdir(), 'tracksync-audio-'));

/** A generated clip with a known key and tempo, as WAV, MP3 (320k) or FLAC bytes. */
export async function makeClip(spec: Partial<SynthSpec> & { format?: 'wav' | 'mp3' | 'flac' } = {}): Promise<Buffer> {
  const full: SynthSpec = { tonic: 9, mode: 'minor', bpm: 128, timbre: 'saw', seconds: 20, ...spec };
  const wav = encodeWav(synthesize(full));
  const format = spec.format ?? 'mp3';
  if (format === 'wav') return wav;
  const base = join(scratch, `${Math.random().toString(36).slice(2)}`);
  writeFileSync(`${base}.wav`, wav);
  const args = format === 'mp3' ? ['-c:a', 'libmp3lame', '-b:a', '320k'] : ['-c:a', 'flac'];
  await execa('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-i', `${base}.wav`, ...args, `${base}.${format}`]);
  return readFileSync(`${base}.${format}`);
}
