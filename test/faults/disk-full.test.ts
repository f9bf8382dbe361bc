import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Store } from '../../state/store.js';
import { decodeProperty } from '../../src/notion/codecs.js';
import { makeClip } from '../helpers/audio.js';
import { cli } from '../helpers/cli.js';
import { text, title } from '../helpers/notion.js';
import { pipelineWorld } from '../helpers/pipeline.js';

/** mount(8) as root, else through passwordless sudo (CI installs its packages the same way). */
function mount(args: string[]): void {
  const root = process.getuid?.() === 0;
  try {
    execFileSync(root ? 'mount' : 'sudo', root ? args : ['-n', 'mount', ...args], { stdio: 'pipe' });
  } catch (error) {
    throw new Error(`the disk-full test needs a small tmpfs (mount ${args.join(' ')}): run it as root or with passwordless sudo. ${(error as Error).message}`);
  }
}

/**
 * A full disk in an output folder, for real: a 1 MiB tmpfs as the WAV folder, where a 20 s WAV (3.5 MB) cannot fit.
 * The item waits and retries (DISK_FULL is transient), no partial file stays, and once there is room it completes.
 */
describe('disk full in an output folder', async () => {
  const world = await pipelineWorld();
  const { sandbox, media } = world;
  const wavDir = join(world.dir, 'small-disk');
  mkdirSync(wavDir, { recursive: true });
  mount(['-t', 'tmpfs', '-o', 'size=1m', 'tracksync-test', wavDir]);
  afterAll(() => execFileSync(process.getuid?.() === 0 ? 'umount' : 'sudo', process.getuid?.() === 0 ? ['-l', wavDir] : ['-n', 'umount', '-l', wavDir]));
  const configPath = join(world.dir, 'disk-full.json');
  writeFileSync(configPath, JSON.stringify({ claims: { settleMs: 50 }, retry: { baseDelayMs: 100, maxDelayMs: 200 }, search: media.search, links: { enabled: false } }));
  const env = { ...sandbox.env(), ...world.env(), WAV_BACKUP_DIR: wavDir, TRACKSYNC_STATE_DIR: join(world.dir, 'disk-full-state'), TRACKSYNC_CONFIG: configPath };

  it('waits and retries with no partial file left, and completes once there is room', async () => {
    const url = await media.addFile('too-big.mp3', await makeClip({ tonic: 6, mode: 'major', bpm: 128, seconds: 20 }));
    const id = sandbox.workspace.createPage({ parent: { data_source_id: sandbox.ids.tracks.dataSourceId }, properties: { Title: title('Too Big'), 'Artist Name': text('Disk'), 'Source URL': { url } } }).id;

    const first = await cli(['once'], env);
    expect(first.exitCode, first.stderr.slice(-2000)).toBe(0);
    const field = (name: string) => decodeProperty(sandbox.workspace.retrievePage(id).properties[name]);
    expect(field('Downloaded')).toBe(false);
    expect(readdirSync(wavDir)).toEqual([]); // the temp file of the failed write is gone too
    let store = Store.open(join(world.dir, 'disk-full-state', 'tracksync.sqlite'));
    expect(store.getItemByPage('tracks', id)).toMatchObject({ state: 'retry_wait', last_error_code: 'DISK_FULL' });
    expect(store.listPendingFiles()).toEqual([]);
    store.close();

    mount(['-o', 'remount,size=64m', wavDir]);
    await new Promise((r) => setTimeout(r, 300)); // past the retry delay
    const second = await cli(['once'], env);
    expect(second.exitCode, second.stderr.slice(-2000)).toBe(0);
    expect(field('Downloaded')).toBe(true);
    expect(readdirSync(wavDir)).toEqual(['Disk - Too Big.wav']);
    expect(existsSync(String(field('WAV File Path')))).toBe(true);
    store = Store.open(join(world.dir, 'disk-full-state', 'tracksync.sqlite'));
    expect(store.getItemByPage('tracks', id)?.state).toBe('done');
    store.close();
  }, 120_000);
});
