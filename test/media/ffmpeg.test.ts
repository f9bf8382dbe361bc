import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { TrackSyncError } from '../../src/errors.js';
import { Ffmpeg, parseLoudness } from '../../src/media/ffmpeg.js';
import { makeClip } from '../helpers/audio.js';
import { tempDir } from '../helpers/tmp.js';

// The real ffmpeg and ffprobe: what a download holds, one run that encodes and measures, and a refusal of files that
// would make ffmpeg open other files.
describe('Ffmpeg', async () => {
  const dir = tempDir('tracksync-ffmpeg-');
  const config = loadConfig({
    env: { NOTION_TOKEN: 'ntn_test_123456', TRACKS_DB_ID: '27ce73616c2780fbb40efefdd47d6640' },
    cwd: dir,
  });
  const ffmpeg = new Ffmpeg(config);
  const wav = join(dir, 'clip.wav');
  writeFileSync(wav, await makeClip({ seconds: 6, format: 'wav' }));
  const mp3 = join(dir, 'clip.mp3');
  writeFileSync(mp3, await makeClip({ seconds: 6, format: 'mp3' }));

  it('probes duration, codec and losslessness', async () => {
    const probe = await ffmpeg.probe(wav);
    expect(probe).toMatchObject({ hasAudio: true, lossless: true, bitDepth: 16, channels: 2, sampleRate: 44_100 });
    expect(probe.durationSeconds).toBeCloseTo(6, 1);
    expect(await ffmpeg.probe(mp3)).toMatchObject({ hasAudio: true, lossless: false, bitDepth: null, codec: 'mp3' });
  });

  it('refuses a playlist that names other files, as UNSAFE_MEDIA naming the demuxer', async () => {
    const playlist = join(dir, 'track.m3u8');
    writeFileSync(playlist, `#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:6,\n${wav}\n#EXT-X-ENDLIST\n`);
    const error = await ffmpeg.probe(playlist).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrackSyncError);
    expect(error).toMatchObject({ code: 'UNSAFE_MEDIA', details: { demuxer: 'hls' } });
  });

  it('encodes, writes the analysis audio and measures loudness in one run', async () => {
    const outputs = { m4a: join(dir, 'out.m4a'), aiff: join(dir, 'out.aiff') };
    const pcmPath = join(dir, 'out.pcm');
    const result = await ffmpeg.processTrack({
      input: mp3,
      outputs,
      bitDepth: 16,
      sampleRate: 44_100,
      pcmPath,
      analysisRate: 22_050,
    });
    expect(result.loudness?.integratedLufs).toBeLessThan(0);
    expect(result.loudness?.integratedLufs).toBeGreaterThan(-40);
    expect(await ffmpeg.probe(outputs.m4a)).toMatchObject({ codec: 'alac', lossless: true });
    expect(await ffmpeg.probe(outputs.aiff)).toMatchObject({ lossless: true, bitDepth: 16 });
    // Mono 32-bit float at 22.05 kHz: 4 bytes a sample for the clip's 6 s.
    expect(statSync(pcmPath).size / 4 / 22_050).toBeCloseTo(6, 0);
  });

  it('reads the integrated loudness of the last summary, and none for silence', () => {
    expect(parseLoudness('I: -20.0 LUFS\nSummary:\n  Integrated loudness:\n    I:         -14.2 LUFS\n')).toEqual({
      integratedLufs: -14.2,
    });
    expect(parseLoudness('Summary:\n    I:         -70.0 LUFS\n')).toBeNull();
    expect(parseLoudness('Summary:\n    I:         -inf LUFS\n')).toBeNull();
    expect(parseLoudness('no summary')).toBeNull();
  });
});
