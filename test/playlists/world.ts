import { copyFileSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { Store } from '../../state/store.js';
import { systemClock } from '../../src/clock.js';
import type { Config, FileConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/log.js';
import { encodeWav, synthesize } from '../../src/media/synth.js';
import type { NotionGateway } from '../../src/notion/gateway.js';
import { loadSchemas, type Schemas } from '../../src/notion/schemas.js';
import type { ExportDeps } from '../../src/playlists/export.js';
import type { Sandbox } from '../../src/sandbox/server.js';
import { FAST, testConfig } from '../helpers/daemon.js';
import { indexedFile } from '../helpers/library.js';
import { gatewayFor, text, title } from '../helpers/notion.js';

/**
 * A Music Playlists database with its own "Tracks" relation and the write-back properties (added to the seeded one, as
 * a user would), track rows whose files really exist (one short real file per format, copied under each track's
 * name), and helpers to build playlists.
 */
export interface PlaylistWorld {
  readonly sandbox: Sandbox;
  readonly dir: string;
  readonly music: string;
  /** A synced track with real files (by default an AIFF and an M4A); returns its page id. */
  track(spec: TrackSpec): string;
  playlist(name: string, trackIds: readonly string[]): string;
  /**
   * Sets a playlist's tracks as a person does in the app. With the playlist's own relation, both sides change, as with
   * Notion's two-way relations (the track rows' "Playlists" shows the playlist); `oneWay` leaves the track rows alone.
   */
  setTracks(playlistId: string, trackIds: readonly string[], oneWay?: boolean): void;
  /** The config, a real gateway and the live schemas, and a store in the world's state folder. */
  deps(
    file?: FileConfig,
    env?: Record<string, string>,
  ): Promise<ExportDeps & { notion: NotionGateway; schemas: Schemas; config: Config }>;
}

export interface TrackSpec {
  readonly title: string;
  readonly artist?: string;
  readonly downloaded?: boolean;
  readonly formats?: ReadonlyArray<'aiff' | 'm4a' | 'wav'>;
  readonly bpm?: number;
  readonly key?: string;
  readonly camelot?: string;
  readonly seconds?: number;
  /** Paths to write into Notion as they are (files not created). */
  readonly paths?: Partial<Record<'aiff' | 'm4a' | 'wav', string>>;
  readonly setOrder?: number;
}

const PROPERTY = { aiff: 'AIFF File Path', m4a: 'M4A File Path', wav: 'WAV File Path' } as const;

export async function playlistWorld(
  sandbox: Sandbox,
  dir: string,
  options: { playlistRelation?: boolean; writeBack?: boolean } = {},
): Promise<PlaylistWorld> {
  const ws = sandbox.workspace;
  const ids = sandbox.ids;
  if (options.playlistRelation !== false)
    ws.addProperty(ids.playlists.dataSourceId, {
      name: 'Tracks',
      type: 'relation',
      relationTo: ids.tracks.dataSourceId,
    });
  if (options.writeBack !== false) {
    ws.addProperty(ids.playlists.dataSourceId, { name: 'Exported At', type: 'date' });
    ws.addProperty(ids.playlists.dataSourceId, { name: 'Exported Tracks', type: 'number' });
    ws.addProperty(ids.playlists.dataSourceId, { name: 'Missing Tracks', type: 'rich_text' });
    ws.addProperty(ids.playlists.dataSourceId, { name: 'Export File', type: 'rich_text' });
  }
  ws.addProperty(ids.tracks.dataSourceId, { name: 'Set Order', type: 'number' });
  const music = join(dir, 'Music');
  mkdirSync(music, { recursive: true });
  // One real file per format: 0.5 s of a chord, as AIFF (16-bit 44.1 kHz), ALAC in M4A and WAV.
  const wav = join(dir, 'template.wav');
  writeFileSync(wav, encodeWav(synthesize({ tonic: 9, mode: 'minor', bpm: 124, timbre: 'saw', seconds: 0.5 })));
  const templates = { wav, aiff: join(dir, 'template.aiff'), m4a: join(dir, 'template.m4a') };
  await execa('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-i', wav, templates.aiff]);
  await execa('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-i', wav, '-c:a', 'alac', templates.m4a]);
  let n = 0;

  const world: PlaylistWorld = {
    sandbox,
    dir,
    music,
    track(spec) {
      n += 1;
      const artist = spec.artist ?? 'Artist';
      const properties: Record<string, unknown> = {
        Title: title(spec.title),
        'Artist Name': text(artist),
        Downloaded: { checkbox: spec.downloaded ?? true },
        'Audio Duration (seconds)': { number: spec.seconds ?? 0.5 },
        ...(spec.bpm !== undefined ? { Tempo: { number: spec.bpm } } : {}),
        ...(spec.key !== undefined ? { 'Key ': text(spec.key) } : {}),
        ...(spec.camelot !== undefined ? { Camelot: text(spec.camelot) } : {}),
        ...(spec.setOrder !== undefined ? { 'Set Order': { number: spec.setOrder } } : {}),
        'Processed At': { date: { start: '2026-11-20T10:00:00.000Z' } },
      };
      if (spec.downloaded !== false) {
        for (const format of spec.formats ?? (['aiff', 'm4a'] as const)) {
          const path = join(
            music,
            `${n} ${artist.replace(/\//g, '-')} - ${spec.title.replace(/\//g, '-').slice(0, 80)}.${format}`,
          );
          copyFileSync(templates[format], path);
          properties[PROPERTY[format]] = text(path);
        }
      }
      for (const [format, path] of Object.entries(spec.paths ?? {}))
        properties[PROPERTY[format as 'aiff']] = text(path);
      return ws.createPage({ parent: { data_source_id: ids.tracks.dataSourceId }, properties }).id;
    },
    playlist(name, trackIds) {
      const id = ws.createPage({
        parent: { data_source_id: ids.playlists.dataSourceId },
        properties: { Name: title(name) },
      }).id;
      world.setTracks(id, trackIds);
      return id;
    },
    setTracks(playlistId, trackIds, oneWay = false) {
      const before = options.playlistRelation !== false ? ws.relationIds(playlistId, 'Tracks') : [];
      if (options.playlistRelation !== false) ws.setRelation(playlistId, 'Tracks', trackIds);
      if (oneWay) return;
      for (const trackId of new Set([...before, ...trackIds])) {
        const others = ws.relationIds(trackId, 'Playlists').filter((p) => p !== playlistId);
        ws.setRelation(trackId, 'Playlists', trackIds.includes(trackId) ? [...others, playlistId] : others);
      }
    },
    async deps(file = {}, env = {}) {
      const stateDir = join(dir, 'state');
      const config = testConfig(sandbox, stateDir, { ...FAST, ...file }, { OUT_DIR: join(dir, 'out'), ...env });
      const store = Store.open(join(stateDir, 'tracksync.sqlite'));
      afterAll(() => store.close());
      const notion = gatewayFor(sandbox);
      const schemas = await loadSchemas({ notion, store, config, clock: systemClock, logger: silentLogger() });
      return { notion, schemas, store, config, clock: systemClock, logger: silentLogger() };
    },
  };
  return world;
}

/**
 * Records a track's file at a new place in the library index, as the pipeline does when it places a file (the
 * library's upsertIndexedFile, with nothing read from its tags yet): the export then finds the file where it went.
 */
export function recordMovedFile(store: Store, file: { path: string; pageId: string; format: string }): void {
  const { size, mtimeMs } = statSync(file.path);
  store.library.upsertIndexedFile(indexedFile(file.path, { ...file, size, mtimeMs }), []);
}
