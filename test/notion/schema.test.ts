import { resolveSchema } from '../../src/notion/schema.js';
import { Workspace } from '../../src/sandbox/workspace.js';
import { seedWorkspace } from '../../src/sandbox/seed.js';

function liveTracks() {
  const workspace = new Workspace({ now: () => Date.now() });
  const ids = seedWorkspace(workspace, { seed: true, sampleRows: false });
  return { workspace, ids, dataSource: workspace.retrieveDataSource(ids.tracks.dataSourceId) };
}

describe("resolveSchema against the user's live Music Tracks schema", () => {
  it('binds every field, including "Key " with its trailing space and the legacy "WAV Fingerprint"', () => {
    const { ids, dataSource } = liveTracks();
    const { schema, problems } = resolveSchema('tracks', ids.tracks.databaseId, dataSource as never);
    expect(problems).toEqual([]);
    expect(schema.fields.key?.name).toBe('Key ');
    expect(schema.fields.fingerprint?.name).toBe('WAV Fingerprint');
    expect(schema.fields.loudness?.name).toBe('Loudness Level');
    expect(schema.fields.downloaded?.type).toBe('checkbox');
    expect(schema.skipped.map((s) => s.field)).toContain('lastError');
  });

  it('finds the checkbox under its legacy alias "DL", whatever the case and spacing', () => {
    const { workspace, ids } = liveTracks();
    workspace.renameProperty(ids.tracks.dataSourceId, 'Downloaded', '  dl ');
    const { schema, problems } = resolveSchema(
      'tracks',
      ids.tracks.databaseId,
      workspace.retrieveDataSource(ids.tracks.dataSourceId) as never,
    );
    expect(problems).toEqual([]);
    expect(schema.fields.downloaded?.name).toBe('  dl ');
  });

  it('names the database, the field, the names tried and the types accepted when a required field is missing', () => {
    const { workspace, ids } = liveTracks();
    workspace.removeProperty(ids.tracks.dataSourceId, 'Downloaded');
    const { problems } = resolveSchema(
      'tracks',
      ids.tracks.databaseId,
      workspace.retrieveDataSource(ids.tracks.dataSourceId) as never,
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('Music Tracks (database 27ce7361-6c27-80fb-b40e-fefdd47d6640)');
    expect(problems[0]).toContain('required field "downloaded"');
    expect(problems[0]).toContain('names tried: "Downloaded", "DL"');
    expect(problems[0]).toContain('types accepted: checkbox');
  });

  it('reports a required property of the wrong type, and skips an optional one', () => {
    const { workspace, ids } = liveTracks();
    workspace.changePropertyType(ids.tracks.dataSourceId, 'Artist Name', 'number');
    workspace.changePropertyType(ids.tracks.dataSourceId, 'Key ', 'number');
    const { schema, problems } = resolveSchema(
      'tracks',
      ids.tracks.databaseId,
      workspace.retrieveDataSource(ids.tracks.dataSourceId) as never,
    );
    expect(problems).toEqual([
      expect.stringContaining(
        'required field "artistName": property "Artist Name" has type number; types accepted: rich_text',
      ),
    ]);
    expect(schema.fields.key).toBeUndefined();
    expect(schema.skipped).toContainEqual({
      field: 'key',
      reason: 'property "Key " has type number; types accepted: rich_text or select',
    });
  });

  it('uses a mapping from the config file instead of the built-in names', () => {
    const { workspace, ids } = liveTracks();
    workspace.addProperty(ids.tracks.dataSourceId, { name: 'My BPM', type: 'number' });
    const { schema, problems } = resolveSchema(
      'tracks',
      ids.tracks.databaseId,
      workspace.retrieveDataSource(ids.tracks.dataSourceId) as never,
      { bpm: 'my bpm', colour: 'x' },
    );
    expect(schema.fields.bpm?.name).toBe('My BPM');
    expect(problems).toEqual([expect.stringContaining('"colour" is not a field of Music Tracks')]);
  });

  it('requires at least one source property', () => {
    const { workspace, ids } = liveTracks();
    for (const name of ['SoundCloud URL', 'YouTube URL', 'Spotify URL', 'Spotify ID', 'Source URL'])
      workspace.removeProperty(ids.tracks.dataSourceId, name);
    const { problems } = resolveSchema(
      'tracks',
      ids.tracks.databaseId,
      workspace.retrieveDataSource(ids.tracks.dataSourceId) as never,
    );
    expect(problems).toEqual([expect.stringContaining('no source property found')]);
  });
});
