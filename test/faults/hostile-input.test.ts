import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Store } from '../../state/store.js';
import { decodeProperty, toRichText } from '../../src/notion/codecs.js';
import { makeClip } from '../helpers/audio.js';
import { cli, waitFor } from '../helpers/cli.js';
import { text, title } from '../helpers/notion.js';
import { pipelineWorld } from '../helpers/pipeline.js';
import { filesUnder } from '../helpers/tmp.js';

/**
 * Hostile and broken input through the real CLI, the real yt-dlp and ffmpeg and the local Notion: names that try to
 * leave their folder or break the file system, a 10,000-character title, shell metacharacters in a URL, a value of the
 * wrong kind, a source that is gone and a download that is not audio; then a required property renamed while the
 * daemon runs. Every row must end in a final state with a reason, no file may land outside its folder, no row may stay
 * locked, and the daemon must keep serving the databases that are not broken.
 */
describe('hostile and broken input, through the CLI', async () => {
  const world = await pipelineWorld();
  const { sandbox, media } = world;
  const field = (id: string, name: string) => decodeProperty(sandbox.workspace.retrievePage(id).properties[name]);
  const env = world.cliEnv('hostile', { schedule: { cycleCron: '*/1 * * * * *' } });
  const row = (properties: Record<string, unknown>) =>
    sandbox.workspace.createPage({
      parent: { data_source_id: sandbox.ids.tracks.dataSourceId },
      properties: { 'Artist Name': text('Hostile'), ...properties },
    }).id;
  const pwned = join(world.dir, 'pwned');

  it('every row ends done or failed with its reason, inside its folder, unlocked, with its Notion title untouched', async () => {
    const nasty = '../../etc/pässwd: 🎧 نغمة \u202Eevil\u0000 e\u0301';
    const rows = {
      nasty: row({
        Title: title(nasty),
        'Source URL': { url: await media.addFile('nasty.mp3', await makeClip({ seconds: 20, tonic: 1 })) },
      }),
      long: row({
        Title: { title: toRichText('Ω'.repeat(10_000)) },
        'Source URL': {
          url: await media.addFile('long.mp3', await makeClip({ seconds: 20, tonic: 4, timbre: 'organ' })),
        },
      }),
      shell: row({
        Title: title('Shell'),
        'Source URL': { url: `${media.url}/audio/x.mp3;touch ${pwned};$(touch ${pwned})\`touch ${pwned}\`` },
      }),
      notAUrl: row({ Title: title('Not A URL'), 'Source URL': { url: 'tracks by my friend | rm -rf ~' } }),
      gone: row({ Title: title('Gone'), 'Source URL': { url: `${media.url}/audio/never-existed.mp3` } }),
      corrupt: row({
        Title: title('Corrupt'),
        'Source URL': { url: await media.addFile('corrupt.mp3', Buffer.from('<html>not audio</html>'.repeat(60))) },
      }),
    };
    const result = await cli(['once'], env('hostile-state'));
    expect(result.exitCode, result.stderr.slice(-3000)).toBe(0);

    const store = Store.open(join(world.dir, 'hostile-state', 'tracksync.sqlite'));
    try {
      const item = (id: string) => store.items.getItemByPage('tracks', id)!;
      for (const id of Object.values(rows)) {
        expect(['done', 'failed']).toContain(item(id).state);
        expect(field(id, 'Processing Lock')).toBe('');
      }
      expect(item(rows.nasty).state).toBe('done');
      expect(item(rows.long).state).toBe('done');
      // A URL that is not one, or has a shell in it, fails permanently, naming the value; nothing is ever run.
      // Shell metacharacters make no command run: the URL is fetched as the text it is, and is not found.
      expect(item(rows.shell)).toMatchObject({
        state: 'failed',
        last_error_code: 'SOURCE_NOT_FOUND',
        last_error_kind: 'permanent',
      });
      // A value that is not a link: the row is searched by its title instead, and the user is told, on the row, which
      // value could not be used and what to put there.
      expect(item(rows.notAUrl)).toMatchObject({ state: 'done', outcome: 'metadata-only' });
      const comments = sandbox.workspace
        .comments()
        .filter((c) => (c.parent as { page_id: string }).page_id === rows.notAUrl)
        .map((c) => c.rich_text.map((t) => t.plain_text).join(''));
      expect(comments.join('\n')).toContain('Source URL "tracks by my friend | rm -rf ~" is not usable');
      expect(comments.join('\n')).toContain("put a track's link there");
      expect(existsSync(pwned)).toBe(false);
      expect(item(rows.gone)).toMatchObject({ state: 'failed', last_error_code: 'SOURCE_NOT_FOUND' });
      expect(['CORRUPT_MEDIA', 'DOWNLOAD_FAILED', 'ANALYSIS_FAILED']).toContain(item(rows.corrupt).last_error_code);
      expect(store.library.listPendingFiles()).toEqual([]);
    } finally {
      store.close();
    }
    // The titles in Notion are the user's, untouched; the file names are safe and stay inside the output folders.
    expect(field(rows.nasty, 'Title')).toBe(nasty);
    expect(String(field(rows.long, 'Title'))).toHaveLength(10_000);
    const nastyFile = basename(String(field(rows.nasty, 'M4A File Path')));
    expect(nastyFile).not.toMatch(/[/\u0000\u202E]/);
    expect(nastyFile).toContain('🎧 نغمة');
    expect(Buffer.byteLength(basename(String(field(rows.long, 'M4A File Path'))))).toBeLessThanOrEqual(200);
    const written = [world.outDir, world.backupDir, world.wavBackupDir].flatMap(filesUnder);
    expect(written.length).toBeGreaterThanOrEqual(8); // two tracks, four files each
    expect(written.filter((p) => /\.tmp$|\.part$|\.tracksync-/.test(p))).toEqual([]);
    expect(filesUnder(join(world.dir, 'etc'))).toEqual([]);
  }, 180_000);

  it('a required property renamed while running: the daemon says which, keeps serving the other databases, and recovers', async () => {
    const daemon = cli(['run'], env('rename-state'));
    let stderr = '';
    daemon.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      await waitFor(() => stderr.includes('"msg":"cycle done"'), 'a first cycle', 90_000);
      sandbox.workspace.renameProperty(sandbox.ids.tracks.dataSourceId, 'Downloaded', 'Done?');
      const before = row({
        Title: title('Written while broken'),
        'Source URL': { url: await media.addFile('broken.mp3', await makeClip({ seconds: 20, tonic: 7 })) },
      });
      const task = sandbox.workspace.createPage({
        parent: { data_source_id: sandbox.ids.tasks.dataSourceId },
        properties: {
          'Task Name': title('Music sync while Music Tracks is broken'),
          Status: { status: { name: 'Ready' } },
        },
      }).id;
      await waitFor(
        () => /Music Tracks[^\n]*required field \\?"downloaded\\?" has no property/.test(stderr),
        'the schema error naming the database and the field',
        90_000,
      );
      // Agent-Tasks is still served: the task gets its answer, which says why no track could be synced.
      await waitFor(
        () => decodeProperty(sandbox.workspace.retrievePage(task).properties.Status) === 'Failed',
        'the task to be answered meanwhile',
        90_000,
      );
      expect(String(decodeProperty(sandbox.workspace.retrievePage(task).properties['Execution-Result']))).toContain(
        'Could not find property with name or id: Downloaded',
      );
      expect(daemon.exitCode).toBeNull();
      sandbox.workspace.renameProperty(sandbox.ids.tracks.dataSourceId, 'Done?', 'Downloaded');
      await waitFor(
        () => field(before, 'Downloaded') === true,
        'the row written while broken to be processed after the repair',
        120_000,
      );
    } finally {
      daemon.kill('SIGTERM');
    }
    // Outside the finally, so a failed wait above is reported as itself, not as the killed daemon's exit code.
    expect((await daemon).exitCode).toBe(0);
    // The waits are for events, with room for a loaded CI machine (alone, this case takes about 35 s).
  }, 420_000);
});
