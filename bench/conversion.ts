import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/load.js';
import { Ffmpeg } from '../src/media/ffmpeg.js';
import { runTool } from '../src/media/process.js';
import { encodeWav, synthesize } from '../src/media/synth.js';
import { median, ratio, type BenchSection } from './report.js';

/** One ffmpeg process writing ALAC, AIFF and WAV against three processes writing one each, on the same 3-minute MP3. */
export async function conversionBench(): Promise<BenchSection> {
  const dir = mkdtempSync(join(tmpdir(), 'tracksync-conv-'));
  writeFileSync(join(dir, 'song.wav'), encodeWav(synthesize({ tonic: 9, mode: 'minor', bpm: 128, timbre: 'saw', seconds: 180 })));
  await runTool('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-i', join(dir, 'song.wav'), '-b:a', '320k', join(dir, 'song.mp3')], { timeoutMs: 120_000, failureCode: 'CONVERSION_FAILED' });
  const config = loadConfig({ env: { NOTION_TOKEN: 'ntn_bench_0000', TRACKS_DB_ID: '27ce73616c2780fbb40efefdd47d6640' }, cwd: dir });
  const ffmpeg = new Ffmpeg(config);
  const outputs = { m4a: join(dir, 'o.m4a'), aiff: join(dir, 'o.aiff'), wav: join(dir, 'o.wav') };
  const time = async (fn: () => Promise<void>): Promise<number> => {
    const t = performance.now();
    await fn();
    return (performance.now() - t) / 1000;
  };
  const single: number[] = [];
  const separate: number[] = [];
  for (let i = 0; i < 5; i += 1) {
    single.push(await time(() => ffmpeg.convert({ input: join(dir, 'song.mp3'), outputs, bitDepth: 16, sampleRate: 44_100 })));
    separate.push(
      await time(async () => {
        for (const [format, path] of Object.entries(outputs)) await ffmpeg.convert({ input: join(dir, 'song.mp3'), outputs: { [format]: path }, bitDepth: 16, sampleRate: 44_100 });
      }),
    );
  }
  const ours = median(single);
  const baseline = median(separate);
  return {
    title: 'Conversion: one pass against three',
    command: 'npm run bench -- conversion (bench/conversion.ts)',
    rows: [{ figure: 'ALAC + AIFF + WAV from a 3:00 MP3 (320k), median of 5', ours: `${ours.toFixed(2)} s (one ffmpeg run)`, baseline: `${baseline.toFixed(2)} s (three runs)`, ratio: ratio(ours, baseline), note: 'docs/decisions.md (conversion) measured x1.46-x1.88' }],
  };
}
