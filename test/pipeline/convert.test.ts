import { existsSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readTags } from '../../src/media/tags.js';
import { analyseAudio } from '../../src/pipeline/analyse.js';
import { decode, outputFormat, tagFiles, verifyFiles, type TrackMetadata } from '../../src/pipeline/convert.js';
import type { DownloadResult } from '../../src/pipeline/download.js';
import { makeClip } from '../helpers/audio.js';
import { stageDeps } from '../helpers/pipeline.js';
import { tempDir } from '../helpers/tmp.js';

// The conversion stages with the real ffmpeg: one decode gives every format and the analysis audio; the tags carry the
// analysis; a file that is not complete is caught before the row is marked Downloaded.
describe('convert, tag and verify', async () => {
  const dir = tempDir('tracksync-convert-');
  const deps = stageDeps(dir);
  const mp3 = join(dir, 'download.mp3');
  writeFileSync(mp3, await makeClip({ tonic: 9, mode: 'minor', bpm: 128, seconds: 10, format: 'mp3' }));
  const probe = await deps.ffmpeg.probe(mp3);
  const metadata: TrackMetadata = {
    title: 'Golden Hour',
    artist: 'Solar Echo',
    album: '',
    genre: 'House',
    year: 2026,
    isrc: null,
    sourceUrl: 'https://soundcloud.com/solar/golden-hour',
    artworkUrl: null,
  };

  it('turns a lossy download into 16-bit 44.1 kHz files; a lossless one keeps its rate and, when allowed, 24 bits', () => {
    expect(outputFormat({ probe }, deps.config.media)).toEqual({ bitDepth: 16, sampleRate: 44_100 });
    const hiRes = { ...probe, lossless: true, bitDepth: 24, sampleRate: 96_000 };
    expect(outputFormat({ probe: hiRes }, { ...deps.config.media, maxBitDepth: 24 })).toEqual({
      bitDepth: 24,
      sampleRate: 96_000,
    });
    expect(outputFormat({ probe: hiRes }, { ...deps.config.media, maxBitDepth: 16 })).toMatchObject({ bitDepth: 16 });
  });

  it('encodes every enabled format in one run, tags them with the analysis, and verifies them', async () => {
    const decoded = await decode(deps, { path: mp3, probe }, true);
    expect(Object.keys(decoded.files).sort()).toEqual(['aiff', 'm4a', 'wav']);
    expect(decoded.fingerprint?.compressed).toMatch(/^AQ/);
    const analysis = await analyseAudio(deps, decoded);
    const download = { path: mp3, thumbnailPath: null, probe } as unknown as DownloadResult;
    const converted = await tagFiles(deps, download, decoded, analysis, metadata);
    expect(await readTags(converted.files.m4a!)).toMatchObject({
      title: 'Golden Hour',
      artist: 'Solar Echo',
      bpm: Math.round(analysis.bpm!),
      key: analysis.key,
      comment: metadata.sourceUrl,
    });
    const durations = await verifyFiles(deps, converted, analysis);
    expect(durations.wav).toBeCloseTo(10, 0);

    // A file cut short is caught, named, and the conversion removed so a retry converts again.
    truncateSync(converted.files.aiff!, 4096);
    const error = await verifyFiles(deps, converted, analysis).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'VERIFY_FAILED' });
    expect((error as Error).message).toMatch(/aiff: /);
    expect(existsSync(join(deps.workDir, 'convert'))).toBe(false);
  });
});
