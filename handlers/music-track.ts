import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { TrackSyncError } from '../src/errors.js';
import { cleanText } from '../src/text.js';
import type { Logger } from '../src/log.js';
import type { FieldValue } from '../src/notion/codecs.js';
import { decodeProperty } from '../src/notion/codecs.js';
import { PROCESSING_TAGS, type FieldKey, type ProcessingTag } from '../src/notion/databases.js';
import type { NotionGateway } from '../src/notion/gateway.js';
import { overLimitMessage, readRelation, relationUnion } from '../src/notion/relations.js';
import { analyseAudio, type Analysis } from '../src/pipeline/analyse.js';
import { splitArtists, type ArtistHints } from '../src/domain/artists.js';
import { trackRow, type PipelineDeps, type TrackRow } from '../src/pipeline/context.js';
import { decode, tagFiles, verifyFiles, type TrackFingerprint, type TrackMetadata } from '../src/pipeline/convert.js';
import { downloadAudio, sha256File, type DownloadResult } from '../src/pipeline/download.js';
import { checkAfterDownload, checkBeforeDownload, type AdoptedFiles } from '../src/dedup/checks.js';
import { importOrDefer } from '../src/pipeline/eagle.js';
import { rawFromBase64 } from '../src/media/chromaprint.js';
import type { ProbeResult } from '../src/media/ffmpeg.js';
import { outsideLibrary } from '../src/library/scan.js';
import { placeFiles, type Placed } from '../src/pipeline/place.js';
import { resolveSource, type Resolution, type ResolvedSource } from '../src/pipeline/resolve.js';
import { MEDIA, artistDirectory, type MediaServices } from '../src/services/media.js';
import { reportStep, type TrackStep } from '../src/pipeline/steps.js';
import type { SpotifyTrack } from '../src/services/spotify.js';
import type { Handler, HandlerContext, HandlerResult } from '../src/engine/contracts.js';
import type { TrackOutcome } from '../src/domain/outcomes.js';

type TrackValues = Partial<Record<FieldKey<'tracks'>, FieldValue>>;

const hash = (...parts: unknown[]): string =>
  createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 24);

/** Everything the write-back needs, saved by the `place` stage so a retry after placing skips straight to it. */
interface PlacedTrack {
  readonly placed: Placed;
  readonly analysis: Analysis;
  readonly fingerprint: string | null;
  readonly metadata: TrackMetadata;
  readonly download: Pick<DownloadResult, 'source' | 'fallbackFrom' | 'search' | 'notes'>;
  /** Set when the download turned out to be a recording the library already holds: `placed` points at those files. */
  readonly duplicateOf?: string;
}

/**
 * The main job: a Music Tracks row in, three verified, fully tagged files on disk and a complete row out.
 * resolve -> (dedup) -> download -> convert (one ffmpeg run: the encodes, the analysis audio, loudness, fingerprint) ->
 * analyse -> same recording? -> tag -> verify -> place -> write back; each stage is checkpointed, and `place` wraps
 * the stages before it, so a finished placement skips them all on a retry.
 */
export const musicTrackHandler: Handler<'tracks', TrackOutcome> = {
  name: 'music-track',
  source: 'tracks',
  accepts: () => true,
  async run(ctx) {
    const row = trackRow(ctx.input);
    const media = ctx.services.require<MediaServices>(MEDIA);
    const deps: PipelineDeps = {
      config: ctx.config,
      logger: ctx.logger,
      clock: ctx.clock,
      signal: ctx.signal,
      store: ctx.store,
      ffmpeg: media.ffmpeg,
      ytdlp: media.ytdlp,
      spotify: media.spotify,
      fetch: media.fetch,
      files: media.files,
      itemId: ctx.item.id,
      pageId: row.pageId,
      workDir: ctx.workDir,
      events: ctx.events,
    };

    // docs/notion-contract.md: a row with paths but Downloaded unchecked is a reprocess candidate: files that decode
    // are adopted,
    // when they are in the library folders; a path elsewhere is ignored and the row says why (once per change).
    const ownPaths = await inLibrary(ctx.config, {
      ...(row.paths.m4a ? { m4a: row.paths.m4a } : {}),
      ...(row.paths.aiff ? { aiff: row.paths.aiff } : {}),
      ...(row.paths.wav ? { wav: row.paths.wav } : {}),
    });
    if (ownPaths.ignored.length > 0) {
      await ctx.stage('ignored-paths', hash(ownPaths.ignored), async () => {
        ctx.logger.warn({ ignored: ownPaths.ignored }, 'file paths outside the library folders ignored');
        await ctx.notion
          .createComment(row.pageId, `tracksync: ${ownPaths.ignored.join('; ')}`)
          .catch((error: unknown) => ctx.logger.warn({ err: error }, 'could not comment on the row'));
        return true;
      });
    }
    const own = await adoptFiles(ctx, deps, ownPaths.files, "the row's own files are on disk");
    if (own) return own;

    const step = (label: TrackStep, extra: { title?: string } = {}): void =>
      reportStep(ctx.events, ctx.item.id, label, extra);
    step('Looking up the source');
    const resolution = await ctx.stage(
      'resolve',
      hash(row.soundcloudUrl, row.youtubeUrl, row.sourceUrl, row.spotifyId, row.spotifyUrl, row.title, row.artist),
      () => resolveSource(deps, row),
    );
    for (const note of resolution.notes) ctx.logger.info({ note }, 'row note');

    const dedup = await ctx.stage('dedup', hash(row, resolution.spotify?.id ?? null), async () => {
      const eagle = (await media.eagle.available()) ? media.eagle : undefined;
      return checkBeforeDownload(
        { config: ctx.config, notion: ctx.notion, schema: ctx.schemas.tracks, store: ctx.store, eagle },
        ctx.input.page,
        {
          ...row,
          expectedDurationSeconds: resolution.spotify
            ? resolution.spotify.durationMs / 1000
            : row.expectedDurationSeconds,
        },
      );
    });
    if (dedup.kind === 'merged-into') {
      ctx.logger.info({ keeper: dedup.keeperId, reason: dedup.reason }, 'duplicate row merged into its keeper');
      return {
        outcome: 'merged',
        properties: { processing: [PROCESSING_TAGS.merged] },
        archive: true,
        details: { keeper: dedup.keeperId, reason: dedup.reason },
      };
    }
    const mergeValues: TrackValues =
      dedup.kind === 'keeper' ? { ...dedup.values, processing: [PROCESSING_TAGS.merged] } : {};
    if (dedup.kind === 'adopt') {
      // Another row's paths are Notion text too: the same library-folder rule.
      const adopted = await adoptFiles(
        ctx,
        deps,
        (await inLibrary(ctx.config, dedup.files)).files,
        dedup.reason,
        spotifyValues(row, resolution.spotify),
      );
      if (adopted) return adopted;
    }
    const localSource = dedup.kind === 'local-source' ? dedup : undefined;
    if (!resolution.source && !localSource) return metadataOnly(ctx, row, resolution);
    const source: ResolvedSource = localSource
      ? { url: localSource.path, kind: 'generic', label: 'Eagle library', from: 'sourceUrl' }
      : resolution.source!;

    // The row may hold only a Spotify id: from here on the track has its name.
    const known = resolution.spotify
      ? `${resolution.spotify.artists.map((a) => a.name).join(', ')} - ${resolution.spotify.name}`
      : undefined;
    if (known) step('Looking up the source', { title: known });
    const playlist = await firstPlaylistName(ctx.notion, row, ctx.logger);
    const result = await ctx.stage(
      'place',
      hash(
        source.url,
        row.title,
        row.artist,
        playlist,
        ctx.config.placement,
        ctx.config.media.formats,
        ctx.config.paths,
      ),
      async (): Promise<PlacedTrack> => {
        step('Downloading');
        const download = await ctx.stage(
          'download',
          hash(source.url),
          () =>
            localSource
              ? useLocalFile(deps, localSource.path, source)
              : downloadAudio(deps, row, { ...resolution, source }),
          { isValid: (d) => existsSync(d.path) },
        );
        step('Converting');
        const decoded = await ctx.stage(
          'convert',
          hash(download.sha256, ctx.config.media),
          () => decode(deps, download, true),
          {
            isValid: (d) => existsSync(d.pcmPath) && Object.values(d.files).every((path) => existsSync(path)),
          },
        );
        step('Analysing');
        const analysis = await ctx.stage('analyse', hash(decoded), () => analyseAudio(deps, decoded));
        const metadata = trackMetadata(row, resolution.spotify, download);
        // Where the audio came from, as the write-back reports it (a duplicate's row too).
        const origin = {
          source: download.source,
          fallbackFrom: download.fallbackFrom,
          search: download.search,
          notes: download.notes ?? [],
        };
        const recording = await ctx.stage('same-recording', hash(decoded.fingerprint), async () =>
          sameRecording(deps, decoded.fingerprint),
        );
        if (recording.duplicate) {
          // The same recording is already in the library (a SoundCloud and a YouTube copy): its files, no new ones.
          ctx.logger.info({ reason: recording.duplicate.reason }, 'same recording already in the library');
          return {
            placed: { primary: recording.duplicate.files, all: [], bytes: 0 },
            analysis,
            fingerprint: recording.fingerprint,
            metadata,
            download: origin,
            duplicateOf: recording.duplicate.reason,
          };
        }
        const converted = await ctx.stage(
          'tag',
          hash(decoded, analysis, metadata),
          () => tagFiles(deps, download, decoded, analysis, metadata),
          {
            isValid: (c) => Object.values(c.files).every((path) => existsSync(path)),
          },
        );
        await ctx.stage('verify', hash(converted), () => verifyFiles(deps, converted, analysis));
        step('Placing the files');
        const placed = await placeFiles(
          deps,
          converted.files,
          { artist: metadata.artist, title: metadata.title, playlist },
          {
            album: metadata.album,
            durationSeconds: analysis.durationSeconds,
            bpm: analysis.bpm,
            key: analysis.key,
            fingerprint: converted.fingerprint?.compressed ?? null,
            fingerprintRaw: converted.fingerprint ? rawFromBase64(converted.fingerprint.rawBase64) : null,
          },
        );
        return {
          placed,
          analysis,
          fingerprint: converted.fingerprint?.compressed ?? null,
          metadata,
          download: origin,
        };
      },
      { isValid: (p) => p.placed.all.every((path) => existsSync(path)) },
    );

    step('Writing to Notion');
    // Artists merged in from duplicate rows are kept next to the ones found now.
    const mergedArtists = Array.isArray(mergeValues.artists) ? mergeValues.artists : [];
    const artists = await linkArtists(
      ctx,
      row,
      result.metadata.artist,
      result.metadata.title,
      resolution.spotify,
      result.download.source.label,
      mergedArtists,
    );
    const eagleId = localSource?.eagleId ?? (await importPlaced(ctx, media, result, playlist));
    return synced(ctx, row, resolution, result, artists, { ...mergeValues, ...(eagleId ? { eagleId } : {}) });
  },
};

const PATH_PROPERTIES: Record<keyof AdoptedFiles, string> = {
  m4a: 'M4A File Path',
  aiff: 'AIFF File Path',
  wav: 'WAV File Path',
};

/** The paths that lie in the library folders, and for the others why they were ignored (a sentence for the row). */
async function inLibrary(
  config: HandlerContext<'tracks'>['config'],
  files: AdoptedFiles,
): Promise<{ files: AdoptedFiles; ignored: string[] }> {
  const kept: AdoptedFiles = {};
  const ignored: string[] = [];
  for (const [format, path] of Object.entries(files) as Array<[keyof AdoptedFiles, string]>) {
    const why = await outsideLibrary(config, path);
    if (why === null) kept[format] = path;
    else
      ignored.push(
        `${PATH_PROPERTIES[format]} "${path.slice(0, 200)}" was ignored: it is ${why}; tracksync adopts only files inside them`,
      );
  }
  return { files: kept, ignored };
}

/** A file already on this Mac (an Eagle item) as the source: checked like a download, nothing fetched. */
async function useLocalFile(deps: PipelineDeps, path: string, source: ResolvedSource): Promise<DownloadResult> {
  const probe = await deps.ffmpeg.probe(path, deps.signal);
  if (!probe.hasAudio) throw new TrackSyncError('CORRUPT_MEDIA', `the library file ${path} is not playable audio`);
  return {
    path,
    bytes: (await stat(path)).size,
    sha256: await sha256File(path),
    info: emptyInfo(),
    thumbnailPath: null,
    probe,
    source,
    fallbackFrom: null,
    search: null,
  };
}

function emptyInfo(): DownloadResult['info'] {
  return {
    id: null,
    title: null,
    uploader: null,
    artist: null,
    track: null,
    album: null,
    genre: null,
    durationSeconds: null,
    webpageUrl: null,
    extractor: null,
    thumbnailUrl: null,
    isrc: null,
  };
}

/** After the conversion: is this recording already in the library (fingerprint similarity >= 0.9)? */
function sameRecording(
  deps: PipelineDeps,
  fingerprint: TrackFingerprint | null,
): { fingerprint: string | null; duplicate: { files: AdoptedFiles; reason: string } | null } {
  if (!fingerprint) return { fingerprint: null, duplicate: null };
  const found = checkAfterDownload(deps.store, deps.config, deps.pageId, rawFromBase64(fingerprint.rawBase64));
  return { fingerprint: fingerprint.compressed, duplicate: found ?? null };
}

/** Eagle: the WAV (else the AIFF, else the M4A) into Playlists/<playlist>, tagged; deferred when Eagle is closed. */
async function importPlaced(
  ctx: HandlerContext<'tracks'>,
  media: MediaServices,
  result: PlacedTrack,
  playlist: string | null,
): Promise<string | null> {
  const file = result.placed.primary.wav ?? result.placed.primary.aiff ?? result.placed.primary.m4a;
  if (!file || result.duplicateOf) return null;
  return ctx.stage('eagle', hash(file), () =>
    importOrDefer({ eagle: media.eagle, enqueue: ctx.enqueue, logger: ctx.logger }, ctx.item.pageId, {
      path: file,
      name: result.metadata.artist ? `${result.metadata.artist} - ${result.metadata.title}` : result.metadata.title,
      website: result.download.source.url,
      playlist,
      tags: {
        bpm: result.analysis.bpm,
        key: result.analysis.key,
        camelot: result.analysis.camelot,
        playlists: playlist ? [playlist] : [],
        source: sourceTag(result.download.source.label),
        fingerprint: result.fingerprint,
        durationSeconds: result.analysis.durationSeconds,
        artist: result.metadata.artist,
      },
    }),
  );
}

/**
 * Files already on disk instead of a download: they must all decode; the first (the WAV when there is one) is analysed.
 * Undefined when one of them does not decode (then the track is processed normally).
 */
async function adoptFiles(
  ctx: HandlerContext<'tracks'>,
  deps: PipelineDeps,
  files: AdoptedFiles,
  reason: string,
  extra: TrackValues = {},
): Promise<HandlerResult<TrackOutcome> | undefined> {
  const listed = Object.entries(files).filter(([, path]) => path) as Array<['m4a' | 'aiff' | 'wav', string]>;
  if (listed.length === 0 || !listed.every(([, path]) => existsSync(path))) return undefined;
  const adopted = await ctx.stage('adopt', hash(listed), async () => {
    const probes = new Map<string, ProbeResult>();
    for (const [, path] of listed) {
      const probe = await deps.ffmpeg.probe(path, deps.signal).catch(() => undefined);
      if (!probe?.hasAudio) return null;
      probes.set(path, probe);
    }
    // One probe per file: the first's is reused for its analysis run.
    const [, first] = listed.find(([format]) => format === 'wav') ?? listed[0]!;
    return analyseAudio(deps, await decode(deps, { path: first, probe: probes.get(first)! }, false));
  });
  if (!adopted) return undefined;
  ctx.logger.info(
    { paths: listed.map(([, p]) => p), reason },
    'files already on disk decode: adopting them instead of downloading',
  );
  return {
    outcome: 'adopted',
    properties: {
      ...extra,
      downloaded: true,
      ...(files.m4a ? { m4aPath: files.m4a } : {}),
      ...(files.aiff ? { aiffPath: files.aiff } : {}),
      ...(files.wav ? { wavPath: files.wav } : {}),
      ...analysisValues(adopted, ctx.config.media.minKeyMarginPercent),
      processedAt: new Date(ctx.clock.now()).toISOString(),
      processing: [PROCESSING_TAGS.analysed],
    },
    details: { adopted: reason },
  };
}

/** What Notion's Key says when the best key barely beats the runner-up (media.minKeyMarginPercent). */
export const UNCERTAIN_KEY = 'Uncertain';

/**
 * The analysis as Notion values. A key whose confidence (the margin of its correlation over the runner-up's) is under
 * `minKeyMarginPercent` points is written as "Uncertain", without a Camelot code: a wrong key misleads a harmonic
 * mix more than no key does. The files keep the best guess in their tags.
 */
function analysisValues(analysis: Analysis, minKeyMarginPercent: number): TrackValues {
  const uncertain = analysis.keyConfidence !== null && analysis.keyConfidence * 100 < minKeyMarginPercent;
  return {
    ...(analysis.bpm !== null ? { bpm: analysis.bpm } : {}),
    ...(analysis.key ? { key: uncertain ? UNCERTAIN_KEY : analysis.key } : {}),
    ...(analysis.camelot && !uncertain ? { camelot: analysis.camelot } : {}),
    durationSeconds: Math.round(analysis.durationSeconds * 10) / 10,
    ...(analysis.loudnessLufs !== null ? { loudness: analysis.loudnessLufs } : {}),
  };
}

/**
 * The title, artist and album the files are tagged with: the row first (the user's words), then Spotify, then the site.
 */
function trackMetadata(row: TrackRow, spotify: SpotifyTrack | null, download: DownloadResult): TrackMetadata {
  const year = Number((spotify?.releaseDate ?? '').slice(0, 4));
  // Spotify's names are cleaned here (the row's and the site's already are): they become tags and file names.
  const clean = (text: string | null | undefined): string => cleanText(text ?? '').trim();
  return {
    title: row.title || clean(spotify?.name) || download.info.title || 'Untitled',
    artist:
      row.artist ||
      clean(spotify?.artists.map((a) => a.name).join(', ')) ||
      download.info.artist ||
      download.info.uploader ||
      '',
    album: row.album || clean(spotify?.album) || download.info.album || '',
    genre: row.genre || download.info.genre || '',
    year: Number.isInteger(year) && year > 1900 ? year : null,
    isrc: row.isrc || spotify?.isrc || download.info.isrc || null,
    sourceUrl: download.source.url,
    artworkUrl: spotify?.imageUrl ?? null,
  };
}

/** Spotify enrichment: written where the row is empty (a value a person set is never overwritten). */
function spotifyValues(row: TrackRow, spotify: SpotifyTrack | null): TrackValues {
  if (!spotify) return {};
  const values: TrackValues = {};
  if (!row.spotifyId) values.spotifyId = spotify.id;
  if (!row.spotifyUrl) values.spotifyUrl = spotify.url;
  if (!row.isrc && spotify.isrc) values.isrc = spotify.isrc;
  if (!row.album && spotify.album) values.album = spotify.album;
  if (spotify.releaseDate)
    values.releaseDate =
      spotify.releaseDate.length === 4
        ? `${spotify.releaseDate}-01-01`
        : spotify.releaseDate.length === 7
          ? `${spotify.releaseDate}-01`
          : spotify.releaseDate;
  if (spotify.popularity !== null) values.popularity = spotify.popularity;
  if (spotify.imageUrl) values.imageUrl = spotify.imageUrl;
  values.durationMs = spotify.durationMs;
  if (!row.title) values.title = spotify.name;
  if (!row.artist) values.artistName = spotify.artists.map((a) => a.name).join(', ');
  return values;
}

/**
 * No audio to be found: what is known is written, tagged Metadata Enriched, and the row is not retried until it
 * changes.
 */
function metadataOnly(
  ctx: HandlerContext<'tracks'>,
  row: TrackRow,
  resolution: Resolution,
): HandlerResult<TrackOutcome> {
  const best = resolution.search?.candidates[0];
  ctx.logger.info(
    {
      query: resolution.search?.query,
      best: best ? { url: best.url, score: best.score, rejected: best.rejected } : null,
    },
    'no acceptable source: metadata only',
  );
  const searched = resolution.search
    ? [`searched "${resolution.search.query}": no version close enough to download`]
    : [];
  return {
    outcome: 'metadata-only',
    properties: { ...spotifyValues(row, resolution.spotify), processing: [PROCESSING_TAGS.metadataEnriched] },
    details: { search: resolution.search },
    ...notesComment([...resolution.notes, ...searched]),
  };
}

async function linkArtists(
  ctx: HandlerContext<'tracks'>,
  row: TrackRow,
  artist: string,
  title: string,
  spotify: SpotifyTrack | null,
  sourceLabel: string,
  alsoLinked: readonly string[],
): Promise<string[] | undefined> {
  const schema = ctx.schemas.artists;
  if (!schema || !ctx.schemas.tracks.fields.artists) return undefined;
  const names = splitArtists(artist, title);
  if (names.length === 0) return undefined;
  const source = sourceLabel.startsWith('SoundCloud')
    ? 'SoundCloud'
    : sourceLabel.startsWith('YouTube')
      ? 'YouTube'
      : spotify
        ? 'Spotify'
        : undefined;
  const hints: ArtistHints = {
    ...(source ? { source } : {}),
    spotify: new Map((spotify?.artists ?? []).map((a) => [a.name, { id: a.id, url: a.url }])),
  };
  const linked = await ctx.stage('artists', hash(names), async () => {
    const ids = await artistDirectory(ctx.services, ctx.notion, ctx.logger).resolve(schema, names, hints);
    // The row's Artist relation in full (its page object lists 25 at most): the write replaces the whole relation.
    const property = ctx.schemas.tracks.fields.artists!;
    const current = await readRelation(ctx.notion, ctx.input.page, property);
    const merged = relationUnion(current, [...alsoLinked, ...ids]);
    if (merged === undefined) ctx.logger.warn({ pageId: row.pageId }, overLimitMessage(property, current.length));
    return merged ?? null;
  });
  return linked ?? undefined;
}

function synced(
  ctx: HandlerContext<'tracks'>,
  row: TrackRow,
  resolution: Resolution,
  result: PlacedTrack,
  artistIds: string[] | undefined,
  extra: TrackValues,
): HandlerResult<TrackOutcome> {
  const { placed, analysis, metadata, download } = result;
  const processing: ProcessingTag[] = result.duplicateOf
    ? [PROCESSING_TAGS.analysed]
    : [PROCESSING_TAGS.analysed, PROCESSING_TAGS.converted];
  if (extra.eagleId) processing.push(PROCESSING_TAGS.eagleImported);
  if (Array.isArray(extra.processing)) processing.push(...extra.processing);
  const values: TrackValues = {
    ...spotifyValues(row, resolution.spotify),
    ...extra,
    downloaded: true,
    ...(placed.primary.m4a ? { m4aPath: placed.primary.m4a } : {}),
    ...(placed.primary.aiff ? { aiffPath: placed.primary.aiff } : {}),
    ...(placed.primary.wav ? { wavPath: placed.primary.wav } : {}),
    ...analysisValues(analysis, ctx.config.media.minKeyMarginPercent),
    ...(result.fingerprint ? { fingerprint: result.fingerprint } : {}),
    processedAt: new Date(ctx.clock.now()).toISOString(),
    downloadSource: download.fallbackFrom
      ? `${download.source.label} (${download.fallbackFrom.source.label} geo-blocked)`
      : download.source.label,
    processing: [...new Set(processing)],
    ...(artistIds ? { artists: artistIds } : {}),
  };
  if (!row.title) values.title = metadata.title;
  if (!row.artist && metadata.artist) values.artistName = metadata.artist;
  if (!row.album && metadata.album) values.album = metadata.album;
  if (!row.genre && metadata.genre) values.genre = metadata.genre;
  // A URL found by a search goes to its own column, and only into an empty one.
  if (download.source.from === 'search' && !row.youtubeUrl) values.youtubeUrl = download.source.url;
  ctx.events.emit('files:written', { bytes: placed.bytes });
  return {
    outcome: result.duplicateOf ? 'adopted' : 'synced',
    properties: values,
    details: {
      paths: placed.all,
      source: download.source,
      search: download.search,
      ...(result.duplicateOf ? { duplicateOf: result.duplicateOf } : {}),
    },
    ...notesComment([...resolution.notes, ...(download.notes ?? [])]),
  };
}

/**
 * Oddities found in the row (a value that is not a link, a playlist where a track belongs) become one comment on it.
 */
function notesComment(notes: readonly string[]): { comment?: string } {
  return notes.length > 0 ? { comment: notes.join('; ') } : {};
}

/** The platform a track came from, as an Eagle tag (the legacy tags said "SoundCloud" or "Spotify"). */
function sourceTag(label: string): string {
  if (label.startsWith('SoundCloud')) return 'SoundCloud';
  if (label.startsWith('YouTube')) return 'YouTube';
  if (label.startsWith('Eagle')) return 'Eagle';
  return 'Web';
}

/** The first related playlist's title decides the subfolder (legacy layout); none -> "Unassigned". */
async function firstPlaylistName(notion: NotionGateway, row: TrackRow, logger: Logger): Promise<string | null> {
  const first = row.playlistIds[0];
  if (!first) return null;
  try {
    const page = await notion.retrievePage(first);
    const titleProperty = Object.values(page.properties).find((p) => (p as { type?: string }).type === 'title');
    const name = titleProperty ? String(decodeProperty(titleProperty) ?? '') : '';
    return name || null;
  } catch (error) {
    if (error instanceof TrackSyncError && error.code === 'NOTION_NOT_FOUND') {
      logger.warn(
        { playlist: first },
        'the related playlist page is not shared with the integration; using the default folder',
      );
      return null;
    }
    throw error;
  }
}
