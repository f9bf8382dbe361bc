import { join } from 'node:path';
import { Store } from '../../state/store.js';
import { systemClock } from '../clock.js';
import type { Config } from '../config/load.js';
import { ConfigError, coerceError } from '../errors.js';
import type { Logger } from '../log.js';
import { DATABASES, type DatabaseKey } from '../notion/databases.js';
import { NotionGateway } from '../notion/gateway.js';
import { loadSchemas, type Schemas } from '../notion/schemas.js';

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

/** Notion: the token works, every configured database is reachable and its schema maps (notion-schema.md). */
export async function checkNotion(config: Config, logger: Logger): Promise<DoctorReport> {
  const checks: CheckResult[] = [];
  const mapping: SchemaMappingRow[] = [];
  const notion = new NotionGateway({ token: config.notion.token, baseUrl: config.notion.baseUrl, clock: systemClock, logger, maxRetries: 1, requestTimeoutMs: 15_000 });
  try {
    const me = await notion.whoAmI();
    checks.push({ name: 'Notion token', status: 'ok', detail: `accepted by ${config.notion.baseUrl} (integration ${me.name ?? me.id})` });
  } catch (raw) {
    const error = coerceError(raw);
    checks.push({ name: 'Notion token', status: 'fail', detail: error.message, fix: error.code === 'NOTION_UNAUTHORIZED' ? 'set NOTION_TOKEN to the internal integration secret' : 'check the network and NOTION_API_BASE_URL' });
    return { checks, mapping };
  }
  const store = Store.open(join(config.stateDir, 'tracksync.sqlite'));
  let schemas: Schemas | undefined;
  try {
    schemas = await loadSchemas({ notion, store, config, clock: systemClock, logger });
    checks.push({ name: 'Notion databases', status: 'ok', detail: `${Object.keys(schemas).length} database(s) reachable and mapped` });
  } catch (raw) {
    if (raw instanceof ConfigError) {
      for (const problem of raw.problems) checks.push({ name: 'Notion databases', status: 'fail', detail: problem });
    } else {
      checks.push({ name: 'Notion databases', status: 'fail', detail: coerceError(raw).message });
    }
  } finally {
    store.close();
  }
  for (const key of Object.keys(DATABASES) as DatabaseKey[]) {
    if (!config.databases[key]) {
      checks.push({ name: DATABASES[key].label, status: key === 'tracks' ? 'fail' : 'warn', detail: `${DATABASES[key].envKey} is not set`, fix: `set ${DATABASES[key].envKey} to enable ${DATABASES[key].label}` });
    }
  }
  if (schemas) mapping.push(...schemaMapping(schemas));
  if (schemas && !schemas.tracks.fields.lock) {
    checks.push({ name: 'Processing Lock', status: 'warn', detail: 'Music Tracks has no "Processing Lock" property: two machines could process the same row', fix: 'add a text property "Processing Lock" to Music Tracks' });
  }
  return { checks, mapping };
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
        note: property ? ('required' in spec && spec.required ? 'required' : '') : `skipped: ${skipped?.reason ?? 'not found'}`,
      });
    }
  }
  return rows;
}
