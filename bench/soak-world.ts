import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { encodeWav, synthesize } from '../src/media/synth.js';
import { startMediaServer } from '../src/sandbox/media-server.js';
import { startSandbox } from '../src/sandbox/server.js';

/**
 * The soak's world, in its own process (bench/soak.ts starts it): the local Notion and the media server serving the
 * real clips. Kept out of the daemon's process so the memory figures are the daemon's alone: the sandbox keeps every
 * page and every request in memory, which would otherwise read as a leak.
 *
 * argv: <dir> <rows per round> <tasks per round> <real tracks per round> <rounds>. Prints one JSON line ({ env, search
 * })
 * when ready; each line "seed" on stdin adds the next round's rows and answers "seeded". Stops on SIGTERM.
 */

const [dir = '', rows = '0', tasks = '0', realTracks = '0', rounds = '1'] = process.argv.slice(2);
const sandbox = await startSandbox({ sampleRows: false });
const media = await startMediaServer({ dir: join(dir, 'served') });
const { workspace, ids } = sandbox;
const clips: string[] = [];
for (let i = 0; i < Number(realTracks) * Number(rounds); i++) {
  clips.push(
    await media.addFile(
      `real-${i}.wav`,
      encodeWav(
        synthesize({ tonic: i % 12, mode: i % 2 ? 'minor' : 'major', bpm: 100 + i * 3, timbre: 'saw', seconds: 6 }),
      ),
    ),
  );
}

let round = 0;
function seed(): void {
  const text = (content: string): unknown => [{ text: { content } }];
  for (let i = 0; i < Number(rows); i++) {
    workspace.createPage({
      parent: { data_source_id: ids.tracks.dataSourceId },
      properties: {
        Title: { title: text(`soak ${round}-${i}`) },
        'Source URL': { url: `https://soundcloud.com/soak/track-${round}-${i}` },
      },
    });
  }
  for (let i = 0; i < Number(tasks); i++) {
    workspace.createPage({
      parent: { data_source_id: ids.tasks.dataSourceId },
      properties: {
        'Task Name': { title: text(`Soak task ${round}-${i}: Music Sync`) },
        Status: { status: { name: 'Ready' } },
      },
    });
  }
  for (let i = 0; i < Number(realTracks); i++) {
    const clip = round * Number(realTracks) + i;
    workspace.createPage({
      parent: { data_source_id: ids.tracks.dataSourceId },
      properties: {
        Title: { title: text(`Real ${clip}`) },
        'Artist Name': { rich_text: text('Soak') },
        'Source URL': { url: clips[clip] },
      },
    });
  }
  round += 1;
}

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() !== 'seed') return;
  seed();
  process.stdout.write('seeded\n');
});
// The media server is on 127.0.0.1: the daemon under test may fetch from that port only
// (TRACKSYNC_ALLOW_PRIVATE_HOSTS).
process.stdout.write(
  `${JSON.stringify({ env: { ...sandbox.env(), TRACKSYNC_ALLOW_PRIVATE_HOSTS: media.hostPort }, search: media.search })}\n`,
);
process.once('SIGTERM', () => {
  void Promise.all([media.close(), sandbox.close()]).then(() => process.exit(0));
});
