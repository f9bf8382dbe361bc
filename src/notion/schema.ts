import {
  DATABASES,
  TRACK_SOURCE_FIELDS,
  type DatabaseKey,
  type FieldKey,
  type FieldSpec,
  type PropertyType,
} from './databases.js';

/** One semantic field bound to a live property of the user's data source. */
export interface ResolvedProperty {
  readonly field: string;
  /** The property name exactly as Notion has it (e.g. "Key " with its trailing space). Writes key by this name. */
  readonly name: string;
  readonly id: string;
  readonly type: PropertyType;
  /** Option names for select, multi_select and status properties; empty for other types. */
  readonly options: readonly string[];
  /** For relations: the data source the relation points to. */
  readonly relationDataSourceId?: string;
}

export interface SkippedField {
  readonly field: string;
  readonly reason: string;
}

export interface ResolvedSchema<D extends DatabaseKey = DatabaseKey> {
  readonly database: D;
  readonly label: string;
  readonly databaseId: string;
  readonly dataSourceId: string;
  readonly fields: Readonly<Partial<Record<FieldKey<D>, ResolvedProperty>>>;
  /** Optional fields the data source lacks (or has with a type we cannot use): listed by `doctor`, never an error. */
  readonly skipped: readonly SkippedField[];
  /** Every data source of the database, as Notion listed them (`doctor` shows them; the one used is `dataSourceId`). */
  readonly dataSources?: ReadonlyArray<{ readonly id: string; readonly name: string }>;
}

/** The subset of a data source object that schema resolution needs. */
export interface DataSourceProperties {
  readonly id: string;
  readonly properties: Record<string, { id: string; name: string; type: string; [k: string]: unknown }>;
}

/** Trimmed, NFC-normalised and case-folded: how docs/notion-contract.md says names are compared. */
export function normalisePropertyName(name: string): string {
  return name.normalize('NFC').trim().toLocaleLowerCase('en-US');
}

function optionsOf(property: DataSourceProperties['properties'][string]): string[] {
  const config = property[property.type] as { options?: Array<{ name: string }> } | undefined;
  return Array.isArray(config?.options) ? config.options.map((o) => o.name) : [];
}

/**
 * Binds each semantic field of `database` to a live property. Returns the schema and every problem found, so a
 * misconfigured workspace is reported in one go rather than one error per start.
 */
export function resolveSchema<D extends DatabaseKey>(
  database: D,
  databaseId: string,
  dataSource: DataSourceProperties,
  overrides: Readonly<Record<string, string>> = {},
): { schema: ResolvedSchema<D>; problems: string[] } {
  const { label, fields: specs } = DATABASES[database];
  const byName = new Map<string, DataSourceProperties['properties'][string]>();
  for (const property of Object.values(dataSource.properties))
    byName.set(normalisePropertyName(property.name), property);

  const fields: Partial<Record<string, ResolvedProperty>> = {};
  const skipped: SkippedField[] = [];
  const problems: string[] = [];
  const where = `${label} (database ${databaseId})`;

  for (const [field, spec] of Object.entries(specs) as Array<[string, FieldSpec]>) {
    const override = overrides[field];
    const names = override === undefined ? spec.names : [override];
    const tried = names.map((n) => `"${n}"`).join(', ');
    const accepted = spec.types.join(' or ');
    const property = names.map((n) => byName.get(normalisePropertyName(n))).find((p) => p !== undefined);
    if (property === undefined) {
      if (spec.required) {
        problems.push(
          `${where}: required field "${field}" has no property; names tried: ${tried}; types accepted: ${accepted}. Add the property or map it in the config file (mappings.${database}.${field}).`,
        );
      } else {
        skipped.push({ field, reason: `no property named ${tried}` });
      }
      continue;
    }
    if (!spec.types.includes(property.type as PropertyType)) {
      const message = `property "${property.name}" has type ${property.type}; types accepted: ${accepted}`;
      if (spec.required)
        problems.push(
          `${where}: required field "${field}": ${message}. Change the property type or map another property.`,
        );
      else skipped.push({ field, reason: message });
      continue;
    }
    const relation =
      property.type === 'relation' ? (property.relation as { data_source_id?: string } | undefined) : undefined;
    fields[field] = {
      field,
      name: property.name,
      id: property.id,
      type: property.type as PropertyType,
      options: optionsOf(property),
      ...(relation?.data_source_id ? { relationDataSourceId: relation.data_source_id } : {}),
    };
  }

  for (const field of Object.keys(overrides)) {
    if (!(field in specs))
      problems.push(
        `config mappings.${database}: "${field}" is not a field of ${label}; fields: ${Object.keys(specs).join(', ')}`,
      );
  }

  if (database === 'tracks' && !TRACK_SOURCE_FIELDS.some((f) => fields[f] !== undefined)) {
    const names = TRACK_SOURCE_FIELDS.map((f) => `"${(specs as Record<string, FieldSpec>)[f]?.names[0] ?? f}"`);
    problems.push(`${where}: no source property found; at least one of ${names.join(', ')} must exist.`);
  }

  const schema: ResolvedSchema<D> = {
    database,
    label,
    databaseId,
    dataSourceId: dataSource.id,
    fields: fields as ResolvedSchema<D>['fields'],
    skipped,
  };
  return { schema, problems };
}
