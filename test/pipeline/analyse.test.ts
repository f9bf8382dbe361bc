import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyseAudio, analysisWindow } from '../../src/pipeline/analyse.js';
import { ANALYSIS_RATE, decode } from '../../src/pipeline/convert.js';
import { makeClip } from '../helpers/audio.js';
import { stageDeps } from '../helpers/pipeline.js';
import { tempDir } from '../helpers/tmp.js';

// What the row gets from the audio: BPM, key and Camelot from the middle of the track, loudness as measured.
describe('analyse', () => {
  it('takes the middle of the track, all of it when shorter than the window', () => {
    const pcm = Float32Array.from({ length: 100 }, (_, i) => i);
    const window = analysisWindow(pcm, 10, 4);
    expect([window.length, window[0], window.at(-1)]).toEqual([40, 30, 69]);
    expect(analysisWindow(pcm, 10, 60)).toHaveLength(100);
  });

  it('reads tempo, key and loudness of a decoded clip; less than a second of audio is corrupt media', async () => {
    const dir = tempDir('tracksync-analyse-');
    const deps = stageDeps(dir);
    const mp3 = join(dir, 'clip.mp3');
    writeFileSync(mp3, await makeClip({ tonic: 7, mode: 'major', bpm: 124, seconds: 12, format: 'mp3' }));
    const decoded = await decode(deps, { path: mp3, probe: await deps.ffmpeg.probe(mp3) }, false);
    const analysis = await analyseAudio(deps, decoded);
    expect(analysis).toMatchObject({ key: 'G Major', camelot: '9B', loudnessLufs: decoded.loudnessLufs });
    expect(Math.abs(analysis.bpm! - 124)).toBeLessThanOrEqual(1);
    expect(analysis.loudnessLufs).toBeLessThan(0);

    const short = join(dir, 'short.f32');
    writeFileSync(short, Buffer.alloc((ANALYSIS_RATE / 2) * 4));
    await expect(analyseAudio(deps, { ...decoded, pcmPath: short })).rejects.toMatchObject({ code: 'CORRUPT_MEDIA' });
  });
});
