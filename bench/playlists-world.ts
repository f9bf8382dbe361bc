import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { execa } from 'execa';
import { encodeWav, mulberry32, synthesize } from '../src/media/synth.js';
import { startSandbox } from '../src/sandbox/server.js';

/**
 * The playlist bench's world, in its own process (bench/playlists.ts starts it), as Notion is another machine: the
 * local
 * Notion's own work (building 2,000 page objects a listing) is not counted as tracksync's. It holds `tracks` synced
 * rows
 * with real files (a 50 ms AIFF each, about 9 KB) and `playlists` playlists of 5 to 60 tracks, each with its own
 * Tracks relation and the write-back properties.
 *
 * argv: <dir> <tracks> <playlists>. Prints one JSON line ({ env, playlistIds }) when ready; a line "change <n>" on
 * stdin
 * moves the clock a minute on and edits the relation of the first n playlists (one track out, one in), then answers
 * "changed". Stops on SIGTERM.
 */

const [dir = '', trackCount = '0', playlistCount = '0'] = process.argv.slice(2);
const sandbox = await startSandbox({ sampleRows: false });
const ws = sandbox.workspace;
const { tracks: tracksDb, playlists: playlistsDb } = sandbox.ids;
ws.addProperty(playlistsDb.dataSourceId, { name: 'Tracks', type: 'relation', relationTo: tracksDb.dataSourceId });
for (const [name, type] of [
  ['Exported At', 'date'],
  ['Exported Tracks', 'number'],
  ['Missing Tracks', 'rich_text'],
] as const)
  ws.addProperty(playlistsDb.dataSourceId, { name, type });

const wav = join(dir, 'clip.wav');
writeFileSync(wav, encodeWav(synthesize({ tonic: 9, mode: 'minor', bpm: 124, timbre: 'saw', seconds: 0.05 })));
const aiff = join(dir, 'clip.aiff');
await execa('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-i', wav, aiff]);
const music = join(dir, 'Music');
mkdirSync(music, { recursive: true });
const rich = (content: string): unknown => ({ rich_text: [{ text: { content } }] });
const keys = ['A Minor', 'F# Minor', 'C Major', 'Eb Major', 'G# Minor', 'D Major'];
const trackIds: string[] = [];
for (let i = 0; i < Number(trackCount); i += 1) {
  const path = join(music, `Artist ${i % 300} - Track ${i}.aiff`);
  copyFileSync(aiff, path);
  const properties = {
    Title: { title: [{ text: { content: `Track ${i}` } }] },
    'Artist Name': rich(`Artist ${i % 300}`),
    Downloaded: { checkbox: true },
    'AIFF File Path': rich(path),
    Tempo: { number: 118 + (i % 20) },
    'Key ': rich(keys[i % keys.length]!),
    'Audio Duration (seconds)': { number: 180 + (i % 120) },
  };
  trackIds.push(ws.createPage({ parent: { data_source_id: tracksDb.dataSourceId }, properties }).id);
}

/** Deterministic pseudo-random numbers (src/media/synth.ts, mulberry32): the same collection on every run. */
const next = mulberry32(15);
const playlistIds: string[] = [];
for (let p = 0; p < Number(playlistCount); p += 1) {
  const size = 5 + Math.floor(next() * 56);
  const chosen = [...new Set(Array.from({ length: size }, () => trackIds[Math.floor(next() * trackIds.length)]!))];
  const id = ws.createPage({
    parent: { data_source_id: playlistsDb.dataSourceId },
    properties: { Name: { title: [{ text: { content: `Set ${p}` } }] } },
  }).id;
  ws.setRelation(id, 'Tracks', chosen);
  playlistIds.push(id);
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const match = line.trim().match(/^change (\d+)$/);
  if (!match) return;
  sandbox.advanceClock(60_000);
  for (const id of playlistIds.slice(0, Number(match[1]))) {
    const list = ws.relationIds(id, 'Tracks');
    ws.setRelation(id, 'Tracks', [...list.slice(1), trackIds.find((t) => !list.includes(t))!]);
  }
  process.stdout.write('changed\n');
});
process.stdout.write(`${JSON.stringify({ env: sandbox.env(), playlistIds })}\n`);
process.once('SIGTERM', () => {
  void sandbox.close().then(() => process.exit(0));
});
