/**
 * The contract with the user's Notion workspace (docs/notion-contract.md): for each database, each semantic field we
 * use,
 * the property names tried in order, the property types accepted, and whether the daemon can run without it.
 *
 * Names are matched after trimming and case-folding: the live Music Tracks database has a property named "Key "
 * (with a trailing space) and it must resolve. The config file can override any mapping (field -> property name).
 */

export type PropertyType =
  | 'title'
  | 'rich_text'
  | 'url'
  | 'checkbox'
  | 'number'
  | 'select'
  | 'multi_select'
  | 'status'
  | 'date'
  | 'relation'
  | 'people'
  | 'files'
  | 'email'
  | 'phone_number'
  | 'formula'
  | 'rollup'
  | 'created_time'
  | 'last_edited_time'
  | 'created_by'
  | 'last_edited_by'
  | 'unique_id';

export interface FieldSpec {
  readonly names: readonly string[];
  readonly types: readonly PropertyType[];
  readonly required?: boolean;
}

export const TRACK_FIELDS = {
  title: { names: ['Title', 'Name'], types: ['title'], required: true },
  artistName: { names: ['Artist Name', 'Artists'], types: ['rich_text'], required: true },
  album: { names: ['Album', 'Album Name'], types: ['rich_text'] },
  genre: { names: ['Genre', 'Genres'], types: ['select'] },
  soundcloudUrl: { names: ['SoundCloud URL', 'Soundcloud URL'], types: ['url', 'rich_text'] },
  youtubeUrl: { names: ['YouTube URL'], types: ['url'] },
  spotifyUrl: { names: ['Spotify URL', 'Spotify Link'], types: ['url'] },
  spotifyId: { names: ['Spotify ID', 'Spotify Track ID', 'SpotifyID'], types: ['rich_text'] },
  sourceUrl: { names: ['Source URL'], types: ['url'] },
  downloaded: { names: ['Downloaded', 'DL'], types: ['checkbox'], required: true },
  m4aPath: { names: ['M4A File Path', 'M4A', 'M4A Path'], types: ['rich_text'] },
  aiffPath: { names: ['AIFF File Path', 'AIFF', 'AIFF Path'], types: ['rich_text'] },
  wavPath: { names: ['WAV File Path', 'WAV', 'WAV Path'], types: ['rich_text'] },
  bpm: { names: ['Tempo', 'BPM', 'AverageBpm'], types: ['number'] },
  key: { names: ['Key'], types: ['rich_text', 'select'] },
  camelot: { names: ['Camelot', 'Camelot Key'], types: ['rich_text', 'select'] },
  durationSeconds: { names: ['Audio Duration (seconds)', 'Duration (s)', 'TotalTime'], types: ['number'] },
  durationMs: { names: ['Duration (ms)'], types: ['number'] },
  fingerprint: { names: ['Fingerprint', 'WAV Fingerprint'], types: ['rich_text'] },
  isrc: { names: ['ISRC', 'Track ISRC'], types: ['rich_text'] },
  releaseDate: { names: ['Release Date'], types: ['date'] },
  popularity: { names: ['Popularity'], types: ['number'] },
  imageUrl: { names: ['Image URL'], types: ['url'] },
  eagleId: { names: ['Eagle File ID', 'Eagle ID', 'EagleID'], types: ['rich_text'] },
  processing: { names: ['Audio Processing'], types: ['multi_select'] },
  lock: { names: ['Processing Lock', 'ProcessingLock'], types: ['rich_text'] },
  processedAt: { names: ['Processed At', 'Processing Timestamp'], types: ['date'] },
  downloadSource: { names: ['Download Source'], types: ['rich_text', 'select'] },
  loudness: { names: ['Audio LUFS Level', 'Loudness Level'], types: ['number'] },
  artists: { names: ['Artist', 'Artists', 'Artist Relation'], types: ['relation'] },
  playlists: { names: ['Playlists', 'Playlist', 'Playlist Relation', 'Related Playlists'], types: ['relation'] },
  lastUsed: { names: ['Last Used'], types: ['date'] },
  /** Playlist export (src/playlists/order.ts): the order of tracks in a set when playlists.sortProperty names it. */
  setOrder: { names: ['Set Order'], types: ['number', 'rich_text', 'select'] },
  /** Not in the legacy schema: where a failure reason goes when the user adds such a column (else a page comment). */
  lastError: { names: ['Processing Error', 'Last Error'], types: ['rich_text'] },
  notes: { names: ['Notes'], types: ['rich_text'] },
} as const satisfies Record<string, FieldSpec>;

/** At least one of these must exist in Music Tracks, and a row needs one of them filled to be eligible. */
export const TRACK_SOURCE_FIELDS = ['soundcloudUrl', 'youtubeUrl', 'sourceUrl', 'spotifyUrl', 'spotifyId'] as const;

export const ARTIST_FIELDS = {
  name: { names: ['Name'], types: ['title'], required: true },
  source: { names: ['Source'], types: ['select'] },
  spotifyId: { names: ['Spotify ID'], types: ['rich_text'] },
  spotifyUrl: { names: ['Spotify URL'], types: ['url'] },
  soundcloudUrl: { names: ['SoundCloud Profile URL', 'SoundCloud URL'], types: ['url'] },
  lastUsed: { names: ['Last Used'], types: ['date'] },
} as const satisfies Record<string, FieldSpec>;

export const TASK_FIELDS = {
  title: { names: ['Task Name', 'Name'], types: ['title'], required: true },
  status: { names: ['Status'], types: ['status'], required: true },
  priority: { names: ['Priority'], types: ['select'] },
  description: { names: ['Description'], types: ['rich_text'] },
  nextStep: { names: ['Next Required Step'], types: ['rich_text'] },
  successCriteria: { names: ['Success Criteria'], types: ['rich_text'] },
  taskType: { names: ['Task Type'], types: ['select'] },
  assignedAgent: { names: ['Assigned-Agent'], types: ['relation'] },
  archive: { names: ['Archive'], types: ['checkbox'] },
  result: { names: ['Execution-Result'], types: ['rich_text'] },
  executionLogs: { names: ['Execution-Logs'], types: ['relation'] },
} as const satisfies Record<string, FieldSpec>;

export const EXECUTION_LOG_FIELDS = {
  name: { names: ['Name'], types: ['title'], required: true },
  startTime: { names: ['Start Time'], types: ['date'] },
  endTime: { names: ['End Time'], types: ['date'] },
  status: { names: ['Status'], types: ['rich_text', 'select'] },
  durationSeconds: { names: ['Duration (s)'], types: ['number'] },
  tasks: { names: ['Agent-Tasks'], types: ['relation'] },
  errorCount: { names: ['Error Count'], types: ['number'] },
  summary: { names: ['Plain-English Summary'], types: ['rich_text'] },
  logPath: { names: ['Log Path', 'Log File Path'], types: ['rich_text'] },
} as const satisfies Record<string, FieldSpec>;

export const PLAYLIST_FIELDS = {
  name: { names: ['Name', 'Title'], types: ['title'], required: true },
  url: { names: ['Playlist URL', 'URL', 'SoundCloud URL', 'Spotify URL'], types: ['url'] },
  spotifyId: { names: ['Spotify ID', 'Spotify Playlist ID'], types: ['rich_text'] },
  /**
   * Playlist export (src/playlists/): the playlist's own tracks relation, in the order Notion keeps it. Without one,
   * the
   * members come from the "Playlists" relation of Music Tracks rows. The others are written back after an export, each
   * only when the database has it (`tracksync doctor` lists which).
   */
  tracks: { names: ['Tracks', 'Music Tracks', 'Songs', 'Track Relation'], types: ['relation'] },
  exportedAt: { names: ['Exported At', 'Last Exported', 'Export Time'], types: ['date'] },
  exportedCount: { names: ['Exported Tracks', 'Tracks Exported', 'Exported Count'], types: ['number'] },
  missingTracks: { names: ['Missing Tracks', 'Not Exported', 'Export Missing'], types: ['rich_text'] },
  exportFile: { names: ['Export File', 'Playlist File'], types: ['rich_text'] },
} as const satisfies Record<string, FieldSpec>;

export const DATABASES = {
  tracks: {
    label: 'Music Tracks',
    envKey: 'TRACKS_DB_ID',
    dataSourceEnvKey: 'TRACKS_DATA_SOURCE',
    fields: TRACK_FIELDS,
  },
  artists: {
    label: 'Music Artists',
    envKey: 'ARTISTS_DB_ID',
    dataSourceEnvKey: 'ARTISTS_DATA_SOURCE',
    fields: ARTIST_FIELDS,
  },
  tasks: {
    label: 'Agent-Tasks',
    envKey: 'AGENT_TASKS_DB_ID',
    dataSourceEnvKey: 'AGENT_TASKS_DATA_SOURCE',
    fields: TASK_FIELDS,
  },
  executionLogs: {
    label: 'Execution-Logs',
    envKey: 'EXECUTION_LOGS_DB_ID',
    dataSourceEnvKey: 'EXECUTION_LOGS_DATA_SOURCE',
    fields: EXECUTION_LOG_FIELDS,
  },
  playlists: {
    label: 'Music Playlists',
    envKey: 'PLAYLISTS_DB_ID',
    dataSourceEnvKey: 'PLAYLISTS_DATA_SOURCE',
    fields: PLAYLIST_FIELDS,
  },
} as const;

export type DatabaseKey = keyof typeof DATABASES;
export type FieldsOf<D extends DatabaseKey> = (typeof DATABASES)[D]['fields'];
export type FieldKey<D extends DatabaseKey> = keyof FieldsOf<D> & string;

/** The Audio Processing vocabulary the user already has (docs/notion-contract.md); we add none. */
export const PROCESSING_TAGS = {
  analysed: 'Audio Analysis Complete',
  converted: 'Format Conversion Complete',
  eagleImported: 'Files Imported to Eagle',
  merged: 'Merged Duplicate',
  metadataEnriched: 'Metadata Enriched',
} as const;

/** A progress tag tracksync sets when a stage has really finished (legacy bugs 13 and 14, docs/legacy-bugs.md). */
export type ProcessingTag = (typeof PROCESSING_TAGS)[keyof typeof PROCESSING_TAGS];

export const PROCESSING_ERROR_TAGS = [
  'SC_404',
  'SC_Geo_Blocked',
  'Download_Failed',
  'Conversion_Failed',
  'Eagle_Import_Failed',
  'Notion_Update_Failed',
  'Dedup_Failed',
  'Lock_Conflict',
  'Metadata_Failed',
  'Unknown_Error',
  'Mix/Set Detected - Manual Review Required',
] as const;

export type ProcessingErrorTag = (typeof PROCESSING_ERROR_TAGS)[number];

/** Names never to create an artist for (docs/notion-contract.md, Music Artists). */
export const REJECTED_ARTIST_NAMES = [
  'unknown',
  'unknown artist',
  'n/a',
  'various artists',
  'va',
  'tracks',
  'playlists',
  'sets',
  'albums',
  'users',
  'discover',
  'search',
  'stream',
] as const;
