import { stableId } from './ids.js';
import type { PropertyDefinition, Workspace } from './workspace.js';

/**
 * The user's databases as they are today (docs/notion-contract.md, docs/legacy-bugs.md, "The databases"), with their
 * real database ids,
 * the awkward names kept ("Key " with a trailing space, "WAV Fingerprint", "Loudness Level") and a sample of the
 * unused legacy properties, so schema resolution is exercised against the real thing.
 */

export interface SeededDatabase {
  databaseId: string;
  dataSourceId: string;
}

export interface SeededIds {
  tracks: SeededDatabase;
  artists: SeededDatabase;
  tasks: SeededDatabase;
  executionLogs: SeededDatabase;
  playlists: SeededDatabase;
  agents: SeededDatabase;
  /** The agent page tasks can be assigned to for tracksync. */
  tracksyncAgentPageId: string;
}

export const USER_DATABASE_IDS = {
  tracks: '27ce7361-6c27-80fb-b40e-fefdd47d6640',
  artists: '20ee7361-6c27-816d-9817-d4348f6de07c',
  tasks: '284e7361-6c27-8018-872a-eb14e82e0392',
  executionLogs: '27be7361-6c27-8033-a323-dca0fafa80e6',
  playlists: '20ee7361-6c27-819c-b0b3-e691f104d5e6',
  agents: '257e7361-6c27-802a-93dd-cb88d1c4607b',
} as const;

export const TASK_STATUS_OPTIONS = [
  'Archived',
  'Completed',
  'Ready',
  'Draft',
  'Planning',
  'Ready To Publish',
  'In Progress',
  'Review',
  'Blocked',
  'Failed',
];

export const AUDIO_PROCESSING_OPTIONS = [
  'Audio Analysis Complete',
  'Loudness Measured',
  'Normalization Applied',
  'Format Conversion Complete',
  'Files Imported to Eagle',
  'Eagle Import Complete',
  'Merged Duplicate',
  'Metadata Enriched',
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
  'Error Occurred During Processing',
  'Mix/Set Detected - Manual Review Required',
];

const ds = (name: string): string => stableId(`tracksync-sandbox/${name}/data-source`);

export function seedWorkspace(workspace: Workspace, options: { seed: boolean; sampleRows: boolean }): SeededIds {
  const ids: SeededIds = {
    tracks: { databaseId: USER_DATABASE_IDS.tracks, dataSourceId: ds('tracks') },
    artists: { databaseId: USER_DATABASE_IDS.artists, dataSourceId: ds('artists') },
    tasks: { databaseId: USER_DATABASE_IDS.tasks, dataSourceId: ds('tasks') },
    executionLogs: { databaseId: USER_DATABASE_IDS.executionLogs, dataSourceId: ds('execution-logs') },
    playlists: { databaseId: USER_DATABASE_IDS.playlists, dataSourceId: ds('playlists') },
    agents: { databaseId: USER_DATABASE_IDS.agents, dataSourceId: ds('agents') },
    tracksyncAgentPageId: '',
  };
  if (!options.seed) return ids;

  const create = (key: keyof typeof USER_DATABASE_IDS, title: string, properties: PropertyDefinition[]): void => {
    workspace.createDatabase({ id: ids[key].databaseId, dataSourceId: ids[key].dataSourceId, title, properties });
  };

  create('agents', 'Agents', [
    { name: 'Name', type: 'title' },
    { name: 'Agent Type', type: 'select', options: ['MM1', 'MM2'] },
  ]);
  create('artists', 'Music Artists', [
    { name: 'Name', type: 'title' },
    { name: 'Source', type: 'select', options: ['SoundCloud', 'Spotify', 'YouTube'] },
    { name: 'Spotify ID', type: 'rich_text' },
    { name: 'Spotify URL', type: 'url' },
    { name: 'SoundCloud Profile URL', type: 'url' },
    { name: 'Last Used', type: 'date' },
    { name: 'Popularity', type: 'number' },
    { name: 'Genres', type: 'multi_select' },
  ]);
  create('playlists', 'Music Playlists', [
    { name: 'Name', type: 'title' },
    { name: 'Playlist URL', type: 'url' },
    { name: 'Spotify ID', type: 'rich_text' },
    { name: 'Source', type: 'select', options: ['SoundCloud', 'Spotify'] },
  ]);
  create('tracks', 'Music Tracks', [
    { name: 'Title', type: 'title' },
    { name: 'Artist Name', type: 'rich_text' },
    { name: 'Album', type: 'rich_text' },
    { name: 'Genre', type: 'select', options: ['Electronic', 'House', 'Techno', 'Hip-Hop'] },
    { name: 'SoundCloud URL', type: 'url' },
    { name: 'YouTube URL', type: 'url' },
    { name: 'Spotify URL', type: 'url' },
    { name: 'Spotify ID', type: 'rich_text' },
    { name: 'Source URL', type: 'url' },
    { name: 'Downloaded', type: 'checkbox' },
    { name: 'M4A File Path', type: 'rich_text' },
    { name: 'AIFF File Path', type: 'rich_text' },
    { name: 'WAV File Path', type: 'rich_text' },
    { name: 'Tempo', type: 'number' },
    { name: 'Key ', type: 'rich_text' },
    { name: 'Camelot', type: 'rich_text' },
    { name: 'Audio Duration (seconds)', type: 'number' },
    { name: 'Duration (ms)', type: 'number' },
    { name: 'WAV Fingerprint', type: 'rich_text' },
    { name: 'ISRC', type: 'rich_text' },
    { name: 'Release Date', type: 'date' },
    { name: 'Popularity', type: 'number' },
    { name: 'Image URL', type: 'url' },
    { name: 'Eagle File ID', type: 'rich_text' },
    { name: 'Audio Processing', type: 'multi_select', options: AUDIO_PROCESSING_OPTIONS },
    { name: 'Processing Lock', type: 'rich_text' },
    { name: 'Processed At', type: 'date' },
    { name: 'Download Source', type: 'rich_text' },
    { name: 'Loudness Level', type: 'number' },
    { name: 'Artist', type: 'relation', relationTo: ids.artists.dataSourceId },
    { name: 'Playlists', type: 'relation', relationTo: ids.playlists.dataSourceId },
    { name: 'Last Used', type: 'date' },
    { name: 'Notes', type: 'rich_text' },
    // Legacy properties tracksync leaves alone (about 89 exist; these are the ones the legacy code wrote).
    { name: 'Compression Mode Used', type: 'select', options: ['LOSSLESS', 'HIGH', 'PORTABLE'] },
    { name: 'Quality Score', type: 'number' },
    { name: 'Warmth Enhancement Level', type: 'number' },
    { name: 'Audio Processing Summary', type: 'rich_text' },
    { name: 'Fallback Used', type: 'checkbox' },
    { name: 'Metadata Applied', type: 'checkbox' },
    { name: 'Audio Processing Status', type: 'multi_select', options: ['Metadata Enriched'] },
    { name: 'Explicit', type: 'checkbox' },
    { name: 'Preview URL', type: 'url' },
    { name: 'Created', type: 'created_time' },
  ]);
  create('executionLogs', 'Execution-Logs', [
    { name: 'Name', type: 'title' },
    { name: 'Start Time', type: 'date' },
    { name: 'End Time', type: 'date' },
    { name: 'Status', type: 'rich_text' },
    { name: 'Final Status', type: 'select', options: ['Success', 'Failed', 'Partial'] },
    { name: 'Duration (s)', type: 'number' },
    { name: 'Run ID', type: 'rich_text' },
    { name: 'Agent-Tasks', type: 'relation', relationTo: ids.tasks.dataSourceId },
    { name: 'Error Count', type: 'number' },
    { name: 'Warning Count', type: 'number' },
    { name: 'Log File Path', type: 'rich_text' },
    { name: 'Plain-English Summary', type: 'rich_text' },
    { name: 'Type', type: 'select', options: ['Local Python Script', 'tracksync'] },
  ]);
  create('tasks', 'Agent-Tasks', [
    { name: 'Task Name', type: 'title' },
    { name: 'Status', type: 'status', options: TASK_STATUS_OPTIONS },
    { name: 'Priority', type: 'select', options: ['Critical', 'High', 'Medium', 'Low'] },
    { name: 'Description', type: 'rich_text' },
    { name: 'Next Required Step', type: 'rich_text' },
    { name: 'Success Criteria', type: 'rich_text' },
    { name: 'Task Type', type: 'select', options: ['Music Sync', 'Review Task', 'Implementation', 'Research'] },
    { name: 'Assigned-Agent', type: 'relation', relationTo: ids.agents.dataSourceId },
    { name: 'Archive', type: 'checkbox' },
    { name: 'Execution-Result', type: 'rich_text' },
    { name: 'Execution-Logs', type: 'relation', relationTo: ids.executionLogs.dataSourceId },
    { name: 'Handoff Status', type: 'status', options: ['Not Started', 'Handed Off', 'Returned'] },
    { name: 'Last Trigger Timestamp', type: 'date' },
    { name: 'Blocking Reason', type: 'rich_text' },
  ]);

  const agent = (name: string): string =>
    workspace.createPage({
      parent: { data_source_id: ids.agents.dataSourceId },
      properties: { Name: { title: [{ text: { content: name } }] } },
    }).id;
  agent('Cursor MM1 Agent');
  agent('Claude MM1 Agent');
  ids.tracksyncAgentPageId = agent('tracksync');

  if (options.sampleRows) seedSampleRows(workspace, ids);
  return ids;
}

const text = (content: string): { rich_text: Array<{ text: { content: string } }> } => ({
  rich_text: [{ text: { content } }],
});
const title = (content: string): { title: Array<{ text: { content: string } }> } => ({
  title: [{ text: { content } }],
});

/**
 * A handful of rows like the user's: one per source kind, one already done, and tasks tracksync must and must not take.
 */
function seedSampleRows(workspace: Workspace, ids: SeededIds): void {
  const track = (properties: Record<string, unknown>): void => {
    workspace.createPage({ parent: { data_source_id: ids.tracks.dataSourceId }, properties });
  };
  track({
    Title: title('Midnight City'),
    'Artist Name': text('M83'),
    'SoundCloud URL': { url: 'https://soundcloud.com/m83/midnight-city' },
  });
  track({
    Title: title('Strobe'),
    'Artist Name': text('deadmau5'),
    'YouTube URL': { url: 'https://www.youtube.com/watch?v=tKi9Z-f6qX4' },
  });
  track({
    Title: title('Innerbloom'),
    'Artist Name': text('RÜFÜS DU SOL'),
    'Spotify ID': text('2Ax2GLLEOWzCuSMb0bMBrj'),
  });
  track({
    Title: title('Opus'),
    'Artist Name': text('Eric Prydz'),
    'SoundCloud URL': { url: 'https://soundcloud.com/ericprydz/opus' },
    Downloaded: { checkbox: true },
    'M4A File Path': text('/Volumes/VIBES/Playlists/Unassigned/Eric Prydz - Opus.m4a'),
  });

  const task = (properties: Record<string, unknown>): void => {
    workspace.createPage({ parent: { data_source_id: ids.tasks.dataSourceId }, properties });
  };
  task({
    'Task Name': title('Music Track Sync'),
    Status: { status: { name: 'Draft' } },
    Description: text('https://soundcloud.com/fred-again/delilah'),
  });
  task({
    'Task Name': title('DriveSheetsSync: fix header row'),
    Status: { status: { name: 'Ready' } },
    Priority: { select: { name: 'High' } },
  });
}
