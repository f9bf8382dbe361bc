import { validation } from './errors.js';

/**
 * Data source query filters and sorts, as documented for API 2025-09-03 (developers.notion.com/reference/
 * post-database-query-filter and /reference/post-database-query-sort; shapes: the client's api-endpoints types):
 * property filters for every type tracksync uses, timestamp filters, and compound and/or nested at most two levels
 * (the client's GroupFilterOperatorArray type).
 */

export interface FilterProperty {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  /** Options of select, multi_select and status properties. */
  readonly options?: ReadonlyArray<{ readonly name: string }>;
}

/**
 * Behaviour the API documentation leaves open (developers.notion.com/reference/post-database-query-filter says nothing
 * about case, nor about a select value that is not an option). tracksync must be right under both:
 * - strict: text comparisons are case-sensitive, and a select/status/multi_select condition naming an option the
 *   property does not have is a 400 validation_error (one third-party report of this; unverified);
 * - lenient: text comparisons ignore case, and an unknown option simply matches nothing.
 */
export type FilterMode = 'strict' | 'lenient';

export interface FilterOptions {
  readonly mode: FilterMode;
}

/** What a filter needs from a page: property values in response shape, and the two timestamps. */
export interface FilterTarget {
  value(property: FilterProperty): unknown;
  readonly createdTime: string;
  readonly lastEditedTime: string;
}

export type PropertyLookup = (nameOrId: string) => FilterProperty | undefined;

type Condition = Record<string, unknown>;

const TEXT_TYPES = new Set(['title', 'rich_text', 'url', 'email', 'phone_number']);
const DATE_TYPES = new Set(['date', 'created_time', 'last_edited_time']);

/** Throws a validation_error if the filter is malformed; returns a predicate otherwise. */
export function compileFilter(
  filter: unknown,
  lookup: PropertyLookup,
  options: FilterOptions = { mode: 'strict' },
  depth = 0,
): (target: FilterTarget) => boolean {
  if (filter === undefined || filter === null) return () => true;
  if (typeof filter !== 'object' || Array.isArray(filter))
    throw validation('body failed validation: body.filter should be an object.');
  const f = filter as Record<string, unknown>;
  for (const op of ['and', 'or'] as const) {
    if (op in f) {
      if (depth >= 2)
        throw validation(
          'body failed validation: body.filter can be nested at most two levels deep (and/or inside and/or).',
        );
      const items = f[op];
      if (!Array.isArray(items)) throw validation(`body failed validation: body.filter.${op} should be an array.`);
      const predicates = items.map((item) => compileFilter(item, lookup, options, depth + 1));
      return op === 'and' ? (t) => predicates.every((p) => p(t)) : (t) => predicates.some((p) => p(t));
    }
  }
  if ('timestamp' in f) {
    const kind = f.timestamp;
    if (kind !== 'created_time' && kind !== 'last_edited_time')
      throw validation('body failed validation: body.filter.timestamp should be "created_time" or "last_edited_time".');
    const condition = f[kind] as Condition | undefined;
    if (!condition || typeof condition !== 'object')
      throw validation(`body failed validation: body.filter.${kind} should be defined.`);
    const test = dateCondition(condition);
    return (t) => test(kind === 'created_time' ? t.createdTime : t.lastEditedTime);
  }
  const key = f.property;
  if (typeof key !== 'string')
    throw validation(
      'body failed validation: body.filter.property should be a string, or the filter should be a compound or timestamp filter.',
    );
  const property = lookup(key);
  if (!property) throw validation(`Could not find property with name or id: ${key}`);
  const conditionKey = Object.keys(f).find((k) => k !== 'property' && k !== 'type');
  if (conditionKey === undefined) throw validation(`body failed validation: the filter on "${key}" has no condition.`);
  const accepted = acceptedConditionKeys(property.type);
  if (!accepted.includes(conditionKey)) {
    throw validation(
      `body failed validation: the filter on "${property.name}" uses "${conditionKey}", but the property has type ${property.type} (use ${accepted.join(' or ')}).`,
    );
  }
  const condition = f[conditionKey] as Condition;
  if (!condition || typeof condition !== 'object')
    throw validation(`body failed validation: body.filter.${conditionKey} should be an object.`);
  const test = conditionFor(property, conditionKey, condition, options);
  return (t) => test(t.value(property));
}

function acceptedConditionKeys(type: string): string[] {
  if (type === 'title') return ['title', 'rich_text'];
  if (type === 'formula') return ['formula'];
  return [type];
}

function conditionFor(
  property: FilterProperty,
  key: string,
  condition: Condition,
  options: FilterOptions,
): (value: unknown) => boolean {
  const type = property.type;
  if (key === 'formula') {
    const inner = Object.keys(condition)[0];
    if (inner === undefined)
      throw validation('body failed validation: a formula filter needs string, checkbox, number or date.');
    const resultProperty = { id: property.id, name: property.name, type: inner === 'string' ? 'rich_text' : inner };
    const sub = conditionFor(resultProperty, inner, condition[inner] as Condition, options);
    return (value) => {
      const formula = value as { type?: string } & Record<string, unknown>;
      const result = formula?.[formula?.type ?? ''];
      return sub(
        inner === 'string' ? (result === null || result === undefined ? [] : [{ plain_text: String(result) }]) : result,
      );
    };
  }
  if (TEXT_TYPES.has(type)) return textCondition(type, condition, options);
  if (DATE_TYPES.has(type)) {
    const test = dateCondition(condition);
    return (value) =>
      test(type === 'date' ? ((value as { start?: string } | null)?.start ?? null) : (value as string | null));
  }
  switch (type) {
    case 'number':
      return numberCondition(condition);
    case 'checkbox':
      return checkboxCondition(condition);
    case 'select':
    case 'status':
      return selectCondition(property, condition, options);
    case 'multi_select':
      requireKnownOptions(property, condition, options);
      return listCondition(condition, (v) => (v as Array<{ name: string }>).map((o) => o.name));
    case 'relation':
    case 'people':
      return listCondition(condition, (v) => (v as Array<{ id: string }>).map((o) => o.id), true);
    case 'files':
      return emptinessOnly(condition, (v) => (v as unknown[]).length === 0);
    default:
      throw validation(`The local Notion does not filter on properties of type ${type}.`);
  }
}

function onlyKeys(condition: Condition, allowed: readonly string[]): [string, unknown] {
  const entries = Object.entries(condition);
  if (entries.length !== 1 || !allowed.includes(entries[0]![0])) {
    throw validation(
      `body failed validation: a filter condition must be exactly one of ${allowed.join(', ')}; got ${Object.keys(condition).join(', ') || 'nothing'}.`,
    );
  }
  return entries[0]!;
}

function textOf(type: string, value: unknown): string {
  if (type === 'title' || type === 'rich_text') {
    return Array.isArray(value)
      ? (value as Array<{ plain_text?: string }>).map((i) => i.plain_text ?? '').join('')
      : '';
  }
  return typeof value === 'string' ? value : '';
}

/** Text comparisons: case-sensitive in strict mode, case-insensitive in lenient mode (FilterMode: undocumented). */
function textCondition(type: string, condition: Condition, options: FilterOptions): (value: unknown) => boolean {
  const [op, arg] = onlyKeys(condition, [
    'equals',
    'does_not_equal',
    'contains',
    'does_not_contain',
    'starts_with',
    'ends_with',
    'is_empty',
    'is_not_empty',
  ]);
  if (op !== 'is_empty' && op !== 'is_not_empty' && typeof arg !== 'string')
    throw validation(`body failed validation: ${op} should be a string.`);
  const fold = (s: string): string => (options.mode === 'lenient' ? s.toLowerCase() : s);
  const needle = fold(String(arg));
  return (value) => {
    const text = textOf(type, value);
    const folded = fold(text);
    switch (op) {
      case 'equals':
        return folded === needle;
      case 'does_not_equal':
        return folded !== needle;
      case 'contains':
        return folded.includes(needle);
      case 'does_not_contain':
        return !folded.includes(needle);
      case 'starts_with':
        return folded.startsWith(needle);
      case 'ends_with':
        return folded.endsWith(needle);
      case 'is_empty':
        return text === '';
      default:
        return text !== '';
    }
  };
}

/** Strict mode: a condition naming an option the property lacks is refused (FilterMode). */
function requireKnownOptions(property: FilterProperty, condition: Condition, options: FilterOptions): void {
  if (options.mode !== 'strict' || property.options === undefined) return;
  const [op, arg] = Object.entries(condition)[0] ?? [];
  if (op === undefined || op === 'is_empty' || op === 'is_not_empty') return;
  const names = (Array.isArray(arg) ? arg : [arg]).map(String);
  const unknown = names.find((n) => !property.options!.some((o) => o.name === n));
  if (unknown !== undefined) {
    throw validation(
      `body failed validation: "${unknown}" is not an option of ${property.type} property "${property.name}".`,
    );
  }
}

function numberCondition(condition: Condition): (value: unknown) => boolean {
  const [op, arg] = onlyKeys(condition, [
    'equals',
    'does_not_equal',
    'greater_than',
    'less_than',
    'greater_than_or_equal_to',
    'less_than_or_equal_to',
    'is_empty',
    'is_not_empty',
  ]);
  if (op !== 'is_empty' && op !== 'is_not_empty' && typeof arg !== 'number')
    throw validation(`body failed validation: ${op} should be a number.`);
  const n = arg as number;
  return (value) => {
    const v = typeof value === 'number' ? value : null;
    switch (op) {
      case 'is_empty':
        return v === null;
      case 'is_not_empty':
        return v !== null;
      case 'equals':
        return v === n;
      case 'does_not_equal':
        return v !== n;
      case 'greater_than':
        return v !== null && v > n;
      case 'less_than':
        return v !== null && v < n;
      case 'greater_than_or_equal_to':
        return v !== null && v >= n;
      default:
        return v !== null && v <= n;
    }
  };
}

function checkboxCondition(condition: Condition): (value: unknown) => boolean {
  const [op, arg] = onlyKeys(condition, ['equals', 'does_not_equal']);
  if (typeof arg !== 'boolean') throw validation(`body failed validation: checkbox.${op} should be a boolean.`);
  return (value) => ((value === true) === arg) === (op === 'equals');
}

function selectCondition(
  property: FilterProperty,
  condition: Condition,
  options: FilterOptions,
): (value: unknown) => boolean {
  const [op, arg] = onlyKeys(condition, ['equals', 'does_not_equal', 'is_empty', 'is_not_empty']);
  requireKnownOptions(property, condition, options);
  const wanted = Array.isArray(arg) ? arg.map(String) : [String(arg)];
  return (value) => {
    const name = (value as { name?: string } | null)?.name ?? null;
    switch (op) {
      case 'is_empty':
        return name === null;
      case 'is_not_empty':
        return name !== null;
      case 'equals':
        return name !== null && wanted.includes(name);
      default:
        return name === null || !wanted.includes(name);
    }
  };
}

function listCondition(
  condition: Condition,
  items: (value: unknown) => string[],
  ids = false,
): (value: unknown) => boolean {
  const [op, arg] = onlyKeys(condition, ['contains', 'does_not_contain', 'is_empty', 'is_not_empty']);
  const norm = (s: string): string => (ids ? s.replaceAll('-', '').toLowerCase() : s);
  const wanted = (Array.isArray(arg) ? arg.map(String) : [String(arg)]).map(norm);
  return (value) => {
    const list = (Array.isArray(value) ? items(value) : []).map(norm);
    switch (op) {
      case 'is_empty':
        return list.length === 0;
      case 'is_not_empty':
        return list.length > 0;
      case 'contains':
        return wanted.some((w) => list.includes(w));
      default:
        return !wanted.some((w) => list.includes(w));
    }
  };
}

function emptinessOnly(condition: Condition, isEmpty: (value: unknown) => boolean): (value: unknown) => boolean {
  const [op] = onlyKeys(condition, ['is_empty', 'is_not_empty']);
  return (value) => isEmpty(Array.isArray(value) ? value : []) === (op === 'is_empty');
}

const RELATIVE = ['past_week', 'past_month', 'past_year', 'this_week', 'next_week', 'next_month', 'next_year'];

/**
 * Date conditions. "If a date string with a time is provided, the comparison is done with millisecond precision"; a
 * date without a time compares by calendar day (UTC), which the documentation does not say (assumed).
 */
function dateCondition(condition: Condition): (value: string | null) => boolean {
  const [op, arg] = onlyKeys(condition, [
    'equals',
    'before',
    'after',
    'on_or_before',
    'on_or_after',
    'is_empty',
    'is_not_empty',
    ...RELATIVE,
  ]);
  if (op === 'is_empty') return (v) => v === null || v === undefined;
  if (op === 'is_not_empty') return (v) => v !== null && v !== undefined;
  if (RELATIVE.includes(op)) throw validation(`The local Notion does not evaluate relative date filters (${op}).`);
  if (typeof arg !== 'string' || Number.isNaN(Date.parse(arg)))
    throw validation(
      `body failed validation: ${op} should be an ISO 8601 date string, instead was ${JSON.stringify(arg)}.`,
    );
  const dayOnly = /^\d{4}-\d{2}-\d{2}$/.test(arg);
  const key = (s: string): number => (dayOnly ? Date.parse(s.slice(0, 10)) : Date.parse(s));
  const target = key(arg);
  return (v) => {
    if (v === null || v === undefined) return false;
    const x = key(v);
    switch (op) {
      case 'equals':
        return x === target;
      case 'before':
        return x < target;
      case 'after':
        return x > target;
      case 'on_or_before':
        return x <= target;
      default:
        return x >= target;
    }
  };
}

export interface SortTarget extends FilterTarget {
  readonly createdMs: number;
  readonly sequence: number;
}

/** Multi-key sorts: property or timestamp, ascending or descending; earlier sorts take precedence. */
export function compileSorts(sorts: unknown, lookup: PropertyLookup): (a: SortTarget, b: SortTarget) => number {
  if (sorts === undefined) return (a, b) => b.createdMs - a.createdMs || b.sequence - a.sequence;
  if (!Array.isArray(sorts)) throw validation('body failed validation: body.sorts should be an array.');
  const keys = sorts.map((sort: Record<string, unknown>) => {
    const direction = sort.direction === 'descending' ? -1 : sort.direction === 'ascending' ? 1 : undefined;
    if (direction === undefined)
      throw validation('body failed validation: body.sorts[].direction should be "ascending" or "descending".');
    if (sort.timestamp === 'created_time' || sort.timestamp === 'last_edited_time') {
      const ts = sort.timestamp;
      return (t: SortTarget) => [direction, ts === 'created_time' ? t.createdTime : t.lastEditedTime] as const;
    }
    if (typeof sort.property !== 'string')
      throw validation('body failed validation: body.sorts[] needs a property or a timestamp.');
    const property = lookup(sort.property);
    if (!property) throw validation(`Could not find sort property with name or id: ${sort.property}`);
    return (t: SortTarget) => [direction, sortKey(property.type, t.value(property))] as const;
  });
  return (a, b) => {
    for (const key of keys) {
      const [direction, x] = key(a);
      const [, y] = key(b);
      const c = compare(x, y);
      if (c !== 0) return c * direction;
    }
    return a.sequence - b.sequence;
  };
}

function sortKey(type: string, value: unknown): string | number | null {
  if (type === 'number') return typeof value === 'number' ? value : null;
  if (type === 'checkbox') return value === true ? 1 : 0;
  if (type === 'select' || type === 'status') return (value as { name?: string } | null)?.name ?? null;
  if (type === 'date') return (value as { start?: string } | null)?.start ?? null;
  if (type === 'title' || type === 'rich_text') return textOf(type, value) || null;
  return typeof value === 'string' ? value : null;
}

function compare(x: string | number | null, y: string | number | null): number {
  if (x === y) return 0;
  if (x === null) return 1; // empty values last, as in Notion
  if (y === null) return -1;
  return x < y ? -1 : 1;
}
