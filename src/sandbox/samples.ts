import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTool } from '../media/process.js';
import { encodeWav, synthesize, type SynthSpec } from '../media/synth.js';
import { toRichText } from '../notion/codecs.js';
import type { MediaServer } from './media-server.js';
import type { SeededIds } from './seed.js';
import type { SpotifyServer } from './spotify-server.js';
import type { Workspace } from './workspace.js';

/**
 * The sample rows `tracksync sandbox` seeds, every source on the local media site and the local Spotify, so following
 * the README's sandbox section syncs each of them with no internet. One row per way a real row names its audio, one
 * row tracksync must leave alone, and two Agent-Tasks it must not take. The README's sandbox section lists them.
 */

interface Sample {
  readonly title: string;
  readonly artist: string;
  readonly spec: SynthSpec;
  /** What the row stands for, printed by `tracksync sandbox`. */
  readonly standsFor: string;
  readonly via: 'source-url' | 'spotify-only' | 'spotify-and-source' | 'not-in-notion';
  readonly spotifyId?: string;
}

export const SAMPLES: readonly Sample[] = [
  {
    title: 'Night Drive',
    artist: 'Sandbox Artist',
    spec: { tonic: 9, mode: 'minor', bpm: 124, timbre: 'saw', seconds: 20 },
    via: 'source-url',
    standsFor: 'a SoundCloud, YouTube or any-site link in the row',
  },
  {
    title: 'Morning Swim',
    artist: 'Tide Pool',
    spec: { tonic: 2, mode: 'major', bpm: 100, timbre: 'organ', seconds: 20 },
    via: 'spotify-only',
    spotifyId: '4sbXq0ZkmVbVhGmqxMn1Df',
    standsFor: 'a row with only a Spotify ID: the name comes from Spotify, the audio from a search',
  },
  {
    title: 'Harbour Lights',
    artist: 'Low Tide',
    spec: { tonic: 0, mode: 'minor', bpm: 174, timbre: 'pluck', seconds: 20 },
    via: 'spotify-and-source',
    spotifyId: '1pKYYY0dkg23sQQXi0Q5zN',
    standsFor: 'a link and a Spotify ID: the audio from the link, album and ISRC from Spotify',
  },
  {
    title: 'Late Train',
    artist: 'Sandbox Artist',
    spec: { tonic: 7, mode: 'major', bpm: 118, timbre: 'square', seconds: 20 },
    via: 'not-in-notion',
    standsFor: 'not in Notion: the URL to try "tracksync sync" with',
  },
];

export interface SeededSamples {
  /** Each sample row, what it stands for, and its source. */
  readonly rows: ReadonlyArray<{
    readonly title: string;
    readonly artist: string;
    readonly standsFor: string;
    readonly url: string;
  }>;
  /** A track on the media site no row names yet: for `tracksync sync <url>`. */
  readonly syncUrl: string;
}

/** Makes the audio (ffmpeg encodes generated tones to MP3), serves it, and creates the rows. */
export async function seedOfflineSamples(
  workspace: Workspace,
  ids: SeededIds,
  media: MediaServer,
  spotify: SpotifyServer,
  workDir: string,
): Promise<SeededSamples> {
  mkdirSync(workDir, { recursive: true });
  const rows: Array<{ title: string; artist: string; standsFor: string; url: string }> = [];
  let syncUrl = '';
  for (const [index, sample] of SAMPLES.entries()) {
    const wav = join(workDir, `sample-${index}.wav`);
    const mp3 = join(workDir, `${sample.title.toLowerCase().replace(/\W+/g, '-')}.mp3`);
    writeFileSync(wav, encodeWav(synthesize(sample.spec)));
    await runTool('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-i', wav, '-b:a', '192k', mp3], {
      timeoutMs: 60_000,
      failureCode: 'CONVERSION_FAILED',
    });
    rmSync(wav);
    const url = await media.addFile(mp3.split('/').pop()!, readFileSync(mp3));
    rmSync(mp3);
    if (sample.via === 'not-in-notion') {
      syncUrl = url;
      continue;
    }
    if (sample.spotifyId) {
      spotify.addTrack({
        id: sample.spotifyId,
        name: sample.title,
        artists: [{ id: `${sample.spotifyId.slice(0, 20)}ar`, name: sample.artist }],
        album: `${sample.title} EP`,
        releaseDate: '2025-06-20',
        durationMs: sample.spec.seconds * 1000,
        isrc: `QZSBX25${String(index).padStart(5, '0')}`,
      });
    }
    // The Spotify-only row is found by a search on the local media site's YouTube-like search.
    if (sample.via === 'spotify-only')
      media.addSearchResults(`${sample.artist} ${sample.title}`, [
        { title: `${sample.artist} - ${sample.title} (Official Audio)`, url, durationSeconds: sample.spec.seconds },
      ]);
    const properties: Record<string, unknown> = {
      Title: { title: toRichText(sample.via === 'spotify-only' ? '' : sample.title) },
      ...(sample.via === 'spotify-only'
        ? {}
        : { 'Artist Name': { rich_text: toRichText(sample.artist) }, 'Source URL': { url } }),
      ...(sample.spotifyId ? { 'Spotify ID': { rich_text: toRichText(sample.spotifyId) } } : {}),
    };
    workspace.createPage({ parent: { data_source_id: ids.tracks.dataSourceId }, properties });
    rows.push({
      title: sample.title,
      artist: sample.artist,
      standsFor: sample.standsFor,
      url: sample.via === 'spotify-only' ? `spotify:track:${sample.spotifyId}` : url,
    });
  }
  // A row synced before (Downloaded checked): tracksync leaves it alone.
  workspace.createPage({
    parent: { data_source_id: ids.tracks.dataSourceId },
    properties: {
      Title: { title: toRichText('Old Favourite') },
      'Artist Name': { rich_text: toRichText('Sandbox Artist') },
      Downloaded: { checkbox: true },
      'M4A File Path': {
        rich_text: toRichText('/Volumes/VIBES/Playlists/Unassigned/Sandbox Artist - Old Favourite.m4a'),
      },
    },
  });
  rows.push({
    title: 'Old Favourite',
    artist: 'Sandbox Artist',
    standsFor: 'a row synced before (Downloaded checked): left alone',
    url: '-',
  });
  // Agent-Tasks tracksync must not take: a draft, and a task for another agent.
  const task = (name: string, status: string, description: string): void => {
    workspace.createPage({
      parent: { data_source_id: ids.tasks.dataSourceId },
      properties: {
        'Task Name': { title: toRichText(name) },
        Status: { status: { name: status } },
        Description: { rich_text: toRichText(description) },
      },
    });
  };
  task('Music Track Sync', 'Draft', syncUrl);
  task('DriveSheetsSync: fix header row', 'Ready', 'not a music task');
  return { rows, syncUrl };
}
