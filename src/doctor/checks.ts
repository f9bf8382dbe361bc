import { join } from 'node:path';
import { Store } from '../../state/store.js';
import { systemClock } from '../clock.js';
import type { Config } from '../config/load.js';
import { ConfigError, coerceError } from '../errors.js';
import type { Logger } from '../log.js';
import { DATABASES, type DatabaseKey } from '../notion/databases.js';
import { gatewayFromConfig, type NotionGateway } from '../notion/gateway.js';
import {
  checkRelationTargets,
  listDataSources,
  loadSchemas,
  missingTaskTypes,
  type Schemas,
} from '../notion/schemas.js';
import { playlistChecks } from './playlists.js';

/** skip: the check does not apply here (the LaunchAgent on Linux). */
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  readonly name: string;
  readonly status: CheckStatus;
  readonly detail: string;
  /** What to do about a warning or a failure. */
  readonly fix?: string;
}

export interface SchemaMappingRow {
  readonly database: string;
  readonly field: string;
  readonly property: string | null;
  readonly type: string | null;
  readonly note: string;
}

export interface DoctorReport {
  readonly checks: CheckResult[];
  readonly mapping: SchemaMappingRow[];
}

/** A doctor check: one fact about the machine or the workspace, explained, with the fix. */
export type Check = (context: { config: Config; logger: Logger }) => Promise<CheckResult[]>;

/**
 * Notion: the token works, every configured database is reachable and its schema maps (docs/notion-contract.md), which
 * data
 * source of each database is used, the configured task types exist, and every relation tracksync reads points into a
 * database the integration can see.
 */
export async function checkNotion(config: Config, logger: Logger): Promise<DoctorReport> {
  const checks: CheckResult[] = [];
  const mapping: SchemaMappingRow[] = [];
  let store: Store;
  try {
    store = Store.open(join(config.stateDir, 'tracksync.sqlite'));
  } catch (raw) {
    // A state directory that is a file or read-only: a FAIL line with its fix (state/db.ts words it), the tools
    // are still checked; Notion is not, as its rate budget lives in that directory.
    const error = coerceError(raw);
    if (error.code !== 'STATE_UNUSABLE') throw raw;
    return { checks: [{ name: 'state directory', status: 'fail', detail: error.message }], mapping };
  }
  try {
    // The state directory's store: doctor's requests count against the rate budget a running daemon uses too.
    const notion = gatewayFromConfig(config, logger, { store: store.notion, maxRetries: 1, requestTimeoutMs: 15_000 });
    try {
      const me = await notion.whoAmI();
      checks.push({
        name: 'Notion token',
        status: 'ok',
        detail: `accepted by ${config.notion.baseUrl} (integration ${me.name ?? me.id})`,
      });
    } catch (raw) {
      const error = coerceError(raw);
      checks.push({
        name: 'Notion token',
        status: 'fail',
        detail: error.message,
        fix:
          error.code === 'NOTION_UNAUTHORIZED'
            ? 'set NOTION_TOKEN to the internal integration secret'
            : 'check the network and NOTION_API_BASE_URL',
      });
      return { checks, mapping };
    }
    let schemas: Schemas | undefined;
    try {
      schemas = await loadSchemas({ notion, store, config, clock: systemClock, logger });
      checks.push({
        name: 'Notion databases',
        status: 'ok',
        detail: `${Object.keys(schemas).length} database(s) reachable and mapped`,
      });
    } catch (raw) {
      if (raw instanceof ConfigError) {
        for (const problem of raw.problems) checks.push({ name: 'Notion databases', status: 'fail', detail: problem });
      } else {
        checks.push({ name: 'Notion databases', status: 'fail', detail: coerceError(raw).message });
      }
    }
    for (const key of Object.keys(DATABASES) as DatabaseKey[]) {
      if (!config.databases[key]) {
        checks.push({
          name: DATABASES[key].label,
          status: key === 'tracks' ? 'fail' : 'warn',
          detail: `${DATABASES[key].envKey} is not set`,
          fix: `set ${DATABASES[key].envKey} to enable ${DATABASES[key].label}`,
        });
      }
    }
    if (!schemas) return { checks, mapping };
    mapping.push(...schemaMapping(schemas));
    checks.push(...(await dataSourceChecks(notion, schemas)));
    if (!schemas.tracks.fields.lock) {
      checks.push({
        name: 'Processing Lock',
        status: 'warn',
        detail: 'Music Tracks has no "Processing Lock" property: two machines could process the same row',
        fix: 'add a text property "Processing Lock" to Music Tracks',
      });
    }
    if (schemas.tasks) {
      for (const problem of missingTaskTypes(schemas.tasks, config)) {
        checks.push({
          name: 'Task types',
          status: 'warn',
          detail: problem,
          fix: 'add the option to "Task Type" in Agent-Tasks, or set routing.taskTypes in the config file to options it has',
        });
      }
    }
    checks.push(...playlistChecks(config, schemas, process.platform));
    for (const relation of await checkRelationTargets(notion, schemas)) {
      if (relation.shared) continue;
      checks.push({
        name: 'Related database not shared',
        status: 'warn',
        detail: `${relation.database} > "${relation.property}" points into a database the integration cannot see (data source ${relation.targetDataSourceId}): ${relation.cost}`,
        fix: 'open that database in Notion, ••• > Connections, and add the tracksync integration',
      });
    }
    return { checks, mapping };
  } finally {
    store.close();
  }
}

/** One line per database: the data sources it holds and the one tracksync uses. */
async function dataSourceChecks(notion: NotionGateway, schemas: Schemas): Promise<CheckResult[]> {
  const checks: CheckResult[] = [];
  for (const key of Object.keys(DATABASES) as DatabaseKey[]) {
    const schema = schemas[key];
    if (!schema) continue;
    const listed = (await listDataSources(notion, schema))
      .map((d) => `"${d.name}" (${d.id})${d.id === schema.dataSourceId ? ' <- used' : ''}`)
      .join(', ');
    checks.push({ name: `${schema.label} data sources`, status: 'ok', detail: listed });
  }
  return checks;
}

/** Semantic field -> live property, for every database that was read (doctor and the status page show it). */
export function schemaMapping(schemas: Partial<Schemas>): SchemaMappingRow[] {
  const rows: SchemaMappingRow[] = [];
  for (const key of Object.keys(DATABASES) as DatabaseKey[]) {
    const schema = schemas[key];
    if (!schema) continue;
    for (const [field, spec] of Object.entries(DATABASES[key].fields)) {
      const property = (schema.fields as Record<string, { name: string; type: string } | undefined>)[field];
      const skipped = schema.skipped.find((s) => s.field === field);
      rows.push({
        database: DATABASES[key].label,
        field,
        property: property?.name ?? null,
        type: property?.type ?? null,
        note: property
          ? 'required' in spec && spec.required
            ? 'required'
            : ''
          : `skipped: ${skipped?.reason ?? 'not found'}`,
      });
    }
  }
  return rows;
}
