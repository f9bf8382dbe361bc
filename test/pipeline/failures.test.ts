import { chmodSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { decodeProperty, toRichText } from '../../src/notion/codecs.js';
import { makeClip } from '../helpers/audio.js';
import { FAST } from '../helpers/daemon.js';
import { text, title } from '../helpers/notion.js';
import { pipelineWorld } from '../helpers/pipeline.js';

describe('the track pipeline on bad sources and hostile input', async () => {
  const world = await pipelineWorld();
  const { sandbox, media } = world;
  const field = (id: string, name: string) => decodeProperty(sandbox.workspace.retrievePage(id).properties[name]);
  const track = (name: string, url: string, extra: Record<string, unknown> = {}) =>
    sandbox.workspace.createPage({
      parent: { data_source_id: sandbox.ids.tracks.dataSourceId },
      properties: { Title: title(name), 'Artist Name': text('Edge Case'), 'Source URL': { url }, ...extra },
    }).id;
  /** Each case runs alone: rows of earlier cases are marked done so a fresh daemon does not pick them up. */
  const isolate = (ids: string[]) => ids.forEach((id) => sandbox.workspace.updatePage(id, { in_trash: true }));
  /**
   * Retries due in a minute, not in FAST's milliseconds: `once` refills a freed slot from the queue, so a retry due at
   * once would be taken again (and again, up to the last attempt) before the case could see it waiting.
   */
  const patient = {
    ...FAST,
    search: media.search,
    retry: { ...FAST.retry, baseDelayMs: 60_000, maxDelayMs: 60_000, rateLimitedDefaultDelayMs: 60_000 },
  };

  it('a removed source (HTTP 404) fails at once with the reason; a 429 waits and retries', async () => {
    const gone = track('Gone', `${media.url}/audio/never-existed.mp3`);
    const limited = track('Busy', await media.addFile('busy.mp3', await makeClip({ seconds: 20 })));
    media.setStatus('/audio/busy.mp3', 429);
    const daemon = await world.daemon({ file: patient });
    await daemon.runOnce();
    expect(daemon.store.items.getItemByPage('tracks', gone)).toMatchObject({
      state: 'failed',
      last_error_code: 'SOURCE_NOT_FOUND',
    });
    expect(field(gone, 'Audio Processing')).toEqual(['Download_Failed']);
    // The row gets the cause and the fix in words; yt-dlp's own line stays with the attempt in SQLite (status -v).
    const said = sandbox.workspace
      .comments()
      .filter((c) => (c.parent as { page_id: string }).page_id === gone)
      .map((c) => c.rich_text[0]!.plain_text);
    expect(said.some((t) => t.includes('was removed, or the URL is wrong'))).toBe(true);
    expect(said.join('\n')).not.toContain('HTTP Error 404');
    const goneItem = daemon.store.items.getItemByPage('tracks', gone)!;
    expect(daemon.store.items.listAttempts(goneItem.id).at(-1)!.error_detail).toContain('HTTP Error 404');
    expect(daemon.store.items.getItemByPage('tracks', limited)).toMatchObject({
      state: 'retry_wait',
      last_error_kind: 'rate_limited',
    });
    media.setStatus('/audio/busy.mp3', 0);
    await daemon.stop('test');
    isolate([gone, limited]);
  });

  it('a yt-dlp that crashes with a Python traceback: Notion gets one short line, the traceback stays in SQLite', async () => {
    // yt-dlp is a Python program: an uncaught exception prints a traceback on stderr and exits 1.
    const crashing = join(world.dir, 'crashing-yt-dlp');
    writeFileSync(
      crashing,
      `#!/bin/sh
echo 'Traceback (most recent call last):' >&2
echo '  File "/usr/lib/python3/dist-packages/yt_dlp/YoutubeDL.py", line 1624, in wrapper' >&2
echo '    return func(self, *args, **kwargs)' >&2
echo "KeyError: 'formats'" >&2
exit 1
`,
    );
    chmodSync(crashing, 0o755);
    const id = track('Crash', await media.addFile('crash.mp3', await makeClip({ seconds: 20 })));
    const daemon = await world.daemon({
      file: { ...patient, retry: { ...patient.retry, maxAttempts: 1 }, media: { tools: { ytDlp: crashing } } },
    });
    await daemon.runOnce();
    const item = daemon.store.items.getItemByPage('tracks', id)!;
    expect(item.state).toBe('failed');
    expect(item.last_error_message).toContain('yt-dlp crashed (KeyError)');
    const page = sandbox.workspace.retrievePage(id);
    const written = JSON.stringify([
      page.properties,
      sandbox.workspace.comments().filter((c) => (c.parent as { page_id: string }).page_id === id),
    ]);
    expect(written).toContain('yt-dlp crashed (KeyError)');
    for (const raw of ['Traceback', 'YoutubeDL.py', 'line 1624']) expect(written).not.toContain(raw);
    expect(daemon.store.items.listAttempts(item.id).at(-1)!.error_detail).toContain(
      'Traceback (most recent call last):',
    );
    await daemon.stop('test');
    isolate([id]);
  });

  it('a corrupt download fails as corrupt; a mix where a track is expected and a 30-second preview are flagged, not kept', async () => {
    const corrupt = track(
      'Corrupt',
      await media.addFile('corrupt.mp3', Buffer.from('<html>this is not audio</html>'.repeat(50))),
    );
    const mix = track('Long Mix', await media.addFile('mix.mp3', await makeClip({ seconds: 20 })));
    const preview = track('Go Plus', await media.addFile('preview.mp3', await makeClip({ seconds: 20 })), {
      'Duration (ms)': { number: 180_000 },
    });
    // Scaled down so short clips stand for the real limits (660 s mixes, 30 s previews).
    const daemon = await world.daemon({
      file: { ...FAST, search: media.search, media: { mixLimitSeconds: 15, previewSeconds: 20 } },
    });
    await daemon.runOnce();
    expect(daemon.store.items.getItemByPage('tracks', corrupt)).toMatchObject({ state: 'failed' });
    expect(['CORRUPT_MEDIA', 'DOWNLOAD_FAILED', 'ANALYSIS_FAILED']).toContain(
      daemon.store.items.getItemByPage('tracks', corrupt)!.last_error_code ?? '',
    );
    expect(daemon.store.items.getItemByPage('tracks', mix)).toMatchObject({
      state: 'failed',
      last_error_code: 'MIX_DETECTED',
    });
    expect(field(mix, 'Audio Processing')).toEqual(['Mix/Set Detected - Manual Review Required']);
    expect(field(mix, 'Downloaded')).toBe(false);
    expect(daemon.store.items.getItemByPage('tracks', preview)).toMatchObject({
      state: 'failed',
      last_error_code: 'SOURCE_PREVIEW_ONLY',
    });
    // Nothing half-done reaches the output folders.
    expect(existsSync(join(world.outDir, 'Unassigned', 'Edge Case - Long Mix.m4a'))).toBe(false);
    await daemon.stop('test');
    isolate([corrupt, mix, preview]);
  });

  it('keeps hostile titles inside their folder, within 200 bytes, with the Notion title untouched', async () => {
    const nasty = '../../etc/pässwd: 🎧 نغمة \u202Eevil\u0000 é';
    const a = track(nasty, await media.addFile('nasty.mp3', await makeClip({ seconds: 20, tonic: 1 })));
    const long = sandbox.workspace.createPage({
      parent: { data_source_id: sandbox.ids.tracks.dataSourceId },
      // Notion holds long text as several items of at most 2,000 characters.
      properties: {
        Title: { title: toRichText('Ω'.repeat(10_000)) },
        'Artist Name': text('Edge Case'),
        'Source URL': {
          url: await media.addFile('long.mp3', await makeClip({ seconds: 20, tonic: 4, timbre: 'organ' })),
        },
      },
    }).id;
    const shell = track('Shell', `${media.url}/audio/x.mp3;touch ${join(world.dir, 'pwned')};$(id)`);
    const daemon = await world.daemon();
    await daemon.runOnce();
    const path = String(field(a, 'M4A File Path'));
    expect(dirname(path)).toBe(join(world.outDir, 'Unassigned'));
    // Separators become "-", so the dots cannot climb out; NUL and the right-to-left override are gone.
    expect(basename(path)).toBe('Edge Case - ..-..-etc-pässwd- 🎧 نغمة evil é.m4a');
    expect(field(a, 'Title')).toBe(nasty);
    const longPath = String(field(long, 'M4A File Path'));
    expect(Buffer.byteLength(basename(longPath))).toBeLessThanOrEqual(200);
    expect(existsSync(longPath)).toBe(true);
    expect(String(field(long, 'Title'))).toHaveLength(10_000);
    expect(daemon.store.items.getItemByPage('tracks', shell)?.state).toBe('failed');
    expect(existsSync(join(world.dir, 'pwned'))).toBe(false);
    await daemon.stop('test');
    isolate([a, long, shell]);
  });

  it("gives different tracks with the same name their own files, and replaces a track's own file", async () => {
    // Different recordings that happen to share artist and title (the same audio would be one recording, adopted).
    const first = track('Twin', await media.addFile('twin1.mp3', await makeClip({ seconds: 20, tonic: 2, bpm: 110 })));
    const second = track(
      'Twin',
      await media.addFile('twin2.mp3', await makeClip({ seconds: 20, tonic: 7, bpm: 140, timbre: 'square' })),
    );
    const daemon = await world.daemon();
    await daemon.runOnce();
    const names = [String(field(first, 'M4A File Path')), String(field(second, 'M4A File Path'))]
      .map((p) => basename(p))
      .sort();
    expect(names).toEqual(['Edge Case - Twin (2).m4a', 'Edge Case - Twin.m4a']);
    // Reprocess the first: it replaces its own file, no third copy appears.
    sandbox.workspace.updatePage(first, {
      properties: {
        Downloaded: { checkbox: false },
        'M4A File Path': { rich_text: [] },
        'AIFF File Path': { rich_text: [] },
        'WAV File Path': { rich_text: [] },
      },
    });
    sandbox.advanceClock(120_000);
    await daemon.runOnce();
    expect(
      readdirSync(join(world.outDir, 'Unassigned'))
        .filter((f) => f.startsWith('Edge Case - Twin') && f.endsWith('.m4a'))
        .sort(),
    ).toEqual(['Edge Case - Twin (2).m4a', 'Edge Case - Twin.m4a']);
    await daemon.stop('test');
    isolate([first, second]);
  });

  it('waits for an unmounted volume instead of creating it', async () => {
    const id = track('Offline', await media.addFile('offline.mp3', await makeClip({ seconds: 20 })));
    const daemon = await world.daemon({
      file: patient,
      env: {
        OUT_DIR: '/Volumes/TracksyncTestDrive-404/Playlists',
        BACKUP_DIR: join(world.dir, 'b2'),
        WAV_BACKUP_DIR: join(world.dir, 'w2'),
      },
    });
    await daemon.runOnce();
    expect(daemon.store.items.getItemByPage('tracks', id)).toMatchObject({
      state: 'retry_wait',
      last_error_code: 'VOLUME_NOT_MOUNTED',
    });
    expect(daemon.store.items.getItemByPage('tracks', id)?.last_error_message).toContain(
      'volume not mounted: /Volumes/TracksyncTestDrive-404',
    );
    expect(existsSync('/Volumes/TracksyncTestDrive-404')).toBe(false);
    expect(field(id, 'Downloaded')).toBe(false);
    await daemon.stop('test');
    isolate([id]);
  });
});
