import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { musicTrackHandler } from '../handlers/music-track.js';
import type { Handler } from '../src/engine/contracts.js';
import { systemClock } from '../src/clock.js';
import { loadConfig } from '../src/config/load.js';
import { musicApp } from '../src/app/music.js';
import { Daemon } from '../src/engine/daemon.js';
import { Services } from '../src/engine/services.js';
import { silentLogger } from '../src/log.js';
import { runTool } from '../src/media/process.js';
import { encodeWav, synthesize } from '../src/media/synth.js';
import { registerMediaServices } from '../src/services/media.js';
import { startMediaServer } from '../src/sandbox/media-server.js';
import { startSandbox } from '../src/sandbox/server.js';
import { median, type BenchRow, type BenchSection } from './report.js';

const SONGS = [
  { tonic: 4, mode: 'minor', bpm: 126, timbre: 'saw' },
  { tonic: 9, mode: 'major', bpm: 118, timbre: 'organ' },
  { tonic: 1, mode: 'minor', bpm: 132, timbre: 'saw' },
] as const;

interface ToolRun {
  readonly tool: string;
  readonly firstArgument: string;
  readonly cpuSeconds: number;
}

/**
 * ffmpeg, ffprobe and fpcalc behind one wrapper each that logs the CPU time (user + system) of every run: bash's
 * `times`, run in the wrapper's own shell, prints the shell's times and then its children's (the tool's). Only the
 * media tools are counted: yt-dlp (Python) is the download's cost, not the media work issue 16 measures.
 */
function cpuWrappers(dir: string): { tools: Record<'ffmpeg' | 'ffprobe' | 'fpcalc', string>; runs: () => ToolRun[] } {
  const log = join(dir, 'cpu.log');
  writeFileSync(log, '');
  const tools = {} as Record<'ffmpeg' | 'ffprobe' | 'fpcalc', string>;
  for (const tool of ['ffmpeg', 'ffprobe', 'fpcalc'] as const) {
    tools[tool] = join(dir, `cpu-${tool}`);
    const times = join(dir, `times-${tool}-$$`);
    writeFileSync(
      tools[tool],
      `#!/bin/bash\n${tool} "$@"\nrc=$?\ntimes > "${times}"\necho "${tool}|$1|$(tail -n 1 "${times}")" >> "${log}"\nrm -f "${times}"\nexit $rc\n`,
      { mode: 0o755 },
    );
  }
  const seconds = (text: string): number => {
    const [, m = '0', s = '0'] = text.match(/(\d+)m([\d.]+)s/) ?? [];
    return Number(m) * 60 + Number(s);
  };
  const runs = (): ToolRun[] =>
    readFileSync(log, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [tool = '', firstArgument = '', times = ''] = line.split('|');
        return { tool, firstArgument, cpuSeconds: times.split(' ').reduce((a, part) => a + seconds(part), 0) };
      });
  return { tools, runs };
}

/** fluent-ffmpeg asks ffmpeg once per process what it can do (-formats, -encoders), and tracksync for -muxers. */
const isCapabilityQuery = (run: ToolRun): boolean =>
  ['-formats', '-encoders', '-codecs', '-filters', '-hide_banner'].includes(run.firstArgument);
const cpuOf = (runs: readonly ToolRun[]): number => runs.reduce((a, r) => a + r.cpuSeconds, 0);

/**
 * The floor issue 16 set for one track's media work, written out by hand (not by tracksync's code): one decode split
 * to the three encodes, the analysis PCM, integrated loudness and one fingerprint, in one ffmpeg run.
 */
async function floorRun(ffmpeg: string, input: string, dir: string): Promise<void> {
  const out = (name: string): string => join(dir, name);
  await runTool(
    ffmpeg,
    [
      '-nostdin',
      '-v',
      'error',
      '-y',
      '-i',
      input,
      '-filter_complex',
      '[0:a]asplit=2[l][p];[l]ebur128=framelog=verbose[lo];[p]aresample=22050,aformat=sample_fmts=flt:channel_layouts=mono[po]',
      '-map',
      '[lo]',
      '-f',
      'null',
      '-',
      '-map',
      '[po]',
      '-f',
      'f32le',
      out('floor.f32'),
      '-map',
      '0:a',
      '-c:a',
      'alac',
      '-sample_fmt',
      's16p',
      '-ar',
      '44100',
      '-f',
      'ipod',
      out('floor.m4a'),
      '-map',
      '0:a',
      '-c:a',
      'pcm_s16be',
      '-ar',
      '44100',
      '-f',
      'aiff',
      out('floor.aiff'),
      '-map',
      '0:a',
      '-c:a',
      'pcm_s16le',
      '-ar',
      '44100',
      '-f',
      'wav',
      out('floor.wav'),
      '-map',
      '0:a',
      '-f',
      'chromaprint',
      '-fp_format',
      'raw',
      out('floor.fp'),
    ],
    { timeoutMs: 300_000, failureCode: 'CONVERSION_FAILED' },
  );
}

/**
 * Where the time of a 3-minute track goes, stage by stage, through the real daemon; its Notion cost; and the CPU of its
 * media subprocesses against the floor of issue 16, on the same files in the same run.
 */
export async function stageBench(): Promise<BenchSection> {
  const dir = mkdtempSync(join(tmpdir(), 'tracksync-stages-'));
  const sandbox = await startSandbox({ sampleRows: false });
  const media = await startMediaServer({ dir: join(dir, 'served') });
  try {
    const mp3s: string[] = [];
    for (const [i, song] of SONGS.entries()) {
      writeFileSync(join(dir, `song${i}.wav`), encodeWav(synthesize({ ...song, seconds: 180 })));
      mp3s.push(join(dir, `song${i}.mp3`));
      await runTool(
        'ffmpeg',
        ['-nostdin', '-v', 'error', '-y', '-i', join(dir, `song${i}.wav`), '-b:a', '320k', mp3s[i]!],
        { timeoutMs: 120_000, failureCode: 'CONVERSION_FAILED' },
      );
      const url = await media.addFile(`song${i}.mp3`, readFileSync(mp3s[i]!));
      sandbox.workspace.createPage({
        parent: { data_source_id: sandbox.ids.tracks.dataSourceId },
        properties: {
          Title: { title: [{ text: { content: `Bench Song ${i}` } }] },
          'Artist Name': { rich_text: [{ text: { content: 'Bench Artist' } }] },
          'Source URL': { url },
        },
      });
    }
    const cpu = cpuWrappers(dir);
    const configPath = join(dir, 'config.json');
    // One item at a time: the stage times are then each track's own, not two tracks sharing two cores.
    writeFileSync(configPath, JSON.stringify({ concurrency: { maxItems: 1 }, media: { tools: cpu.tools } }));
    const config = loadConfig({
      env: {
        ...sandbox.env(),
        TRACKSYNC_STATE_DIR: join(dir, 'state'),
        TRACKSYNC_CONFIG: configPath,
        OUT_DIR: join(dir, 'out'),
        BACKUP_DIR: join(dir, 'backup'),
        WAV_BACKUP_DIR: join(dir, 'wav'),
        TRACKSYNC_ALLOW_PRIVATE_HOSTS: media.hostPort,
      },
      cwd: dir,
    });
    const services = new Services();
    registerMediaServices(services, config, silentLogger(), systemClock);
    const daemon = await Daemon.start({
      app: musicApp,
      config,
      logger: silentLogger(),
      handlers: [musicTrackHandler as Handler],
      services,
    });
    const durations = new Map<string, number[]>();
    daemon.events.on('stage:end', (e) => durations.set(e.stage, [...(durations.get(e.stage) ?? []), e.durationMs]));
    const totals: number[] = [];
    daemon.events.on('item:done', (e) => totals.push(e.durationMs));
    // The floor runs before and after the tracks, and its median is taken, so a machine busier at one moment than
    // at another moves both figures alike.
    const floors: number[] = [];
    const floorRound = async (): Promise<void> => {
      for (const mp3 of mp3s) {
        const start = cpu.runs().length;
        await floorRun(cpu.tools.ffmpeg, mp3, dir);
        floors.push(cpuOf(cpu.runs().slice(start)));
      }
    };
    await floorRound();
    const before = sandbox.requests().length;
    const runsBefore = cpu.runs().length;
    await daemon.runOnce();
    const trackRuns = cpu.runs().slice(runsBefore);
    const requests = (sandbox.requests().length - before) / SONGS.length;
    await daemon.stop('bench');
    await floorRound();
    const floor = median(floors);
    const ours = cpuOf(trackRuns.filter((r) => !isCapabilityQuery(r))) / SONGS.length;
    const once = cpuOf(trackRuns.filter(isCapabilityQuery));
    const perTrack = ['ffprobe', 'ffmpeg', 'fpcalc'].map(
      (tool) => `${tool} ${trackRuns.filter((r) => r.tool === tool && !isCapabilityQuery(r)).length / SONGS.length}`,
    );

    const med = (stage: string): number => median(durations.get(stage) ?? [0]);
    // place wraps the stages before it: its own time is the placement alone.
    const inner = [...durations.keys()]
      .filter((s) => !['place', 'resolve', 'dedup', 'eagle'].includes(s))
      .reduce((a, s) => a + med(s), 0);
    const rows: BenchRow[] = [...durations.keys()].map((stage) => ({
      figure: `stage ${stage}`,
      ours: `${((stage === 'place' ? med('place') - inner : med(stage)) / 1000).toFixed(2)} s`,
      baseline: '-',
      ratio: '-',
      note: stage === 'place' ? 'copies to 3 folders, fsync, rename' : '',
    }));
    rows.push({
      figure: 'whole item (claim to write-back)',
      ours: `${(median(totals) / 1000).toFixed(2)} s`,
      baseline: '-',
      ratio: '-',
      note: '',
    });
    rows.push({
      figure: 'Notion requests per track',
      ours: String(Math.round(requests)),
      baseline: '-',
      ratio: '-',
      note: 'poll and claim (read, lock, read back), artists (find, create), write-back; schema reads happen at start',
    });
    rows.push({
      figure: 'media CPU per track (ffmpeg, ffprobe, fpcalc; user + system)',
      ours: `${ours.toFixed(2)} s`,
      baseline: `${floor.toFixed(2)} s (the floor: one run, one decode)`,
      ratio: `x${(ours / floor).toFixed(2)} of the floor`,
      note: `target at most x1.3; runs per track: ${perTrack.join(', ')}. Issue 16 measured 3.17 s before (floor 1.48 s on its machine)`,
    });
    rows.push({
      figure: 'media CPU once per daemon start (what ffmpeg can do: -muxers, -formats, -encoders)',
      ours: `${once.toFixed(2)} s`,
      baseline: '-',
      ratio: '-',
      note: 'not per track: asked once and remembered',
    });
    return {
      title: 'One 3-minute track, stage by stage',
      command: 'npm run bench -- stages (bench/stages.ts)',
      rows,
      notes: [
        `Medians over ${SONGS.length} tracks, one at a time: lossy 320k MP3 sources served on 127.0.0.1 (no network time); ALAC, AIFF and WAV at 16 bits, 44.1 kHz.`,
        'The floor is one hand-written ffmpeg run per track on the same MP3: one decode split to the three encodes, the analysis PCM, integrated loudness (EBU R128) and one Chromaprint fingerprint.',
      ],
    };
  } finally {
    await Promise.all([sandbox.close(), media.close()]);
  }
}
