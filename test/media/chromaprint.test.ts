import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { compressFingerprint, fingerprintFile, similarity } from '../../src/media/chromaprint.js';
import { loadConfig } from '../../src/config/load.js';
import { makeClip } from '../helpers/audio.js';

describe('fingerprint similarity with the real fpcalc', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tracksync-fp-'));
  const config = loadConfig({
    env: { NOTION_TOKEN: 'ntn_x_123456', TRACKS_DB_ID: '27ce73616c2780fbb40efefdd47d6640' },
    cwd: dir,
  });

  it('recognises a re-encode and a copy with a silent lead-in, and tells unrelated audio apart', async () => {
    const original = join(dir, 'a.wav');
    writeFileSync(original, await makeClip({ tonic: 2, mode: 'major', bpm: 124, seconds: 30, format: 'wav' }));
    await execa('ffmpeg', ['-v', 'error', '-y', '-i', original, '-b:a', '128k', join(dir, 'a.mp3')]);
    await execa('ffmpeg', ['-v', 'error', '-y', '-i', original, '-af', 'adelay=2000:all=1', join(dir, 'padded.wav')]);
    writeFileSync(
      join(dir, 'other.wav'),
      await makeClip({ tonic: 7, mode: 'minor', bpm: 90, timbre: 'organ', seconds: 30, format: 'wav' }),
    );
    const [a, mp3, padded, other] = await Promise.all(
      ['a.wav', 'a.mp3', 'padded.wav', 'other.wav'].map((f) => fingerprintFile(config, join(dir, f))),
    );
    expect(a!.compressed).toMatch(/^AQA/);
    expect(similarity(a!.raw, a!.raw)).toBe(1);
    expect(similarity(a!.raw, mp3!.raw)).toBeGreaterThan(0.9);
    expect(similarity(a!.raw, padded!.raw)).toBeGreaterThan(0.9);
    expect(similarity(a!.raw, other!.raw)).toBeLessThan(0.7);
  });

  it('computes the compressed form from the raw items exactly as fpcalc prints it (one fpcalc run per file)', async () => {
    writeFileSync(
      join(dir, 'long.wav'),
      await makeClip({ tonic: 5, mode: 'minor', bpm: 128, seconds: 45, format: 'wav' }),
    );
    for (const file of ['a.wav', 'a.mp3', 'other.wav', 'long.wav']) {
      // fpcalc's own compressed output, from a run of its own (exit 3 at the end of a file is fpcalc's normal ending).
      const run = await execa('fpcalc', ['-json', '-length', '0', join(dir, file)], { reject: false });
      const expected = (JSON.parse(run.stdout) as { fingerprint: string }).fingerprint;
      const ours = await fingerprintFile(config, join(dir, file));
      expect(ours.compressed).toBe(expected);
      expect(compressFingerprint(ours.raw)).toBe(expected);
    }
    expect(compressFingerprint(new Uint32Array(0))).toBe('AQAAAA');
  });
});
