import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { ENVIRONMENT, configSchema, type SchemaContext } from './schema.js';

/**
 * The schema read as a list of keys: for unknown-key suggestions (load.ts) and for the README's Configuration
 * reference, which is generated from it (`npm run docs:config`) and checked against it by
 * test/config/reference.test.ts,
 * so the two cannot drift.
 */

export interface SettingKey {
  /** Dotted, e.g. "media.tools.ffmpeg". */
  readonly path: string;
  /** A section (an object of more keys) or a setting. */
  readonly kind: 'section' | 'setting';
  readonly description?: string;
  /** Present when the setting has a default. */
  readonly default?: { readonly value: unknown };
}

/** The machine the README's defaults are shown for; the texts of the machine-dependent keys say the others. */
export const REFERENCE_CONTEXT: SchemaContext = { platform: 'darwin', home: '~', cwd: '.' };

type Def = {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  defaultValue?: unknown;
};
const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** Every key of a schema, sections before their keys, in declaration order. */
export function settingKeys(schema: z.ZodType = configSchema(REFERENCE_CONTEXT), prefix = ''): SettingKey[] {
  let inner = schema;
  let description: string | undefined;
  let fallback: { value: unknown } | undefined;
  for (;;) {
    description ??= inner.description;
    const def = defOf(inner);
    if ((def.type === 'default' || def.type === 'prefault') && def.innerType) {
      fallback ??= { value: def.defaultValue };
      inner = def.innerType;
    } else if ((def.type === 'optional' || def.type === 'nullable') && def.innerType) inner = def.innerType;
    else if (def.type === 'pipe' && def.in) inner = def.in;
    else break;
  }
  const def = defOf(inner);
  if (def.type !== 'object' || !def.shape) {
    return [
      {
        path: prefix,
        kind: 'setting',
        ...(description ? { description } : {}),
        ...(fallback ? { default: fallback } : {}),
      },
    ];
  }
  const here: SettingKey[] =
    prefix === '' ? [] : [{ path: prefix, kind: 'section', ...(description ? { description } : {}) }];
  return [
    ...here,
    ...Object.entries(def.shape).flatMap(([key, child]) => settingKeys(child, prefix ? `${prefix}.${key}` : key)),
  ];
}

/** Levenshtein distance, case-insensitive (a wrong capital is the commonest typo in camelCase keys). */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let previous = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const current = [i];
    for (let j = 1; j <= t.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (s[i - 1] === t[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[t.length]!;
}

/**
 * The valid key nearest to an unknown one, by edit distance over the full dotted paths; none when even the nearest
 * needs more edits than 40 % of the unknown key's length (at least 3): "colour" should not become "logs".
 */
export function nearestKey(unknown: string, keys: readonly string[]): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const key of keys) {
    const distance = editDistance(unknown, key);
    if (best === undefined || distance < best.distance) best = { key, distance };
  }
  return best && best.distance <= Math.max(3, Math.ceil(unknown.length * 0.4)) ? best.key : undefined;
}

const MARK_BEGIN =
  '<!-- config-reference:begin (generated from src/config/schema.ts by `npm run docs:config`: edit the schema, not this) -->';
const MARK_END = '<!-- config-reference:end -->';

/** Table-safe: a "|" would end the cell and "<playlist>" would be read as an HTML tag. */
function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('\n', ' ');
}

/** 1800000 -> "30 min", for the README's readers. */
function humanMs(ms: number): string {
  if (ms % (24 * 3_600_000) === 0) return `${ms / (24 * 3_600_000)} d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${ms / 1000} s`;
}

function shownDefault(key: SettingKey): string {
  if (!key.default) return '-';
  const { value } = key.default;
  const json = `\`${JSON.stringify(value)}\``;
  if (typeof value === 'number' && value >= 1000 && key.path.endsWith('Ms')) return `${json} (${humanMs(value)})`;
  if (typeof value === 'number' && value >= 1024 && key.path.endsWith('Bytes'))
    return `${json} (${value / 1024 / 1024} MiB)`;
  return json;
}

/** The generated part of the README's Configuration section: the environment variables and every config key. */
export function configReference(): string {
  const keys = settingKeys();
  const byPath = new Map(keys.map((k) => [k.path, k]));
  const envRows = ENVIRONMENT.map((e) => {
    const key = byPath.get(e.path)!;
    const form = 'form' in e ? ` (${e.form})` : '';
    const secret = 'secret' in e ? ' **Secret.**' : '';
    return `| \`${e.name}\` | \`${e.path}\`${form} | ${cell(key.description ?? '')}${secret} |`;
  });
  const secretKeys = new Set<string>(ENVIRONMENT.filter((e) => 'secret' in e).map((e) => e.path));
  const fileRows = keys.map((k) => {
    if (k.kind === 'section') return `| **\`${k.path}\`** | | ${cell(k.description ?? '')} |`;
    const secret = secretKeys.has(k.path) ? ' **Secret: never in the config file.**' : '';
    return `| \`${k.path}\` | ${shownDefault(k)} | ${cell(k.description ?? '')}${secret} |`;
  });
  return [
    MARK_BEGIN,
    '',
    '#### Environment variables',
    '',
    '| variable | sets | meaning |',
    '|---|---|---|',
    ...envRows,
    '',
    '#### Every key',
    '',
    'A key a variable also sets takes the variable\'s value when both are given. "-": no default (unset).',
    '',
    '| key | default | meaning, and why the default |',
    '|---|---|---|',
    ...fileRows,
    '',
    MARK_END,
  ].join('\n');
}

/** The README with its generated part replaced (or undefined when the markers are missing). */
export function withReference(readme: string): string | undefined {
  const start = readme.indexOf(MARK_BEGIN);
  const end = readme.indexOf(MARK_END);
  if (start < 0 || end < start) return undefined;
  return readme.slice(0, start) + configReference() + readme.slice(end + MARK_END.length);
}

// `node dist/src/config/reference.js README.md`: rewrites the generated part in place.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const path = process.argv[2] ?? 'README.md';
  const updated = withReference(readFileSync(path, 'utf8'));
  if (updated === undefined) {
    process.stderr.write(`${path} has no "${MARK_BEGIN}" ... "${MARK_END}" markers\n`);
    process.exit(2);
  }
  writeFileSync(path, updated);
}
