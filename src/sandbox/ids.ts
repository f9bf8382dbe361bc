import { createHash, randomUUID } from 'node:crypto';

const DASHED = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const UNDASHED = /^[0-9a-f]{32}$/;

/** Notion accepts ids with or without dashes and answers with dashed, lower-case ones. Undefined if not an id. */
export function normaliseId(value: string): string | undefined {
  const lower = value.trim().toLowerCase();
  if (DASHED.test(lower)) return lower;
  if (UNDASHED.test(lower))
    return `${lower.slice(0, 8)}-${lower.slice(8, 12)}-${lower.slice(12, 16)}-${lower.slice(16, 20)}-${lower.slice(20)}`;
  return undefined;
}

export function newId(): string {
  return randomUUID();
}

/** A stable id derived from a name, so the seeded workspace has the same ids on every start. */
export function stableId(name: string): string {
  const hex = createHash('sha256').update(name).digest('hex').slice(0, 32);
  return normaliseId(hex)!;
}

/** Short property ids like Notion's ("a%3Bb1"): stable per data source and name. */
export function propertyId(dataSourceId: string, name: string): string {
  return encodeURIComponent(createHash('sha1').update(`${dataSourceId}/${name}`).digest('base64').slice(0, 4));
}
