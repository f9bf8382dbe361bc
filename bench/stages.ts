import { mkdtempSync, writeFileSync } from 'node:fs';
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
import type { BenchSection } from './report.js';

/** Where the time of one 3-minute track goes, stage by stage, through the real daemon; and its Notion cost. */
export async function stageBench(): Promise<BenchSection> {
  const dir = mkdtempSync(join(tmpdir(), 'tracksync-stages-'));
  const sandbox = await startSandbox({ sampleRows: false });
  const media = await startMediaServer({ dir: join(dir, 'served') });
  try {
    writeFileSync(join(dir, 'song.wav'), encodeWav(synthesize({ tonic: 4, mode: 'minor', bpm: 126, timbre: 'saw', seconds: 180 })));
    await runTool('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-i', join(dir, 'song.wav'), '-b:a', '320k', join(dir, 'served-song.mp3')], { timeoutMs: 120_000, failureCode: 'CONVERSION_FAILED' });
    const { readFileSync } = await import('node:fs');
    const url = await media.addFile('song.mp3', readFileSync(join(dir, 'served-song.mp3')));
    sandbox.workspace.createPage({ parent: { data_source_id: sandbox.ids.tracks.dataSourceId }, properties: { Title: { title: [{ text: { content: 'Bench Song' } }] }, 'Artist Name': { rich_text: [{ text: { content: 'Bench Artist' } }] }, 'Source URL': { url } } });
    const configPath = join(dir, 'config.json');
    writeFileSync(configPath, JSON.stringify({}));
    const config = loadConfig({ env: { ...sandbox.env(), TRACKSYNC_STATE_DIR: join(dir, 'state'), TRACKSYNC_CONFIG: configPath, OUT_DIR: join(dir, 'out'), BACKUP_DIR: join(dir, 'backup'), WAV_BACKUP_DIR: join(dir, 'wav'), TRACKSYNC_ALLOW_PRIVATE_HOSTS: media.hostPort }, cwd: dir });
    const services = new Services();
    registerMediaServices(services, config, silentLogger(), systemClock);
    const daemon = await Daemon.start({ app: musicApp, config, logger: silentLogger(), handlers: [musicTrackHandler as Handler], services });
    const durations: Array<[string, number]> = [];
    daemon.events.on('stage:end', (e) => durations.push([e.stage, e.durationMs]));
    let total = 0;
    daemon.events.on('item:done', (e) => (total = e.durationMs));
    const before = sandbox.requests().length;
    await daemon.runOnce();
    const requests = sandbox.requests().length - before;
    await daemon.stop('bench');
    // place wraps the stages before it: its own time is the placement alone.
    const inner = durations.filter(([s]) => ['download', 'analyse', 'convert', 'verify'].includes(s)).reduce((a, [, d]) => a + d, 0);
    const rows = durations.map(([stage, ms]) => ({ figure: `stage ${stage}`, ours: `${((stage === 'place' ? ms - inner : ms) / 1000).toFixed(2)} s`, baseline: '-', ratio: '-', note: stage === 'place' ? 'copies to 3 folders, fsync, rename' : '' }));
    rows.push({ figure: 'whole item (claim to write-back)', ours: `${(total / 1000).toFixed(2)} s`, baseline: '-', ratio: '-', note: '' });
    rows.push({ figure: 'Notion requests for the cycle', ours: String(requests), baseline: '-', ratio: '-', note: 'poll 1, claim 3 (read, lock, read back), artists 2 (find, create), write-back 1; schema reads happen at start' });
    return { title: 'One 3-minute track, stage by stage', command: 'npm run bench -- stages (bench/stages.ts)', rows, notes: ['A lossy 320k MP3 source served on 127.0.0.1 (no network time); ALAC, AIFF and WAV at 16 bits, 44.1 kHz.'] };
  } finally {
    await Promise.all([sandbox.close(), media.close()]);
  }
}
