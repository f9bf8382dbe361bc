import type {
  BlockObjectResponse,
  RichTextItemResponse,
  CommentObjectResponse,
  DataSourceObjectResponse,
  DatabaseObjectResponse,
  GetPagePropertyResponse,
  PageObjectResponse,
  QueryDataSourceResponse,
} from '@notionhq/client';
import { NotionApiError, blockLimitReached, notFound, validation } from './errors.js';
import { compileFilter, compileSorts, type FilterMode, type FilterProperty, type SortTarget } from './filters.js';
import { newId, normaliseId, propertyId } from './ids.js';

/**
 * The local Notion's data: databases holding data sources, data sources holding the schema, pages holding property
 * values, blocks and comments. Every response is typed with the official client's response types, so a shape that
 * drifts from the real API fails to compile.
 *
 * Behaviour copied from the API, each with its source where it is implemented. In short (all developers.notion.com):
 * - ids with or without dashes, answered dashed (/reference/intro, "Conventions");
 * - databases hold data sources, which hold the schema (/guides/get-started/upgrade-guide-2025-09-03);
 * - created_time / last_edited_time floored to the minute and bumped by every write
 *   (/changelog/last-edited-time-is-now-rounded-to-the-nearest-minute);
 * - 2,000-character text items, 100-item arrays, 100 relation ids, 100 children per append (/reference/request-limits);
 * - status options must exist; select options are created on first use (/reference/page-property-values#status,
 *   #select; the client's api-endpoints types);
 * - read-only property types refuse writes (/reference/page-property-values, "cannot be updated");
 * - trashed pages left out of queries unless in_trash is asked for (/reference/query-a-data-source);
 * - a query returns 10,000 rows at most, then request_status is "incomplete" (the client's api-endpoints/
 *   data-sources.ts, QueryDataSourceResponse.request_status; src/helpers.ts, iterateAllDataSourceRows);
 * - relations list 25 pages in a page object (/reference/retrieve-a-page, "Limits"), the rest through the property
 *   endpoint (/reference/retrieve-a-page-property);
 * - relations into databases not shared with the integration read as empty (makenotion/notion-sdk-js#514);
 * - date-times normalised to an offset (/reference/page-property-values#date).
 */

export interface PropertyDefinition {
  name: string;
  type: string;
  /** Options for select, multi_select and status. */
  options?: string[];
  /** For relations: the target data source id. */
  relationTo?: string;
  /** For formulas: a function of the page's other values (the sandbox's stand-in for Notion's formula language). */
  formula?: (values: Record<string, unknown>) => string | number | boolean | null;
}

interface Property {
  id: string;
  name: string;
  type: string;
  options: Array<{ id: string; name: string; color: string }>;
  relationTo?: string;
  formula?: PropertyDefinition['formula'];
}

interface DataSource {
  id: string;
  databaseId: string;
  title: string;
  properties: Property[];
  createdMs: number;
  editedMs: number;
}

interface Database {
  id: string;
  title: string;
  dataSourceIds: string[];
  createdMs: number;
}

interface Block {
  id: string;
  parentId: string;
  type: string;
  content: Record<string, unknown>;
  hasChildren: boolean;
  createdMs: number;
}

interface Page {
  id: string;
  dataSourceId: string | null;
  parentPageId: string | null;
  /** Values in response shape, keyed by property id so that a rename keeps them. */
  values: Map<string, unknown>;
  createdMs: number;
  editedMs: number;
  inTrash: boolean;
  sequence: number;
  /** Top-level title for pages outside a data source. */
  title?: string;
}

export interface WorkspaceOptions {
  /** The time the workspace lives in (ms). The sandbox's clock can be moved forward by tests. */
  now: () => number;
  /** Most rows one query returns before `request_status` says incomplete (Notion: 10,000). */
  queryRowCap?: number;
  botId?: string;
  /**
   * How text and select filters behave where Notion does not document it (filters.ts): 'strict' (case-sensitive text,
   * an unknown select option is a validation_error) or 'lenient' (case-insensitive text, an unknown option matches
   * nothing). Strict by default: tracksync must work under both, and the tests run the strict one unless they say so.
   */
  filterMode?: FilterMode;
}

/**
 * Relations in page objects list at most this many pages and then set `has_more`; the full list comes from GET
 * /v1/pages/{page_id}/properties/{property_id}. Source: developers.notion.com/reference/retrieve-a-page ("Limits":
 * "relation property values feature a maximum of 25 relations") and /reference/property-value-object.
 */
export const RELATION_PAGE_LIMIT = 25;

const USER = { object: 'user' as const, id: '00000000-0000-4000-8000-00000000b07e' };

/** A change to a page in a data source, as Notion's webhooks report it (the sandbox's webhook sender listens). */
export interface PageChange {
  readonly type: 'page.created' | 'page.properties_updated' | 'page.deleted' | 'page.undeleted';
  readonly pageId: string;
  readonly dataSourceId: string;
  readonly databaseId: string;
  /** page.properties_updated: the ids of the properties written. */
  readonly propertyIds: readonly string[];
  /** Who made it: the integration (through the API) or a person (the test, standing in for the Notion app). */
  readonly author: { readonly id: string; readonly type: 'bot' | 'person' };
}

/** The person who edits the workspace "in the app" (tests calling the workspace directly). */
export const APP_USER_ID = '00000000-0000-4000-8000-0000000a9e21';
const COLORS = ['default', 'gray', 'brown', 'orange', 'yellow', 'green', 'blue', 'purple', 'pink', 'red'];
/** developers.notion.com/reference/request-limits ("Limits for property values"). */
const MAX_TEXT_CHARS = 2000;
const MAX_ARRAY_ITEMS = 100;
/** Computed or system-set types: developers.notion.com/reference/page-property-values lists them as not updatable. */
const READ_ONLY_TYPES = new Set([
  'formula',
  'rollup',
  'created_time',
  'last_edited_time',
  'created_by',
  'last_edited_by',
  'unique_id',
  'button',
  'verification',
]);

/** developers.notion.com/changelog/last-edited-time-is-now-rounded-to-the-nearest-minute */
const floorToMinute = (ms: number): string => new Date(Math.floor(ms / 60_000) * 60_000).toISOString();

/**
 * Date-times come back normalised: the same instant in offset form ("2026-11-24T15:04:05.123+00:00") and
 * `time_zone: null`, whatever form was written ("…Z", another offset). A date without a time stays a date. Source:
 * developers.notion.com/reference/page-property-values#date (responses show "+00:00" offsets). A value written with
 * an explicit `time_zone` is kept as written (tracksync never writes one).
 */
export function normaliseDateTime(value: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  return new Date(Date.parse(value)).toISOString().replace(/Z$/, '+00:00');
}

export class Workspace {
  readonly #now: () => number;
  readonly #rowCap: number;
  readonly #filterMode: FilterMode;
  /** Databases not shared with the integration: 404 for them and their pages, and relations into them read empty. */
  readonly #unshared = new Set<string>();
  /** Pages created less than this long ago are missing from query results (queryVisibilityDelayMs). */
  #queryVisibilityDelayMs = 0;
  /** The workspace is past its block limit (and the grace period): requests that create blocks fail. */
  #blockLimitReached = false;
  readonly #databases = new Map<string, Database>();
  readonly #dataSources = new Map<string, DataSource>();
  readonly #pages = new Map<string, Page>();
  readonly #blocks = new Map<string, Block>();
  readonly #comments: CommentObjectResponse[] = [];
  #sequence = 0;
  readonly botId: string;
  readonly #listeners: Array<(change: PageChange) => void> = [];
  /** Set by the HTTP server around API requests, so changes are attributed to the integration. */
  actor: 'bot' | 'person' = 'person';

  /** Calls `listener` after every change to a page in a data source. */
  onPageChange(listener: (change: PageChange) => void): () => void {
    this.#listeners.push(listener);
    return () => this.#listeners.splice(this.#listeners.indexOf(listener), 1);
  }

  #changed(page: Page, type: PageChange['type'], propertyIds: readonly string[] = []): void {
    if (!page.dataSourceId || this.#listeners.length === 0) return;
    const dataSource = this.#dataSources.get(page.dataSourceId)!;
    const author = { id: this.actor === 'bot' ? this.botId : APP_USER_ID, type: this.actor } as const;
    const change: PageChange = {
      type,
      pageId: page.id,
      dataSourceId: dataSource.id,
      databaseId: dataSource.databaseId,
      propertyIds,
      author,
    };
    for (const listener of [...this.#listeners]) listener(change);
  }

  constructor(options: WorkspaceOptions) {
    this.#now = options.now;
    this.#rowCap = options.queryRowCap ?? 10_000;
    this.#filterMode = options.filterMode ?? 'strict';
    this.botId = options.botId ?? USER.id;
  }

  get filterMode(): FilterMode {
    return this.#filterMode;
  }

  /**
   * Shares a database with the integration, or takes it away (the user's "Connections" menu). Unshared: the database,
   * its data sources and pages answer 404, and relation values pointing into it come back as an empty list
   * (makenotion/notion-sdk-js issue 514). Query filters still see the stored relation (unverified: no source says
   * either way; tracksync must not depend on it, see TaskSource).
   */
  setShared(databaseId: string, shared: boolean): void {
    const id = requireId(databaseId, 'database');
    if (shared) this.#unshared.delete(id);
    else this.#unshared.add(id);
  }

  /**
   * Queries do not show pages created less than `ms` ago. Whether a query sees a page the moment it was created is not
   * documented (lag is reported for search, makenotion/notion-sdk-js#114), so tests make it visible: a create that
   * failed ambiguously must not be re-sent just because a query cannot see the page yet.
   */
  setQueryVisibilityDelay(ms: number): void {
    this.#queryVisibilityDelayMs = Math.max(0, ms);
  }

  /**
   * Simulates a Free workspace past its block limit and grace period
   * (developers.notion.com/reference/workspace-block-limits).
   */
  setBlockLimitReached(reached: boolean): void {
    this.#blockLimitReached = reached;
  }

  /** Every id a relation holds, past the 25 a page object shows (tests: what the user sees in the app). */
  relationIds(pageId: string, propertyName: string): string[] {
    const page = this.#pages.get(requireId(pageId, 'page'));
    const dataSource = page?.dataSourceId ? this.#dataSources.get(page.dataSourceId) : undefined;
    const property = dataSource?.properties.find((p) => p.name === propertyName);
    if (!page || !property) return [];
    return ((page.values.get(property.id) as Array<{ id: string }> | undefined) ?? []).map((r) => r.id);
  }

  /** Sets a relation as a person does in the app: no 100-id limit per request (that limit is the API's). */
  setRelation(pageId: string, propertyName: string, ids: readonly string[]): void {
    const page = this.#page(requireId(pageId, 'page'));
    const dataSource = this.#dataSource(page.dataSourceId ?? '');
    const property = dataSource.properties.find((p) => p.name === propertyName && p.type === 'relation');
    if (!property) throw validation(`No relation property named "${propertyName}".`);
    page.values.set(
      property.id,
      ids.map((id) => ({ id: requireId(id, 'page') })),
    );
    page.editedMs = this.#now();
  }

  // ---- set-up (used by the seed and by admin endpoints, not by the API) ----

  createDatabase(input: { id?: string; dataSourceId?: string; title: string; properties: PropertyDefinition[] }): {
    databaseId: string;
    dataSourceId: string;
  } {
    const now = this.#now();
    const databaseId = input.id ? requireId(input.id) : newId();
    const dataSourceId = input.dataSourceId ? requireId(input.dataSourceId) : newId();
    this.#databases.set(databaseId, {
      id: databaseId,
      title: input.title,
      dataSourceIds: [dataSourceId],
      createdMs: now,
    });
    const dataSource: DataSource = {
      id: dataSourceId,
      databaseId,
      title: input.title,
      properties: [],
      createdMs: now,
      editedMs: now,
    };
    this.#dataSources.set(dataSourceId, dataSource);
    for (const definition of input.properties) this.addProperty(dataSourceId, definition);
    return { databaseId, dataSourceId };
  }

  /** A further data source in an existing database (Notion databases can hold several since API 2025-09-03). */
  addDataSource(databaseId: string, input: { id?: string; title: string; properties: PropertyDefinition[] }): string {
    const database = this.#databases.get(requireId(databaseId, 'database'));
    if (!database) throw notFound('database', databaseId);
    const now = this.#now();
    const dataSourceId = input.id ? requireId(input.id) : newId();
    database.dataSourceIds.push(dataSourceId);
    this.#dataSources.set(dataSourceId, {
      id: dataSourceId,
      databaseId: database.id,
      title: input.title,
      properties: [],
      createdMs: now,
      editedMs: now,
    });
    for (const definition of input.properties) this.addProperty(dataSourceId, definition);
    return dataSourceId;
  }

  addProperty(dataSourceId: string, definition: PropertyDefinition): void {
    const dataSource = this.#dataSource(dataSourceId);
    if (dataSource.properties.some((p) => p.name === definition.name))
      throw validation(`A property named "${definition.name}" already exists.`);
    const isTitle = definition.type === 'title';
    dataSource.properties.push({
      id: isTitle ? 'title' : propertyId(dataSourceId, definition.name),
      name: definition.name,
      type: definition.type,
      options: (definition.options ?? []).map((name, i) => ({
        id: propertyId(dataSourceId, `${definition.name}:${name}`),
        name,
        color: COLORS[i % COLORS.length]!,
      })),
      ...(definition.relationTo ? { relationTo: definition.relationTo } : {}),
      ...(definition.formula ? { formula: definition.formula } : {}),
    });
    dataSource.editedMs = this.#now();
  }

  /** Renames a property, as a user editing the schema in the UI would (values stay, keyed by id). */
  renameProperty(dataSourceId: string, from: string, to: string): void {
    const property = this.#dataSource(dataSourceId).properties.find((p) => p.name === from);
    if (!property) throw validation(`No property named "${from}".`);
    property.name = to;
  }

  removeProperty(dataSourceId: string, name: string): void {
    const dataSource = this.#dataSource(dataSourceId);
    dataSource.properties = dataSource.properties.filter((p) => p.name !== name);
  }

  /** Changes a property's type in place (values that do not fit the new type are dropped, as in Notion). */
  changePropertyType(dataSourceId: string, name: string, type: string): void {
    const property = this.#dataSource(dataSourceId).properties.find((p) => p.name === name);
    if (!property) throw validation(`No property named "${name}".`);
    property.type = type;
    for (const page of this.#pages.values()) if (page.dataSourceId === dataSourceId) page.values.delete(property.id);
  }

  dataSourceIds(): string[] {
    return [...this.#dataSources.keys()];
  }

  /** Every page of a data source, in response shape (for tests and the demo's table; not an API endpoint). */
  allPages(dataSourceId: string, includeTrashed = false): PageObjectResponse[] {
    return [...this.#pages.values()]
      .filter((p) => p.dataSourceId === dataSourceId && (includeTrashed || !p.inTrash))
      .map((p) => this.#pageResponse(p));
  }

  /** Children of a block, in response shape (for tests; not an API endpoint). */
  allBlocks(parentId: string): BlockObjectResponse[] {
    return [...this.#blocks.values()].filter((b) => b.parentId === parentId).map((b) => this.#blockResponse(b));
  }

  comments(): CommentObjectResponse[] {
    return [...this.#comments];
  }

  // ---- the API ----

  retrieveDatabase(rawId: string): DatabaseObjectResponse {
    const id = requireId(rawId, 'database');
    const database = this.#unshared.has(id) ? undefined : this.#databases.get(id);
    if (!database) {
      if (this.#dataSources.has(id) && !this.#unshared.has(this.#dataSources.get(id)!.databaseId)) {
        throw validation(
          `Provided ID ${id} is a data source, not a database. Use the retrieve data source API instead.`,
        );
      }
      throw notFound('database', id);
    }
    return {
      object: 'database',
      id: database.id,
      title: richText(database.title),
      description: [],
      parent: { type: 'workspace', workspace: true },
      is_inline: false,
      in_trash: false,
      archived: false,
      is_locked: false,
      created_time: floorToMinute(database.createdMs),
      last_edited_time: floorToMinute(database.createdMs),
      data_sources: database.dataSourceIds.map((dsId) => ({
        id: dsId,
        name: this.#dataSources.get(dsId)?.title ?? '',
      })),
      icon: null,
      cover: null,
      url: notionUrl(database.title, database.id),
      public_url: null,
    } satisfies DatabaseObjectResponse;
  }

  retrieveDataSource(rawId: string): DataSourceObjectResponse {
    const dataSource = this.#dataSource(requireId(rawId, 'data source'));
    const properties: Record<string, unknown> = {};
    for (const p of dataSource.properties) properties[p.name] = this.#propertyConfig(p);
    return {
      object: 'data_source',
      id: dataSource.id,
      title: richText(dataSource.title),
      description: [],
      parent: { type: 'database_id', database_id: dataSource.databaseId },
      database_parent: { type: 'workspace', workspace: true },
      is_inline: false,
      in_trash: false,
      archived: false,
      created_time: floorToMinute(dataSource.createdMs),
      last_edited_time: floorToMinute(dataSource.editedMs),
      created_by: USER,
      last_edited_by: USER,
      properties: properties as DataSourceObjectResponse['properties'],
      icon: null,
      cover: null,
      url: notionUrl(dataSource.title, dataSource.id),
      public_url: null,
    } satisfies DataSourceObjectResponse;
  }

  queryDataSource(
    rawId: string,
    body: Record<string, unknown>,
    filterProperties: string[] = [],
  ): QueryDataSourceResponse {
    const dataSource = this.#dataSource(requireId(rawId, 'data source'));
    const pageSize = body.page_size ?? 100;
    // page_size: default 100, at most 100 (developers.notion.com/reference/intro, "Pagination").
    if (typeof pageSize !== 'number' || !Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) {
      throw validation(
        `body failed validation: body.page_size should be ≤ \`100\`, instead was \`${String(pageSize)}\`.`,
      );
    }
    const lookup = (key: string): FilterProperty | undefined => findProperty(dataSource, key);
    const predicate = compileFilter(body.filter, lookup, { mode: this.#filterMode });
    const order = compileSorts(body.sorts, lookup);
    const inTrash = body.in_trash === true;
    const visibleFrom = this.#now() - this.#queryVisibilityDelayMs;
    const matches = [...this.#pages.values()]
      .filter(
        (p) =>
          p.dataSourceId === dataSource.id &&
          p.inTrash === inTrash &&
          (this.#queryVisibilityDelayMs === 0 || p.createdMs <= visibleFrom),
      )
      .map((p) => this.#sortTarget(dataSource, p))
      .filter((t) => predicate(t))
      .sort(order);
    const capped = matches.length > this.#rowCap;
    const visible = capped ? matches.slice(0, this.#rowCap) : matches;
    const offset = decodeCursor(body.start_cursor);
    const slice = visible.slice(offset, offset + pageSize);
    const hasMore = offset + pageSize < visible.length;
    const keep =
      filterProperties.length > 0
        ? new Set(filterProperties.map((k) => findProperty(dataSource, k)?.id).filter(Boolean))
        : undefined;
    return {
      object: 'list',
      type: 'page_or_data_source',
      page_or_data_source: {},
      results: slice.map((t) => this.#pageResponse(t.page, keep)),
      next_cursor: hasMore ? encodeCursor(offset + pageSize, slice[slice.length - 1]!.page.id) : null,
      has_more: hasMore,
      ...(capped && !hasMore
        ? { request_status: { type: 'incomplete' as const, incomplete_reason: 'query_result_limit_reached' as const } }
        : { request_status: { type: 'complete' as const } }),
    };
  }

  retrievePage(rawId: string, filterProperties: string[] = []): PageObjectResponse {
    const page = this.#sharedPage(requireId(rawId, 'page'));
    const dataSource = page.dataSourceId ? this.#dataSources.get(page.dataSourceId) : undefined;
    const keep =
      dataSource && filterProperties.length > 0
        ? new Set(filterProperties.map((k) => findProperty(dataSource, k)?.id).filter(Boolean))
        : undefined;
    return this.#pageResponse(page, keep);
  }

  /**
   * GET /v1/pages/{page_id}/properties/{property_id}: one property in full. title, rich_text, people and relation come
   * as a paginated list of property_item objects (page_size at most 100, `next_cursor`, and `property_item.next_url`);
   * other types as a single property_item. Shapes: the client's api-endpoints/pages.d.ts (GetPagePropertyResponse,
   * PropertyItemListResponse); behaviour: developers.notion.com/reference/retrieve-a-page-property.
   */
  retrievePageProperty(
    rawPageId: string,
    rawPropertyId: string,
    startCursor: string | undefined,
    pageSize: number,
    apiBase: string,
  ): GetPagePropertyResponse {
    const page = this.#sharedPage(requireId(rawPageId, 'page'));
    const dataSource = page.dataSourceId ? this.#dataSources.get(page.dataSourceId) : undefined;
    const property = dataSource?.properties.find(
      (p) => p.id === rawPropertyId || p.id === encodeURIComponent(safeDecode(rawPropertyId)),
    );
    if (!dataSource || !property) throw notFound('property', rawPropertyId);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100)
      throw validation(`page_size should be ≤ \`100\`, instead was \`${pageSize}\`.`);
    const value = this.#valueOf(page, property, this.#plainValues(dataSource, page));
    const paginated = ['title', 'rich_text', 'people', 'relation'];
    if (!paginated.includes(property.type)) {
      return {
        object: 'property_item',
        id: property.id,
        type: property.type,
        [property.type]: value,
      } as unknown as GetPagePropertyResponse;
    }
    const all = (
      property.type === 'relation' ? this.#visibleRelation(value) : ((value as unknown[]) ?? [])
    ) as unknown[];
    const offset = decodeCursor(startCursor);
    const slice = all.slice(offset, offset + pageSize);
    const hasMore = offset + pageSize < all.length;
    const nextCursor = hasMore ? encodeCursor(offset + pageSize, property.id) : null;
    const path = `${apiBase}/v1/pages/${page.id}/properties/${property.id}`;
    return {
      object: 'list',
      results: slice.map((item) => ({
        object: 'property_item',
        id: property.id,
        type: property.type,
        [property.type]: item,
      })),
      next_cursor: nextCursor,
      has_more: hasMore,
      type: 'property_item',
      property_item: {
        id: property.id,
        next_url: nextCursor ? `${path}?start_cursor=${nextCursor}` : null,
        type: property.type,
        [property.type]: {},
      },
    } as unknown as GetPagePropertyResponse;
  }

  createPage(body: Record<string, unknown>): PageObjectResponse {
    const parent = body.parent as Record<string, unknown> | undefined;
    if (!parent || typeof parent !== 'object')
      throw validation('body failed validation: body.parent should be defined, instead was `undefined`.');
    let dataSource: DataSource | undefined;
    let parentPageId: string | null = null;
    if (typeof parent.data_source_id === 'string') {
      dataSource = this.#dataSource(requireId(parent.data_source_id, 'data source'));
    } else if (typeof parent.database_id === 'string') {
      const databaseId = requireId(parent.database_id, 'database');
      const database = this.#unshared.has(databaseId) ? undefined : this.#databases.get(databaseId);
      if (!database) throw notFound('database', String(parent.database_id));
      // "database_id as a parent … fails once the database has several data sources" (upgrade-guide-2025-09-03).
      if (database.dataSourceIds.length > 1)
        throw validation('This database has several data sources: use parent.data_source_id.');
      dataSource = this.#dataSource(database.dataSourceIds[0]!);
    } else if (typeof parent.page_id === 'string') {
      parentPageId = this.#sharedPage(requireId(parent.page_id, 'page')).id;
    } else {
      throw validation('body failed validation: body.parent should have data_source_id, database_id or page_id.');
    }
    // A page is a block: past the limit, creating one fails like appending blocks (workspace-block-limits).
    if (this.#blockLimitReached) throw blockLimitReached();
    const now = this.#now();
    const page: Page = {
      id: newId(),
      dataSourceId: dataSource?.id ?? null,
      parentPageId,
      values: new Map(),
      createdMs: now,
      editedMs: now,
      inTrash: false,
      sequence: ++this.#sequence,
    };
    const properties = (body.properties ?? {}) as Record<string, unknown>;
    if (dataSource) {
      this.#applyProperties(dataSource, page, properties);
    } else {
      const title = (properties.title as { title?: unknown } | undefined)?.title;
      page.title = Array.isArray(title)
        ? title.map((t: { text?: { content?: string } }) => t.text?.content ?? '').join('')
        : '';
    }
    this.#pages.set(page.id, page);
    if (Array.isArray(body.children)) this.#appendChildren(page.id, body.children);
    this.#changed(page, 'page.created');
    return this.#pageResponse(page);
  }

  updatePage(rawId: string, body: Record<string, unknown>): PageObjectResponse {
    const page = this.#sharedPage(requireId(rawId, 'page'));
    const trashKey = 'in_trash' in body ? 'in_trash' : 'archived' in body ? 'archived' : undefined;
    if (page.inTrash && trashKey === undefined) {
      throw validation("Can't edit block that is archived. You must unarchive the block before editing.");
    }
    let written: string[] = [];
    if (body.properties !== undefined) {
      if (typeof body.properties !== 'object' || body.properties === null)
        throw validation('body failed validation: body.properties should be an object.');
      if (!page.dataSourceId) throw validation('This page is not in a data source; only its title can be set.');
      written = this.#applyProperties(
        this.#dataSource(page.dataSourceId),
        page,
        body.properties as Record<string, unknown>,
      );
    }
    const wasInTrash = page.inTrash;
    if (trashKey !== undefined) {
      if (typeof body[trashKey] !== 'boolean')
        throw validation(`body failed validation: body.${trashKey} should be a boolean.`);
      page.inTrash = body[trashKey] as boolean;
    }
    page.editedMs = this.#now();
    if (written.length > 0) this.#changed(page, 'page.properties_updated', written);
    if (page.inTrash !== wasInTrash) this.#changed(page, page.inTrash ? 'page.deleted' : 'page.undeleted');
    return this.#pageResponse(page);
  }

  appendBlockChildren(
    rawId: string,
    body: Record<string, unknown>,
  ): {
    object: 'list';
    results: BlockObjectResponse[];
    next_cursor: null;
    has_more: false;
    type: 'block';
    block: Record<string, never>;
  } {
    const parentId = requireId(rawId, 'block');
    const page = this.#pages.get(parentId);
    if (!page && !this.#blocks.has(parentId)) throw notFound('block', parentId);
    if (page && !this.#isShared(page)) throw notFound('block', parentId);
    if (page?.inTrash)
      throw validation("Can't edit block that is archived. You must unarchive the block before editing.");
    if (!Array.isArray(body.children)) throw validation('body failed validation: body.children should be an array.');
    // "After grace expires, requests that create blocks fail. Reads, deletes, and edits that do not create blocks
    // remain available." (developers.notion.com/reference/workspace-block-limits)
    if (this.#blockLimitReached && body.children.length > 0) throw blockLimitReached();
    if (body.children.length > MAX_ARRAY_ITEMS)
      throw validation(
        `body failed validation: body.children.length should be ≤ \`${MAX_ARRAY_ITEMS}\`, instead was \`${body.children.length}\`.`,
      );
    const created = this.#appendChildren(parentId, body.children);
    const owner = page ?? this.#pageOfBlock(parentId);
    if (owner) owner.editedMs = this.#now();
    return {
      object: 'list',
      type: 'block',
      block: {},
      results: created.map((b) => this.#blockResponse(b)),
      next_cursor: null,
      has_more: false,
    };
  }

  listBlockChildren(
    rawId: string,
    startCursor: string | undefined,
    pageSize = 100,
  ): {
    object: 'list';
    results: BlockObjectResponse[];
    next_cursor: string | null;
    has_more: boolean;
    type: 'block';
    block: Record<string, never>;
  } {
    const parentId = requireId(rawId, 'block');
    if (!this.#pages.has(parentId) && !this.#blocks.has(parentId)) throw notFound('block', parentId);
    if (pageSize < 1 || pageSize > 100) throw validation(`page_size should be ≤ \`100\`, instead was \`${pageSize}\`.`);
    const children = [...this.#blocks.values()].filter((b) => b.parentId === parentId);
    const offset = decodeCursor(startCursor);
    const slice = children.slice(offset, offset + pageSize);
    const hasMore = offset + pageSize < children.length;
    return {
      object: 'list',
      type: 'block',
      block: {},
      results: slice.map((b) => this.#blockResponse(b)),
      next_cursor: hasMore ? encodeCursor(offset + pageSize, slice[slice.length - 1]!.id) : null,
      has_more: hasMore,
    };
  }

  createComment(body: Record<string, unknown>): CommentObjectResponse {
    const parent = body.parent as { page_id?: string } | undefined;
    if (!parent?.page_id) throw validation('body failed validation: body.parent.page_id should be defined.');
    const page = this.#sharedPage(requireId(parent.page_id, 'page'));
    const items = validateRichText(body.rich_text, 'body.rich_text');
    const now = floorToMinute(this.#now());
    const comment = {
      object: 'comment',
      id: newId(),
      parent: { type: 'page_id', page_id: page.id },
      discussion_id: newId(),
      created_time: now,
      last_edited_time: now,
      created_by: USER,
      rich_text: items,
      display_name: { type: 'integration', resolved_name: 'tracksync' },
      attachments: [],
    } as unknown as CommentObjectResponse;
    this.#comments.push(comment);
    return comment;
  }

  me(): { object: 'user'; id: string; type: 'bot'; name: string; avatar_url: null; bot: Record<string, unknown> } {
    return {
      object: 'user',
      id: this.botId,
      type: 'bot',
      name: 'tracksync (local Notion)',
      avatar_url: null,
      bot: { owner: { type: 'workspace', workspace: true }, workspace_name: 'Local sandbox' },
    };
  }

  // ---- internals ----

  #dataSource(id: string): DataSource {
    const dataSource = this.#dataSources.get(id);
    if (!dataSource || this.#unshared.has(dataSource.databaseId)) throw notFound('data source', id);
    return dataSource;
  }

  #isShared(page: Page): boolean {
    const dataSource = page.dataSourceId ? this.#dataSources.get(page.dataSourceId) : undefined;
    return dataSource === undefined || !this.#unshared.has(dataSource.databaseId);
  }

  /** A page the integration can see: pages of unshared databases answer 404, as if they did not exist. */
  #sharedPage(id: string): Page {
    const page = this.#page(id);
    if (!this.#isShared(page)) throw notFound('page', id);
    return page;
  }

  #page(id: string): Page {
    const page = this.#pages.get(id);
    if (!page) throw notFound('page', id);
    return page;
  }

  #pageOfBlock(blockId: string): Page | undefined {
    let id: string | undefined = blockId;
    for (let i = 0; i < 10 && id; i += 1) {
      const page = this.#pages.get(id);
      if (page) return page;
      id = this.#blocks.get(id)?.parentId;
    }
    return undefined;
  }

  /** Writes the values after validating all of them; returns the ids of the properties written. */
  #applyProperties(dataSource: DataSource, page: Page, properties: Record<string, unknown>): string[] {
    // Validate everything first: a rejected request changes nothing, as in Notion.
    const updates: Array<[Property, unknown]> = [];
    for (const [key, raw] of Object.entries(properties)) {
      const property = findProperty(dataSource, key);
      if (!property) throw validation(`${key} is not a property that exists.`);
      if (READ_ONLY_TYPES.has(property.type))
        throw validation(`${property.name} is a ${property.type} property and cannot be written.`);
      updates.push([property, this.#validateValue(dataSource, property, raw)]);
    }
    for (const [property, value] of updates) page.values.set(property.id, value);
    return updates.map(([property]) => property.id);
  }

  #validateValue(dataSource: DataSource, property: Property, raw: unknown): unknown {
    if (raw === null || typeof raw !== 'object')
      throw validation(`body failed validation: body.properties.${property.name} should be an object.`);
    const body = raw as Record<string, unknown>;
    const keys = Object.keys(body).filter((k) => k !== 'type' && k !== 'id');
    if (keys.length !== 1 || keys[0] !== property.type) {
      throw validation(`${property.name} is expected to be ${property.type}.`);
    }
    const value = body[property.type];
    const path = `body.properties.${property.name}.${property.type}`;
    switch (property.type) {
      case 'title':
      case 'rich_text':
        return validateRichText(value, path);
      case 'url':
      case 'email':
      case 'phone_number':
        if (value === null) return null;
        if (typeof value !== 'string')
          throw validation(
            `body failed validation: ${path} should be a string or \`null\`, instead was \`${JSON.stringify(value)}\`.`,
          );
        if (value.length > (property.type === 'url' ? MAX_TEXT_CHARS : 200))
          throw validation(
            `body failed validation: ${path}.length should be ≤ \`${MAX_TEXT_CHARS}\`, instead was \`${value.length}\`.`,
          );
        return value === '' ? null : value;
      case 'number':
        if (value !== null && (typeof value !== 'number' || !Number.isFinite(value)))
          throw validation(
            `body failed validation: ${path} should be a number or \`null\`, instead was \`${JSON.stringify(value)}\`.`,
          );
        return value;
      case 'checkbox':
        if (typeof value !== 'boolean')
          throw validation(
            `body failed validation: ${path} should be a boolean, instead was \`${JSON.stringify(value)}\`.`,
          );
        return value;
      case 'select':
        return value === null ? null : this.#option(dataSource, property, value, path, true);
      case 'status':
        return value === null ? null : this.#option(dataSource, property, value, path, false);
      case 'multi_select': {
        if (!Array.isArray(value)) throw validation(`body failed validation: ${path} should be an array.`);
        if (value.length > MAX_ARRAY_ITEMS)
          throw validation(
            `body failed validation: ${path}.length should be ≤ \`${MAX_ARRAY_ITEMS}\`, instead was \`${value.length}\`.`,
          );
        const names = new Set<string>();
        const options = [];
        for (const item of value) {
          const option = this.#option(dataSource, property, item, path, true);
          if (!names.has(option.name)) options.push(option);
          names.add(option.name);
        }
        return options;
      }
      case 'date': {
        if (value === null) return null;
        const date = value as { start?: unknown; end?: unknown; time_zone?: unknown };
        if (typeof date.start !== 'string' || Number.isNaN(Date.parse(date.start)))
          throw validation(
            `body failed validation: ${path}.start should be an ISO 8601 date, instead was \`${JSON.stringify(date.start)}\`.`,
          );
        if (typeof date.time_zone === 'string')
          return { start: date.start, end: typeof date.end === 'string' ? date.end : null, time_zone: date.time_zone };
        if (typeof date.end === 'string' && Number.isNaN(Date.parse(date.end)))
          throw validation(
            `body failed validation: ${path}.end should be an ISO 8601 date, instead was \`${JSON.stringify(date.end)}\`.`,
          );
        return {
          start: normaliseDateTime(date.start),
          end: typeof date.end === 'string' ? normaliseDateTime(date.end) : null,
          time_zone: null,
        };
      }
      case 'relation': {
        if (!Array.isArray(value)) throw validation(`body failed validation: ${path} should be an array.`);
        if (value.length > MAX_ARRAY_ITEMS)
          throw validation(
            `body failed validation: ${path}.length should be ≤ \`${MAX_ARRAY_ITEMS}\`, instead was \`${value.length}\`.`,
          );
        return value.map((item: { id?: unknown }) => {
          const id = typeof item?.id === 'string' ? normaliseId(item.id) : undefined;
          const target = id ? this.#pages.get(id) : undefined;
          if (!id || !target || !this.#isShared(target))
            throw validation(
              `body failed validation: ${path}: ${JSON.stringify(item?.id)} is not a page id that exists.`,
            );
          return { id };
        });
      }
      case 'people':
      case 'files':
        if (!Array.isArray(value)) throw validation(`body failed validation: ${path} should be an array.`);
        return value;
      default:
        throw validation(`${property.name}: the local Notion does not write properties of type ${property.type}.`);
    }
  }

  /**
   * A select option by name (created when missing, for select and multi_select) or by id. Status options must exist.
   */
  #option(
    dataSource: DataSource,
    property: Property,
    raw: unknown,
    path: string,
    create: boolean,
  ): { id: string; name: string; color: string } {
    const item = raw as { name?: unknown; id?: unknown } | null;
    if (typeof item?.id === 'string') {
      const option = property.options.find((o) => o.id === item.id);
      if (!option) throw validation(`body failed validation: ${path}: no option with id ${item.id}.`);
      return option;
    }
    if (typeof item?.name !== 'string' || item.name.trim() === '')
      throw validation(`body failed validation: ${path}.name should be a non-empty string.`);
    if (item.name.includes(','))
      throw validation(`body failed validation: select option names cannot contain commas ("${item.name}").`);
    if (item.name.length > 100)
      throw validation(
        `body failed validation: ${path}.name.length should be ≤ \`100\`, instead was \`${item.name.length}\`.`,
      );
    const existing = property.options.find((o) => o.name === item.name);
    if (existing) return existing;
    // Status options cannot be created through the API; select options are (page-property-values#status, #select).
    if (!create)
      throw validation(
        `Invalid status option. Status option "${item.name}" does not exist for property "${property.name}".`,
      );
    const option = {
      id: propertyId(dataSource.id, `${property.name}:${item.name}`),
      name: item.name,
      color: COLORS[property.options.length % COLORS.length]!,
    };
    property.options.push(option);
    return option;
  }

  #appendChildren(parentId: string, children: unknown[], depth = 0): Block[] {
    // "nesting ≤ 2 levels per request" (developers.notion.com/reference/patch-block-children).
    if (depth >= 2 && children.length > 0)
      throw validation('body failed validation: blocks can be nested at most two levels in one request.');
    const created: Block[] = [];
    for (const raw of children) {
      const child = raw as Record<string, unknown>;
      const type =
        typeof child.type === 'string' ? child.type : Object.keys(child).find((k) => k !== 'object' && k !== 'type');
      if (!type || typeof child[type] !== 'object')
        throw validation('body failed validation: each child block needs a type and its content.');
      const content = { ...(child[type] as Record<string, unknown>) };
      const nested = Array.isArray(content.children) ? (content.children as unknown[]) : [];
      delete content.children;
      if (Array.isArray(content.rich_text))
        content.rich_text = validateRichText(content.rich_text, `body.children.${type}.rich_text`);
      const block: Block = {
        id: newId(),
        parentId,
        type,
        content,
        hasChildren: nested.length > 0,
        createdMs: this.#now(),
      };
      this.#blocks.set(block.id, block);
      created.push(block);
      if (nested.length > 0) this.#appendChildren(block.id, nested, depth + 1);
    }
    return created;
  }

  #propertyConfig(p: Property): Record<string, unknown> {
    const common = { id: p.id, name: p.name, description: null, type: p.type };
    switch (p.type) {
      case 'select':
      case 'multi_select':
        return { ...common, [p.type]: { options: p.options.map((o) => ({ ...o, description: null })) } };
      case 'status':
        return {
          ...common,
          status: {
            options: p.options.map((o) => ({ ...o, description: null })),
            groups: [{ id: `${p.id}-all`, name: 'All', color: 'gray', option_ids: p.options.map((o) => o.id) }],
          },
        };
      case 'relation': {
        const target = p.relationTo ? this.#dataSources.get(p.relationTo) : undefined;
        return {
          ...common,
          relation: {
            database_id: target?.databaseId ?? p.relationTo ?? '',
            data_source_id: p.relationTo ?? '',
            type: 'single_property',
            single_property: {},
          },
        };
      }
      case 'number':
        return { ...common, number: { format: 'number' } };
      case 'formula':
        return { ...common, formula: { expression: '' } };
      default:
        return { ...common, [p.type]: {} };
    }
  }

  #valueOf(page: Page, p: Property, values?: Record<string, unknown>): unknown {
    switch (p.type) {
      case 'created_time':
        return floorToMinute(page.createdMs);
      case 'last_edited_time':
        return floorToMinute(page.editedMs);
      case 'created_by':
      case 'last_edited_by':
        return USER;
      case 'formula': {
        const result = p.formula ? p.formula(values ?? {}) : null;
        const type = typeof result === 'number' ? 'number' : typeof result === 'boolean' ? 'boolean' : 'string';
        return { type, [type]: result };
      }
      default: {
        const stored = page.values.get(p.id);
        if (stored !== undefined) return stored;
        return emptyValue(p.type);
      }
    }
  }

  /** A relation value as the integration sees it: pages of databases not shared with it are left out. */
  #visibleRelation(value: unknown): Array<{ id: string }> {
    const related = Array.isArray(value) ? (value as Array<{ id: string }>) : [];
    return related.filter((r) => {
      const target = this.#pages.get(r.id);
      return target === undefined || this.#isShared(target);
    });
  }

  #sortTarget(dataSource: DataSource, page: Page): SortTarget & { page: Page } {
    const plain = this.#plainValues(dataSource, page);
    return {
      page,
      createdMs: page.createdMs,
      sequence: page.sequence,
      createdTime: floorToMinute(page.createdMs),
      lastEditedTime: floorToMinute(page.editedMs),
      value: (property) => this.#valueOf(page, property as Property, plain),
    };
  }

  #plainValues(dataSource: DataSource, page: Page): Record<string, unknown> {
    const values: Record<string, unknown> = {};
    for (const p of dataSource.properties) if (p.type !== 'formula') values[p.name] = this.#valueOf(page, p);
    return values;
  }

  #pageResponse(page: Page, keep?: Set<string | undefined>): PageObjectResponse {
    const dataSource = page.dataSourceId ? this.#dataSources.get(page.dataSourceId) : undefined;
    const properties: Record<string, unknown> = {};
    let title = page.title ?? '';
    if (dataSource) {
      const plain = this.#plainValues(dataSource, page);
      for (const p of dataSource.properties) {
        const value = this.#valueOf(page, p, plain);
        if (p.type === 'title') title = plainOf(value);
        if (keep && !keep.has(p.id)) continue;
        if (p.type === 'relation') {
          const related = this.#visibleRelation(value);
          properties[p.name] = {
            id: p.id,
            type: p.type,
            relation: related.slice(0, RELATION_PAGE_LIMIT),
            has_more: related.length > RELATION_PAGE_LIMIT,
          };
        } else {
          properties[p.name] = { id: p.id, type: p.type, [p.type]: value };
        }
      }
    } else {
      properties.title = { id: 'title', type: 'title', title: richText(title) };
    }
    const parent = dataSource
      ? { type: 'data_source_id', data_source_id: dataSource.id, database_id: dataSource.databaseId }
      : page.parentPageId
        ? { type: 'page_id', page_id: page.parentPageId }
        : { type: 'workspace', workspace: true };
    return {
      object: 'page',
      id: page.id,
      created_time: floorToMinute(page.createdMs),
      last_edited_time: floorToMinute(page.editedMs),
      created_by: USER,
      last_edited_by: USER,
      in_trash: page.inTrash,
      archived: page.inTrash,
      is_archived: page.inTrash,
      is_locked: false,
      parent,
      icon: null,
      cover: null,
      url: notionUrl(title, page.id),
      public_url: null,
      properties,
    } as PageObjectResponse;
  }

  #blockResponse(block: Block): BlockObjectResponse {
    const parent = this.#pages.has(block.parentId)
      ? { type: 'page_id', page_id: block.parentId }
      : { type: 'block_id', block_id: block.parentId };
    return {
      object: 'block',
      id: block.id,
      parent,
      type: block.type,
      created_time: floorToMinute(block.createdMs),
      last_edited_time: floorToMinute(block.createdMs),
      created_by: USER,
      last_edited_by: USER,
      has_children: block.hasChildren,
      in_trash: false,
      archived: false,
      [block.type]: block.content,
    } as unknown as BlockObjectResponse;
  }
}

function findProperty(dataSource: DataSource, key: string): Property | undefined {
  return (
    dataSource.properties.find((p) => p.name === key) ??
    dataSource.properties.find((p) => p.id === key || p.id === encodeURIComponent(key))
  );
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function requireId(raw: string, kind = 'object'): string {
  const id = normaliseId(raw);
  if (!id)
    throw new NotionApiError(
      400,
      'validation_error',
      `path failed validation: ${kind} id should be a valid uuid, instead was \`"${raw}"\`.`,
    );
  return id;
}

function validateRichText(value: unknown, path: string): RichTextItemResponse[] {
  if (!Array.isArray(value)) throw validation(`body failed validation: ${path} should be an array.`);
  if (value.length > MAX_ARRAY_ITEMS)
    throw validation(
      `body failed validation: ${path}.length should be ≤ \`${MAX_ARRAY_ITEMS}\`, instead was \`${value.length}\`.`,
    );
  return value.map((item: Record<string, unknown>, i) => {
    const text = item?.text as { content?: unknown; link?: { url?: string } | null } | undefined;
    if (!text || typeof text.content !== 'string')
      throw validation(`body failed validation: ${path}[${i}].text.content should be defined.`);
    if (text.content.length > MAX_TEXT_CHARS)
      throw validation(
        `body failed validation: ${path}[${i}].text.content.length should be ≤ \`${MAX_TEXT_CHARS}\`, instead was \`${text.content.length}\`.`,
      );
    const link = text.link?.url ? { url: text.link.url } : null;
    return {
      type: 'text',
      text: { content: text.content, link },
      annotations: {
        bold: false,
        italic: false,
        strikethrough: false,
        underline: false,
        code: false,
        color: 'default',
        ...((item.annotations as object) ?? {}),
      },
      plain_text: text.content,
      href: link?.url ?? null,
    } satisfies RichTextItemResponse;
  });
}

function richText(content: string): RichTextItemResponse[] {
  return content === '' ? [] : validateRichText([{ text: { content: content.slice(0, MAX_TEXT_CHARS) } }], 'title');
}

function plainOf(value: unknown): string {
  return Array.isArray(value) ? value.map((i: { plain_text?: string }) => i.plain_text ?? '').join('') : '';
}

function emptyValue(type: string): unknown {
  switch (type) {
    case 'title':
    case 'rich_text':
    case 'multi_select':
    case 'relation':
    case 'people':
    case 'files':
      return [];
    case 'checkbox':
      return false;
    default:
      return null;
  }
}

function notionUrl(title: string, id: string): string {
  const slug = title
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);
  return `https://www.notion.so/${slug ? `${slug}-` : ''}${id.replaceAll('-', '')}`;
}

/** Opaque cursors, as in the real API: callers must not parse them, and a cursor belongs to one query. */
function encodeCursor(offset: number, lastId: string): string {
  return Buffer.from(JSON.stringify({ o: offset, l: lastId })).toString('base64url');
}

function decodeCursor(cursor: unknown): number {
  if (cursor === undefined || cursor === null) return 0;
  try {
    const parsed = JSON.parse(Buffer.from(String(cursor), 'base64url').toString()) as { o?: unknown };
    if (typeof parsed.o === 'number' && parsed.o >= 0) return parsed.o;
  } catch {
    // fall through to the validation error
  }
  throw validation(
    `body failed validation: start_cursor should be a valid cursor, instead was \`${JSON.stringify(cursor)}\`.`,
  );
}
