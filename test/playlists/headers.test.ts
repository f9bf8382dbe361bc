import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { parseFile } from 'music-metadata';
import { encodeWav, synthesize } from '../../src/media/synth.js';
import { writeTags } from '../../src/media/tags.js';
import { readAudioHeader } from '../../src/playlists/headers.js';
import { tempDir } from '../helpers/tmp.js';

describe('audio headers for rekordbox (sample rate, bit rate, duration)', () => {
  const dir = tempDir();

  it('reads AIFF and WAV as music-metadata does, whatever their depth, rate, channels and tags', async () => {
    const source = join(dir, 'source.wav');
    writeFileSync(source, encodeWav(synthesize({ tonic: 2, mode: 'major', bpm: 120, timbre: 'organ', seconds: 1.5 })));
    const variants: Array<[string, string[]]> = [
      ['16-44-stereo.aiff', ['-c:a', 'pcm_s16be']],
      ['24-48-stereo.aiff', ['-c:a', 'pcm_s24be', '-ar', '48000']],
      ['16-22-mono.aiff', ['-c:a', 'pcm_s16be', '-ar', '22050', '-ac', '1']],
      ['16-44-stereo.wav', ['-c:a', 'pcm_s16le']],
      ['24-96-stereo.wav', ['-c:a', 'pcm_s24le', '-ar', '96000']],
      ['32f-48.wav', ['-c:a', 'pcm_f32le', '-ar', '48000']],
      ['alac.m4a', ['-c:a', 'alac']],
      ['tagged.aiff', ['-c:a', 'pcm_s16be']],
      ['tagged.wav', ['-c:a', 'pcm_s24le']],
    ];
    const art = join(dir, 'art.jpg');
    await execa('ffmpeg', [
      '-nostdin',
      '-v',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'testsrc=s=800x800',
      '-frames:v',
      '1',
      art,
    ]);
    for (const [name, args] of variants) {
      const path = join(dir, name);
      await execa('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-i', source, ...args, path]);
      // tracksync's own tags, artwork included: chunks before or after the ones read here.
      if (name.startsWith('tagged'))
        writeTags(path, {
          title: 'T',
          artist: 'A',
          album: 'B',
          genre: 'House',
          bpm: 120,
          key: 'D Major',
          camelot: '10B',
          artworkPath: art,
        });
      const ours = await readAudioHeader(path);
      const { format } = await parseFile(path);
      expect({ name, ...ours, durationSeconds: Number(ours.durationSeconds?.toFixed(3)) }).toEqual({
        name,
        sampleRateHz: format.sampleRate,
        bitRateKbps: Math.round(format.bitrate! / 1000),
        durationSeconds: Number(format.duration!.toFixed(3)),
      });
    }
  });

  it('finds the format chunk past the first 4 KiB read (a large chunk before it)', async () => {
    const plain = encodeWav(synthesize({ tonic: 5, mode: 'minor', bpm: 100, timbre: 'organ', seconds: 1 }));
    const pad = Buffer.concat([Buffer.from('junk'), Buffer.alloc(4), Buffer.alloc(9001), Buffer.alloc(1)]);
    pad.writeUInt32LE(9001, 4); // an odd length: the chunk is padded to an even one
    const body = Buffer.concat([plain.subarray(0, 12), pad, plain.subarray(12)]);
    body.writeUInt32LE(body.length - 8, 4);
    const path = join(dir, 'late-format.wav');
    writeFileSync(path, body);
    const { format } = await parseFile(path);
    const ours = await readAudioHeader(path);
    expect(ours.sampleRateHz).toBe(format.sampleRate);
    expect(ours.bitRateKbps).toBe(Math.round(format.bitrate! / 1000));
    expect(ours.durationSeconds).toBeCloseTo(1, 3);
  });

  it('leaves a WAV without a format chunk to music-metadata, and says nothing it does not know', async () => {
    const odd = join(dir, 'odd.wav');
    writeFileSync(
      odd,
      Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WAVE'), Buffer.from('junk'), Buffer.alloc(4)]),
    );
    expect(await readAudioHeader(odd)).toEqual({ sampleRateHz: 0, bitRateKbps: 0, durationSeconds: null });
  });
});
