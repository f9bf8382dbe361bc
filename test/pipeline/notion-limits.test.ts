import { existsSync } from 'node:fs';
import { decodeProperty } from '../../src/notion/codecs.js';
import { makeClip } from '../helpers/audio.js';
import { text, title } from '../helpers/notion.js';
import { pipelineWorld } from '../helpers/pipeline.js';

/** The real track pipeline against Notion's limits: relations past 25, and a workspace past its block limit. */
describe("the track pipeline within Notion's limits", async () => {
  const world = await pipelineWorld();
  const { sandbox } = world;
  const ws = sandbox.workspace;
  const field = (id: string, name: string) => decodeProperty(ws.retrievePage(id).properties[name]);
  const artistNames = () =>
    ws.allPages(sandbox.ids.artists.dataSourceId).map((p) => String(decodeProperty(p.properties.Name)));

  it('keeps every artist a row is linked to (30) when it links the ones it found', async () => {
    const url = await world.media.addFile(
      'crowded.mp3',
      await makeClip({ tonic: 2, mode: 'major', bpm: 120, seconds: 20 }),
    );
    const linked = Array.from(
      { length: 30 },
      (_, i) =>
        ws.createPage({
          parent: { data_source_id: sandbox.ids.artists.dataSourceId },
          properties: { Name: title(`Guest ${i}`) },
        }).id,
    );
    const id = ws.createPage({
      parent: { data_source_id: sandbox.ids.tracks.dataSourceId },
      properties: { Title: title('Crowded'), 'Artist Name': text('Crowd Leader'), 'Source URL': { url } },
    }).id;
    ws.setRelation(id, 'Artist', linked);
    const daemon = await world.daemon();
    await daemon.runOnce();
    await daemon.stop('test');
    expect(field(id, 'Downloaded')).toBe(true);
    const now = ws.relationIds(id, 'Artist');
    expect(now).toHaveLength(31);
    expect(now.slice(0, 30)).toEqual(linked);
    expect(field(now[30]!, 'Name')).toBe('Crowd Leader');
  });

  it('syncs the files and the row past the workspace block limit, without creating the new artist', async () => {
    const url = await world.media.addFile(
      'limited.mp3',
      await makeClip({ tonic: 5, mode: 'minor', bpm: 126, seconds: 20 }),
    );
    const id = ws.createPage({
      parent: { data_source_id: sandbox.ids.tracks.dataSourceId },
      properties: { Title: title('Limited'), 'Artist Name': text('Newcomer Never Seen'), 'Source URL': { url } },
    }).id;
    ws.setBlockLimitReached(true);
    try {
      const daemon = await world.daemon();
      await daemon.runOnce();
      await daemon.app.critical.idle();
      expect(daemon.store.incidents.getIncident('notion-block-limit')?.cleared_at).toBeNull();
      await daemon.stop('test');
    } finally {
      ws.setBlockLimitReached(false);
    }
    expect(field(id, 'Downloaded')).toBe(true);
    expect(existsSync(String(field(id, 'M4A File Path')))).toBe(true);
    expect(field(id, 'Tempo')).toBeCloseTo(126, 0);
    expect(artistNames()).not.toContain('Newcomer Never Seen');
  });
});
