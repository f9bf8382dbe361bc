import { accessSync, constants, existsSync } from 'node:fs';
import type { Config } from '../config/load.js';
import type { CheckResult } from './checks.js';
import { PLAYLIST_FIELDS } from '../notion/databases.js';
import type { Schemas } from '../notion/schemas.js';
import { unmountedVolume } from '../domain/volumes.js';

/**
 * `tracksync doctor` lines for the playlist export: targets and folder, where members come from, what is written back.
 */
export function playlistChecks(config: Config, schemas: Schemas, platform: NodeJS.Platform): CheckResult[] {
  const schema = schemas.playlists;
  if (!schema) return [];
  const settings = config.playlists;
  const checks: CheckResult[] = [];
  const on = (value: boolean): string => (value ? 'on' : 'off');
  const folder = settings.exportDir;
  const missing = unmountedVolume(folder);
  let where = existsSync(folder) ? 'exists' : 'created at the first export';
  let status: CheckResult['status'] = 'ok';
  if (missing) {
    where = `its volume ${missing} is not mounted`;
    status = 'warn';
  } else if (existsSync(folder)) {
    try {
      accessSync(folder, constants.W_OK);
    } catch {
      where = 'not writable';
      status = 'fail';
    }
  }
  checks.push({
    name: 'Playlist export',
    status,
    detail: `M3U8 ${on(settings.m3u8)}, rekordbox xml ${on(settings.rekordbox)}, Apple Music ${on(settings.appleMusic)}; folder ${folder} (${where})`,
    ...(status === 'ok'
      ? {}
      : {
          fix: 'set PLAYLIST_EXPORT_DIR (or playlists.exportDir) to a folder tracksync may write, or mount the volume',
        }),
  });
  if (settings.appleMusic && platform !== 'darwin') {
    checks.push({
      name: 'Playlist export',
      status: 'warn',
      detail: 'Apple Music playlists are on, but Music and osascript exist on macOS only',
      fix: 'set playlists.appleMusic to false in the config file',
    });
  }
  const tracks = schema.fields.tracks;
  checks.push(
    tracks
      ? {
          name: 'Playlist tracks',
          status: 'ok',
          detail: `read from Music Playlists > "${tracks.name}", in its order${settings.sortProperty ? `, sorted by "${settings.sortProperty}"` : ''}`,
        }
      : {
          name: 'Playlist tracks',
          status: 'warn',
          detail:
            `Music Playlists has no tracks relation (names tried: ${PLAYLIST_FIELDS.tracks.names.map((n) => `"${n}"`).join(', ')}): ` +
            'each playlist\'s tracks come from the "Playlists" relation of Music Tracks, in the order the rows were created',
          fix: 'make the "Playlists" relation of Music Tracks two-way (its other side in Music Playlists named "Tracks") to export the order you arrange in Notion',
        },
  );
  if (settings.sortProperty !== null && !schemas.tracks.fields.setOrder) {
    checks.push({
      name: 'Playlist order',
      status: 'warn',
      detail: `playlists.sortProperty "${settings.sortProperty}" is not a number, text or select property of Music Tracks; the relation's order is used`,
      fix: 'add the property to Music Tracks, or change playlists.sortProperty',
    });
  }
  const writeBack = (['exportedAt', 'exportedCount', 'missingTracks', 'exportFile'] as const).map((field) => ({
    field,
    property: schema.fields[field],
    spec: PLAYLIST_FIELDS[field],
  }));
  const present = writeBack.filter((w) => w.property).map((w) => `"${w.property!.name}"`);
  const absent = writeBack
    .filter((w) => !w.property)
    .map((w) => `"${w.spec.names[0]}" (${w.spec.types[0]!.replace('_', ' ')})`);
  checks.push({
    name: 'Playlist write-back',
    status: 'ok',
    detail: `${present.length > 0 ? `writes ${present.join(', ')}` : 'writes nothing back'}${absent.length > 0 ? `; add ${absent.join(', ')} to Music Playlists to have them filled too` : ''}`,
  });
  return checks;
}
