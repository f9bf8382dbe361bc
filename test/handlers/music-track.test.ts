import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { readTags } from '../../src/media/tags.js';
import { decodeProperty } from '../../src/notion/codecs.js';
import { makeClip } from '../helpers/audio.js';
import { text, title } from '../helpers/notion.js';
import { pipelineWorld } from '../helpers/pipeline.js';

describe('the track pipeline, end to end', async () => {
  const world = await pipelineWorld();
  const { sandbox } = world;
  const field = (id: string, name: string) => decodeProperty(sandbox.workspace.retrievePage(id).properties[name]);
  const track = (properties: Record<string, unknown>) =>
    sandbox.workspace.createPage({ parent: { data_source_id: sandbox.ids.tracks.dataSourceId }, properties }).id;

  it('turns a row with a source URL into three verified, tagged files and a complete row', async () => {
    const url = await world.media.addFile(
      'night-drive.mp3',
      await makeClip({ tonic: 9, mode: 'minor', bpm: 128, timbre: 'saw', seconds: 20 }),
    );
    const id = track({
      Title: title('Night Drive'),
      'Artist Name': text('Test Artist feat. Guest Singer'),
      'Source URL': { url },
    });
    const daemon = await world.daemon();
    await daemon.runOnce();
    expect(daemon.store.items.getItemByPage('tracks', id)).toMatchObject({ state: 'done', outcome: 'synced' });

    const m4a = String(field(id, 'M4A File Path'));
    const aiff = String(field(id, 'AIFF File Path'));
    const wav = String(field(id, 'WAV File Path'));
    const name = 'Test Artist feat. Guest Singer - Night Drive';
    expect(m4a).toBe(join(world.outDir, 'Unassigned', `${name}.m4a`));
    expect(aiff).toBe(join(world.outDir, 'Unassigned', `${name}.aiff`));
    expect(wav).toBe(join(world.wavBackupDir, `${name}.wav`));
    expect(existsSync(join(world.backupDir, `${name}.m4a`))).toBe(true);

    for (const path of [m4a, aiff, wav]) {
      const tags = await readTags(path);
      expect(tags).toMatchObject({
        title: 'Night Drive',
        artist: 'Test Artist feat. Guest Singer',
        bpm: 128,
        key: 'A Minor',
        camelot: '8A',
        comment: url,
      });
      expect(tags.durationSeconds).toBeCloseTo(20, 0);
    }
    // Lossy source: ALAC at 16 bits and 44.1 kHz (24 bits would only add size).
    const probe = await execa('ffprobe', [
      '-v',
      'error',
      '-select_streams',
      'a:0',
      '-show_entries',
      'stream=codec_name,sample_rate,bits_per_raw_sample',
      '-of',
      'csv=p=0',
      m4a,
    ]);
    expect(probe.stdout.trim()).toBe('alac,44100,16');

    expect(field(id, 'Downloaded')).toBe(true);
    expect(field(id, 'Tempo')).toBeCloseTo(128, 0);
    expect(field(id, 'Key ')).toBe('A Minor');
    expect(field(id, 'Camelot')).toBe('8A');
    expect(field(id, 'Audio Duration (seconds)')).toBeCloseTo(20, 0);
    expect(String(field(id, 'WAV Fingerprint'))).toMatch(/^AQA/);
    expect(typeof field(id, 'Loudness Level')).toBe('number');
    expect(field(id, 'Download Source')).toBe('Source URL');
    expect(field(id, 'Processing Lock')).toBe('');
    expect(field(id, 'Audio Processing')).toEqual(['Audio Analysis Complete', 'Format Conversion Complete']);
    const artists = (field(id, 'Artist') as string[]).map((a) => field(a, 'Name'));
    expect(artists.sort()).toEqual(['Guest Singer', 'Test Artist']);
    // Nothing is left in the work folder, and no temp file next to the outputs.
    expect(
      existsSync(join(daemon.config.stateDir, 'work', String(daemon.store.items.getItemByPage('tracks', id)!.id))),
    ).toBe(false);
    expect(readdirSync(join(world.outDir, 'Unassigned')).filter((f) => f.includes('.tracksync-'))).toEqual([]);
    await daemon.stop('test');
  });

  it('writes "Uncertain" to Notion instead of a key below media.minKeyMarginPercent, and keeps the guess in the files', async () => {
    const url = await world.media.addFile(
      'unsure.mp3',
      await makeClip({ tonic: 2, mode: 'major', bpm: 110, timbre: 'organ', seconds: 15 }),
    );
    const id = track({ Title: title('Unsure'), 'Artist Name': text('Test Artist'), 'Source URL': { url } });
    // No key can beat its runner-up by 100 points: every key is uncertain.
    const daemon = await world.daemon({ file: { media: { minKeyMarginPercent: 100 } }, stateName: 'uncertain' });
    await daemon.runOnce();
    expect(daemon.store.items.getItemByPage('tracks', id)).toMatchObject({ state: 'done', outcome: 'synced' });
    expect(field(id, 'Key ')).toBe('Uncertain');
    expect(field(id, 'Camelot')).toBe('');
    expect((await readTags(String(field(id, 'WAV File Path')))).key).toBe('D Major');
    await daemon.stop('test');
  });
});
