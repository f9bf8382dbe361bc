import type { Clock } from '../clock.js';
import type { Config } from '../config/load.js';
import { ConfigError, TrackSyncError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Store } from '../../state/store.js';
import { DATABASES, type DatabaseKey } from './databases.js';
import type { NotionGateway } from './gateway.js';
import { resolveSchema, type ResolvedSchema } from './schema.js';

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
 * Reads the schema of every configured database and binds the semantic fields (notion-schema.md).
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
      schemas[key] = schema;
    } catch (error) {
      if (error instanceof TrackSyncError && (error.code === 'NOTION_NOT_FOUND' || error.code === 'NOTION_UNAUTHORIZED' || error.code === 'NOTION_FORBIDDEN')) {
        problems.push(`${DATABASES[key].label} (${DATABASES[key].envKey}=${databaseId}): ${error.message}`);
      } else {
        throw error;
      }
    }
  }
  if (problems.length > 0) throw new ConfigError(problems, 'tracksync cannot use the Notion databases as configured');
  const tasks = schemas.tasks as ResolvedSchema<'tasks'> | undefined;
  if (tasks) checkStatusOptions(tasks, deps.config);
  return schemas as unknown as Schemas;
}

/** Reads one database's schema; `problems` lists what makes it unusable. */
export async function loadSchema<D extends DatabaseKey>(deps: Deps, key: D, databaseId: string): Promise<{ schema: ResolvedSchema<D>; problems: string[] }> {
  const { notion, store, clock } = deps;
  let dataSourceId = store.getDataSourceId(databaseId);
  let realDatabaseId = databaseId;
  let dataSource;
  if (dataSourceId !== undefined) {
    try {
      dataSource = await notion.retrieveDataSource(dataSourceId);
    } catch (error) {
      if (!(error instanceof TrackSyncError && error.code === 'NOTION_NOT_FOUND')) throw error;
      store.forgetDataSourceId(databaseId);
      dataSourceId = undefined;
    }
  }
  if (dataSource === undefined) {
    try {
      const database = await notion.retrieveDatabase(databaseId);
      const first = database.data_sources[0];
      if (first === undefined) throw new TrackSyncError('SCHEMA_MISMATCH', `${DATABASES[key].label}: database ${databaseId} has no data source`);
      if (database.data_sources.length > 1) {
        deps.logger.warn({ database: DATABASES[key].label, dataSources: database.data_sources.map((d) => d.name) }, 'database has several data sources; using the first');
      }
      dataSource = await notion.retrieveDataSource(first.id);
    } catch (error) {
      // notion-schema.md: "A data source id is accepted too."
      if (!(error instanceof TrackSyncError && (error.code === 'NOTION_NOT_FOUND' || error.code === 'NOTION_VALIDATION'))) throw error;
      try {
        dataSource = await notion.retrieveDataSource(databaseId);
      } catch {
        throw error;
      }
      const parent = dataSource.parent as { database_id?: string };
      realDatabaseId = parent.database_id ?? databaseId;
    }
    store.saveDataSourceId(databaseId, dataSource.id, DATABASES[key].label, clock.now());
  }
  const overrides = (deps.config.mappings[key] ?? {}) as Record<string, string>;
  return resolveSchema(key, realDatabaseId, dataSource as never, overrides);
}

/** notion-schema.md: "tracksync never writes a status option that does not exist; where a configured value is missing it says so at start." */
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
      missing.map(([key, name]) => `Agent-Tasks: status "${name}" (${key}) is not an option of "${status.name}"; options: ${status.options.join(', ')}. Set ${key} in the config file to an existing option.`),
      'tracksync cannot use the Agent-Tasks statuses as configured',
    );
  }
}
