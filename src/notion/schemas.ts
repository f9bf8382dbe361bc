import type { Clock } from '../clock.js';
import type { Config } from '../config/load.js';
import { ConfigError, TrackSyncError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Store } from '../../state/store.js';
import { DATABASES, type DatabaseKey } from './databases.js';
import type { NotionGateway } from './gateway.js';
import { resolveSchema, type ResolvedProperty, type ResolvedSchema } from './schema.js';

/** The resolved schema of every configured database. Tracks is always there; the others when configured. */
export interface Schemas {
  readonly tracks: ResolvedSchema<'tracks'>;
  readonly artists?: ResolvedSchema<'artists'>;
  readonly tasks?: ResolvedSchema<'tasks'>;
  readonly executionLogs?: ResolvedSchema<'executionLogs'>;
  readonly playlists?: ResolvedSchema<'playlists'>;
}

interface Deps {
  notion: NotionGateway;
  store: Store;
  config: Config;
  clock: Clock;
  logger: Logger;
}

/**
 * Reads the schema of every configured database and binds the semantic fields (docs/notion-contract.md).
 * The database -> data source mapping is cached in SQLite, so a normal start costs one request per database.
 * All problems of all databases are gathered into one ConfigError (the CLI exits 2 with the list).
 */
export async function loadSchemas(deps: Deps): Promise<Schemas> {
  const problems: string[] = [];
  const schemas: Partial<Record<DatabaseKey, ResolvedSchema>> = {};
  for (const key of Object.keys(DATABASES) as DatabaseKey[]) {
    const databaseId = deps.config.databases[key];
    if (databaseId === undefined) continue;
    try {
      const { schema, problems: found } = await loadSchema(deps, key, databaseId);
      problems.push(...found);
      if (schema) schemas[key] = schema;
    } catch (error) {
      if (
        error instanceof TrackSyncError &&
        (error.code === 'NOTION_NOT_FOUND' || error.code === 'NOTION_UNAUTHORIZED' || error.code === 'NOTION_FORBIDDEN')
      ) {
        problems.push(`${DATABASES[key].label} (${DATABASES[key].envKey}=${databaseId}): ${error.message}`);
      } else {
        throw error;
      }
    }
  }
  if (problems.length > 0) throw new ConfigError(problems, 'tracksync cannot use the Notion databases as configured');
  const tasks = schemas.tasks as ResolvedSchema<'tasks'> | undefined;
  if (tasks) {
    checkStatusOptions(tasks, deps.config);
    for (const problem of missingTaskTypes(tasks, deps.config)) deps.logger.warn(problem);
  }
  return schemas as unknown as Schemas;
}

/**
 * Reads one database's schema; `problems` lists what makes it unusable.
 *
 * Since API 2025-09-03 a database holds one or more data sources, in an order Notion does not document
 * (developers.notion.com/guides/get-started/upgrade-guide-2025-09-03). The data source is the one the user chose by
 * name or id (`TRACKS_DATA_SOURCE`…, or `dataSources` in the config file), or the only one. With several and no
 * choice, tracksync stops and names them: taking the first would sync whichever Notion happens to list first.
 * The choice is cached in SQLite (one request per database at a normal start); a cached data source that no longer
 * matches the configured choice is discovered again.
 */
export async function loadSchema<D extends DatabaseKey>(
  deps: Deps,
  key: D,
  databaseId: string,
): Promise<{ schema: ResolvedSchema<D> | undefined; problems: string[] }> {
  const { notion, store, clock } = deps;
  const { label } = DATABASES[key];
  const choice = deps.config.dataSources[key];
  let realDatabaseId = databaseId;
  let listed: ReadonlyArray<{ id: string; name: string }> | undefined;
  let dataSource;
  const cached = store.cursors.getDataSourceId(databaseId);
  if (cached !== undefined) {
    try {
      const known = await notion.retrieveDataSource(cached);
      if (choice === undefined || pickDataSource([{ id: known.id, name: plainTitle(known.title) }], choice)) {
        dataSource = known;
        realDatabaseId = (known.parent as { database_id?: string }).database_id ?? databaseId;
      }
    } catch (error) {
      if (!(error instanceof TrackSyncError && error.code === 'NOTION_NOT_FOUND')) throw error;
    }
    if (!dataSource) store.cursors.forgetDataSourceId(databaseId);
  }
  if (!dataSource) {
    const found = await discoverDataSource(notion, key, databaseId, choice);
    if ('problem' in found) return { schema: undefined, problems: [found.problem] };
    ({ dataSource, realDatabaseId, listed } = found);
  }
  store.cursors.saveDataSourceId(databaseId, dataSource.id, label, clock.now());
  const overrides = (deps.config.mappings[key] ?? {}) as Record<string, string>;
  const resolved = resolveSchema(key, realDatabaseId, dataSource as never, overrides);
  return { schema: { ...resolved.schema, ...(listed ? { dataSources: listed } : {}) }, problems: resolved.problems };
}

/** Every data source of the database a schema belongs to (`doctor` lists them; one request). */
export async function listDataSources(
  notion: NotionGateway,
  schema: ResolvedSchema,
): Promise<ReadonlyArray<{ id: string; name: string }>> {
  if (schema.dataSources) return schema.dataSources;
  const database = await notion.retrieveDatabase(schema.databaseId);
  return database.data_sources.map((d) => ({ id: d.id, name: d.name }));
}

type DataSourceResponse = Awaited<ReturnType<NotionGateway['retrieveDataSource']>>;

/** The database's data sources, and the one to use: the chosen one, or the only one. */
async function discoverDataSource(
  notion: NotionGateway,
  key: DatabaseKey,
  databaseId: string,
  choice: string | undefined,
): Promise<
  | { dataSource: DataSourceResponse; realDatabaseId: string; listed?: ReadonlyArray<{ id: string; name: string }> }
  | { problem: string }
> {
  const { label, envKey, dataSourceEnvKey } = DATABASES[key];
  const setting = `${dataSourceEnvKey} (or dataSources.${key} in the config file)`;
  try {
    const database = await notion.retrieveDatabase(databaseId);
    const listed = database.data_sources.map((d) => ({ id: d.id, name: d.name }));
    const described = listed.map((d) => `"${d.name}" (id ${d.id})`).join(', ');
    let chosen: { id: string; name: string } | undefined;
    if (choice !== undefined) {
      chosen = pickDataSource(listed, choice);
      if (!chosen)
        return {
          problem: `${label} (${envKey}=${databaseId}): no data source named or with the id "${choice}" (${setting}); the database holds ${described || 'none'}. Set ${dataSourceEnvKey} to one of them.`,
        };
    } else if (listed.length === 1) {
      chosen = listed[0];
    } else if (listed.length > 1) {
      return {
        problem: `${label} (${envKey}=${databaseId}) holds ${listed.length} data sources: ${described}. tracksync does not guess which one to sync: set ${setting} to the name or id of the one to use.`,
      };
    }
    if (!chosen) throw new TrackSyncError('SCHEMA_MISMATCH', `${label}: database ${databaseId} has no data source`);
    return { dataSource: await notion.retrieveDataSource(chosen.id), realDatabaseId: databaseId, listed };
  } catch (error) {
    // docs/notion-contract.md: "A data source id is accepted too."
    if (!(error instanceof TrackSyncError && (error.code === 'NOTION_NOT_FOUND' || error.code === 'NOTION_VALIDATION')))
      throw error;
    let dataSource: DataSourceResponse;
    try {
      dataSource = await notion.retrieveDataSource(databaseId);
    } catch {
      throw error;
    }
    return { dataSource, realDatabaseId: (dataSource.parent as { database_id?: string }).database_id ?? databaseId };
  }
}

/** A data source by id (dashed or not) or by name: exact first, then ignoring case when that names only one. */
function pickDataSource(
  listed: ReadonlyArray<{ id: string; name: string }>,
  choice: string,
): { id: string; name: string } | undefined {
  const bare = (id: string): string => id.replaceAll('-', '').toLowerCase();
  const byId = listed.find((d) => bare(d.id) === bare(choice.trim()));
  if (byId) return byId;
  const exact = listed.filter((d) => d.name === choice);
  if (exact.length === 1) return exact[0];
  const folded = listed.filter((d) => d.name.trim().toLowerCase() === choice.trim().toLowerCase());
  return folded.length === 1 ? folded[0] : undefined;
}

function plainTitle(title: ReadonlyArray<{ plain_text?: string }>): string {
  return title.map((t) => t.plain_text ?? '').join('');
}

/**
 * Configured task types that the live "Task Type" select lacks. Not fatal: they are left out of routing (and of any
 * query filter, where a select naming a missing option may be refused with validation_error), and doctor lists them.
 */
export function missingTaskTypes(tasks: ResolvedSchema<'tasks'>, config: Config): string[] {
  const property = tasks.fields.taskType;
  if (!property)
    return config.routing.taskTypes.length > 0
      ? [
          `Agent-Tasks has no "Task Type" select: routing.taskTypes (${config.routing.taskTypes.join(', ')}) cannot route any task`,
        ]
      : [];
  return config.routing.taskTypes
    .filter((t) => !property.options.includes(t))
    .map(
      (t) =>
        `Agent-Tasks: task type "${t}" (routing.taskTypes) is not an option of "${property.name}" (options: ${property.options.join(', ') || 'none'}); tasks are not routed by it until the option exists or routing.taskTypes names an existing one`,
    );
}

/** What a relation pointing into a database the integration cannot see costs, per field. */
const RELATION_COSTS: Partial<Record<string, string>> = {
  'tasks.assignedAgent':
    "the relation reads as empty, so a task assigned to tracksync's agent page looks unassigned; tracksync asks Notion's filter which tasks are assigned to it (one more query per poll), but if that filter cannot see the relation either, assignment alone does not route a task to tracksync (type and title still do)",
  'tasks.executionLogs': "the task's Execution-Logs read as empty; tracksync cannot see the logs already linked",
  'tracks.artists': 'the Artist relation reads as empty; artists are not linked',
  'tracks.playlists':
    'the Playlists relation reads as empty, so files go to the "Unassigned" folder instead of the playlist\'s',
  'executionLogs.tasks': "a log's Agent-Tasks relation reads as empty",
};

export interface RelationAccess {
  readonly database: string;
  readonly property: string;
  readonly targetDataSourceId: string;
  readonly shared: boolean;
  readonly cost: string;
}

/**
 * Whether each relation tracksync uses points into a data source the integration can read. A relation into a
 * database not shared with it comes back as an empty list, without an error (makenotion/notion-sdk-js#514), so this
 * is the only way to tell. One request per related data source tracksync has not read already; `doctor` runs it.
 */
export async function checkRelationTargets(notion: NotionGateway, schemas: Schemas): Promise<RelationAccess[]> {
  const results: RelationAccess[] = [];
  const loaded = (Object.values(schemas) as Array<ResolvedSchema | undefined>).map((s) => s?.dataSourceId);
  const seen = new Map<string, boolean>();
  for (const key of Object.keys(DATABASES) as DatabaseKey[]) {
    const schema = schemas[key] as ResolvedSchema | undefined;
    if (!schema) continue;
    for (const [field, property] of Object.entries(schema.fields) as Array<[string, ResolvedProperty | undefined]>) {
      if (!property || property.type !== 'relation' || !property.relationDataSourceId) continue;
      const target = property.relationDataSourceId;
      // A data source tracksync just read is shared; others are asked for once each.
      let shared = loaded.includes(target) || seen.get(target);
      if (shared === undefined) {
        try {
          await notion.retrieveDataSource(target);
          shared = true;
        } catch (error) {
          if (!(error instanceof TrackSyncError && error.code === 'NOTION_NOT_FOUND')) throw error;
          shared = false;
        }
        seen.set(target, shared);
      }
      const cost = RELATION_COSTS[`${key}.${field}`] ?? 'the relation reads as empty';
      results.push({
        database: schema.label,
        property: property.name,
        targetDataSourceId: property.relationDataSourceId,
        shared,
        cost,
      });
    }
  }
  return results;
}

/**
 * docs/notion-contract.md: "tracksync never writes a status option that does not exist; where a configured value is
 * missing it says so at start."
 */
function checkStatusOptions(tasks: ResolvedSchema<'tasks'>, config: Config): void {
  const status = tasks.fields.status;
  if (!status) return;
  const { readyStatus, inProgressStatus, completedStatus, failedStatus, blockedStatus } = config.routing;
  const missing = [
    ['routing.readyStatus', readyStatus],
    ['routing.inProgressStatus', inProgressStatus],
    ['routing.completedStatus', completedStatus],
    ['routing.failedStatus', failedStatus],
    ['routing.blockedStatus', blockedStatus],
  ].filter(([, name]) => !status.options.includes(name!));
  if (missing.length > 0) {
    throw new ConfigError(
      missing.map(
        ([key, name]) =>
          `Agent-Tasks: status "${name}" (${key}) is not an option of "${status.name}"; options: ${status.options.join(', ')}. Set ${key} in the config file to an existing option.`,
      ),
      'tracksync cannot use the Agent-Tasks statuses as configured',
    );
  }
}
