import { execFileSync } from 'node:child_process';
import { copyFile, open } from 'node:fs/promises';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Store } from '../../state/store.js';
import { decodeProperty } from '../../src/notion/codecs.js';
import { nodeFiles, type PlacementFiles } from '../../src/media/files.js';
import { makeClip } from '../helpers/audio.js';
import { cli } from '../helpers/cli.js';
import { text, title } from '../helpers/notion.js';
import { pipelineWorld } from '../helpers/pipeline.js';

const root = process.getuid?.() === 0;

/** mount(8) as root, else through passwordless sudo (CI installs its packages the same way). */
function mount(args: string[]): void {
  execFileSync(root ? 'mount' : 'sudo', root ? args : ['-n', 'mount', ...args], { stdio: 'pipe' });
}

/** Whether this machine lets the test mount a small tmpfs (Linux, as root or with passwordless sudo). */
function canMount(): boolean {
  if (process.platform !== 'linux') return false;
  if (root) return true;
  try {
    execFileSync('sudo', ['-n', 'true'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

/**
 * A disk that is full under `folder` until `makeRoom()`: a copy into it writes its first 64 KiB, then fails with the
 * ENOSPC error Node gives for a real full disk, leaving the partial file behind, as the kernel does.
 */
function fullDiskUnder(folder: string): { files: PlacementFiles; makeRoom(): void } {
  let full = true;
  const files: PlacementFiles = {
    ...nodeFiles,
    copyFile: (async (source: string, target: string, mode?: number) => {
      if (!full || !String(target).startsWith(folder)) return copyFile(source, target, mode);
      const from = await open(source, 'r');
      const to = await open(target, 'w');
      const { bytesRead, buffer } = await from.read(Buffer.alloc(64 * 1024), 0, 64 * 1024, 0);
      await to.write(buffer, 0, bytesRead);
      await Promise.all([from.close(), to.close()]);
      throw Object.assign(new Error(`ENOSPC: no space left on device, copyfile '${source}' -> '${target}'`), {
        errno: -28,
        code: 'ENOSPC',
        syscall: 'copyfile',
        path: source,
        dest: target,
      });
    }) as PlacementFiles['copyFile'],
  };
  return { files, makeRoom: () => (full = false) };
}

/**
 * A full disk in an output folder: the item waits and retries (DISK_FULL is transient), no partial file stays, and once
 * there is room it completes. For real where the machine allows it (a 1 MiB tmpfs as the WAV folder, where a 20 s WAV
 * of 3.5 MB cannot fit, through the real CLI); elsewhere (macOS, a user without sudo) the daemon's placement file
 * system fails the same way, ENOSPC after a partial write, in process.
 */
describe('disk full in an output folder', async () => {
  const world = await pipelineWorld();
  const { sandbox, media } = world;
  const wavDir = join(world.dir, 'small-disk');
  mkdirSync(wavDir, { recursive: true });
  // The in-process disk runs everywhere (so CI checks it too); the real tmpfs wherever the machine can mount one.
  const injected = { disk: 'ENOSPC at the write layer, in process', slug: 'injected', tonic: 6 };
  const disks = canMount()
    ? [{ disk: 'a real 1 MiB tmpfs, through the CLI', slug: 'tmpfs', tonic: 1 }, injected]
    : [injected];
  const row = async (slug: string, tonic: number) => {
    const url = await media.addFile(
      `too-big-${slug}.mp3`,
      await makeClip({ tonic, mode: 'major', bpm: 128, seconds: 20 }),
    );
    return sandbox.workspace.createPage({
      parent: { data_source_id: sandbox.ids.tracks.dataSourceId },
      properties: { Title: title(`Too Big ${slug}`), 'Artist Name': text('Disk'), 'Source URL': { url } },
    }).id;
  };
  const field = (id: string, name: string) => decodeProperty(sandbox.workspace.retrievePage(id).properties[name]);
  const settings = {
    claims: { settleMs: 50 },
    retry: { baseDelayMs: 100, maxDelayMs: 200 },
    search: media.search,
    links: { enabled: false },
  };

  it.each(disks)(
    'waits and retries with no partial file left, and completes once there is room ($disk)',
    async ({ slug, tonic }) => {
      const id = await row(slug, tonic);
      const stateName = `disk-full-state-${slug}`;
      const stateDir = join(world.dir, stateName);
      if (slug === 'tmpfs') {
        mount(['-t', 'tmpfs', '-o', 'size=1m', 'tracksync-test', wavDir]);
        onTestFinished(() => {
          execFileSync(root ? 'umount' : 'sudo', root ? ['-l', wavDir] : ['-n', 'umount', '-l', wavDir]);
        });
        const configPath = join(world.dir, `disk-full-${slug}.json`);
        writeFileSync(configPath, JSON.stringify(settings));
        const env = {
          ...sandbox.env(),
          ...world.env(),
          WAV_BACKUP_DIR: wavDir,
          TRACKSYNC_STATE_DIR: stateDir,
          TRACKSYNC_CONFIG: configPath,
        };
        const first = await cli(['once'], env);
        expect(first.exitCode, first.stderr.slice(-2000)).toBe(0);
        expectWaiting();
        mount(['-o', 'remount,size=64m', wavDir]);
        await new Promise((r) => setTimeout(r, 300)); // past the retry delay
        const second = await cli(['once'], env);
        expect(second.exitCode, second.stderr.slice(-2000)).toBe(0);
      } else {
        const full = fullDiskUnder(wavDir);
        const daemon = await world.daemon({
          stateName,
          file: settings,
          env: { WAV_BACKUP_DIR: wavDir },
          files: full.files,
        });
        await daemon.runOnce();
        await daemon.stop('first pass over');
        expectWaiting();
        full.makeRoom();
        await new Promise((r) => setTimeout(r, 300)); // past the retry delay
        const again = await world.daemon({
          stateName,
          file: settings,
          env: { WAV_BACKUP_DIR: wavDir },
          files: full.files,
        });
        await again.runOnce();
        await again.stop('second pass over');
      }
      expect(field(id, 'Downloaded')).toBe(true);
      expect(readdirSync(wavDir)).toEqual([`Disk - Too Big ${slug}.wav`]);
      expect(existsSync(String(field(id, 'WAV File Path')))).toBe(true);
      rmSync(join(wavDir, `Disk - Too Big ${slug}.wav`)); // the next disk starts empty
      const store = Store.open(join(stateDir, 'tracksync.sqlite'));
      expect(store.items.getItemByPage('tracks', id)?.state).toBe('done');
      store.close();

      function expectWaiting(): void {
        expect(field(id, 'Downloaded')).toBe(false);
        expect(readdirSync(wavDir)).toEqual([]); // the temp file of the failed write is gone too
        const store = Store.open(join(stateDir, 'tracksync.sqlite'));
        expect(store.items.getItemByPage('tracks', id)).toMatchObject({
          state: 'retry_wait',
          last_error_code: 'DISK_FULL',
        });
        expect(store.library.listPendingFiles()).toEqual([]);
        store.close();
      }
    },
    120_000,
  );
});
