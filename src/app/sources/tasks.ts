import { randomUUID } from 'node:crypto';
import type { HandlerResult, ItemInput } from '../../engine/contracts.js';
import type { Config } from '../../config/load.js';
import { TrackSyncError, type ErrorCode } from '../../errors.js';
import type { TrackLine } from '../../handoff/report.js';
import { writeReturnFile } from '../../handoff/return-file.js';
import { heading, paragraph } from '../../notion/blocks.js';
import { encodeFields, pageHasValues, type FieldValue } from '../../notion/codecs.js';
import type { FieldKey } from '../../notion/databases.js';
import type { BlockRequest, NotionFilter, PageResponse } from '../../notion/gateway.js';
import { overLimitMessage, readRelation, relationUnion } from '../../notion/relations.js';
import type { ResolvedSchema } from '../../notion/schema.js';
import { readIfAlive } from '../../notion/creates.js';
import { allOf, anyOf, createRow, findByTitle, propertyFilter } from '../../notion/rows.js';
import { decodeFields, hashFields, humanTime, pollPropertyIds, sameId, textOf, type SourceDeps } from './common.js';
import type { ClaimOutcome, FailureWrite, ItemSource, ResultRun } from '../../engine/sources.js';

type TaskField = FieldKey<'tasks'>;
type TaskValues = Partial<Record<TaskField, FieldValue>>;

/** Fields tracksync itself changes while it holds a task (the claim note lives in Execution-Result): not "a change". */
const CLAIM_FIELDS: ReadonlySet<string> = new Set(['result', 'executionLogs']);
/**
 * Left out of polls (filter_properties): a task's Execution-Logs can list hundreds of runs, and routing never needs
 * them.
 */
const NOT_POLLED: ReadonlySet<string> = new Set(['executionLogs']);

/** Errors that need a person rather than a retry: the task becomes Blocked, not Failed (docs/notion-contract.md). */
const BLOCKING_CODES: ReadonlySet<ErrorCode> = new Set([
  'TOOL_MISSING',
  'SPOTIFY_UNAUTHORIZED',
  'SOURCE_PRIVATE',
  'NOTION_FORBIDDEN',
  'CONFIG_INVALID',
  'VOLUME_NOT_MOUNTED',
]);

const CLAIM_NOTE = 'tracksync is working on this';

/** The claim note written to Execution-Result while tracksync holds a task: who, which claim, since when. */
export function claimNote(host: string, daemonId: string, nonce: string, atMs: number): string {
  return `${CLAIM_NOTE} (host ${host}, claim ${daemonId}/${nonce}, since ${new Date(atMs).toISOString()}).`;
}

export function parseClaimNote(text: string): { daemonId: string; nonce: string; at: number } | undefined {
  const match = text.match(
    /tracksync is working on this \(host [^,]*, claim ([0-9A-Za-z]+)\/([0-9A-Za-z-]+), since ([^)]+)\)/,
  );
  if (!match) return undefined;
  const at = Date.parse(match[3]!);
  return Number.isNaN(at) ? undefined : { daemonId: match[1]!, nonce: match[2]!, at };
}

/**
 * The default routing of docs/notion-contract.md: Ready, not archived, and a music task by type, title or assignment.
 * Draft, Planning and Blocked tasks are never taken (legacy bug 6), and "sync" alone in a title is not enough (bug 7).
 */
export function isRoutedToUs(fields: Partial<Record<TaskField, FieldValue>>, routing: Config['routing']): boolean {
  return textOf(fields.status) === routing.readyStatus && matchesRouting(fields, routing);
}

/** Routing without the status: archive, type, title keywords, assignment. */
function matchesRouting(fields: Partial<Record<TaskField, FieldValue>>, routing: Config['routing']): boolean {
  if (fields.archive === true) return false;
  const title = textOf(fields.title).toLowerCase();
  // "Review: Music Track Sync ..." is a person's follow-up of our work, and "CRITICAL: Music Sync Failure - ..." our
  // call
  // for help: never our work again, although both contain "music sync".
  if (title.startsWith('review:') || title.startsWith('critical:')) return false;
  const type = textOf(fields.taskType);
  const agents = Array.isArray(fields.assignedAgent) ? fields.assignedAgent : [];
  return (
    routing.taskTypes.includes(type) ||
    routing.titleKeywords.some((k) => title.includes(k.toLowerCase())) ||
    (routing.agentPageId !== undefined && agents.some((id) => sameId(id, routing.agentPageId!)))
  );
}

/** Agent-Tasks pages as items. */
export class TaskSource implements ItemSource<'tasks'> {
  readonly key = 'tasks' as const;
  readonly schema: ResolvedSchema<'tasks'>;
  readonly dataSourceId: string;
  readonly #d: SourceDeps;
  /** The configured task types the live "Task Type" select has (others are reported by doctor and left out). */
  readonly #taskTypes: readonly string[];
  /** Tasks Notion's own filter says are assigned to tracksync's agent page (see beforePoll). */
  #assignedToUs = new Set<string>();

  constructor(deps: SourceDeps) {
    if (!deps.schemas.tasks) throw new Error('TaskSource needs the Agent-Tasks schema (AGENT_TASKS_DB_ID)');
    this.#d = deps;
    this.schema = deps.schemas.tasks;
    this.dataSourceId = this.schema.dataSourceId;
    const options = this.schema.fields.taskType?.options ?? [];
    this.#taskTypes = deps.config.routing.taskTypes.filter((t) => options.includes(t));
  }

  /**
   * Ready music tasks, and In Progress ones too: a task tracksync held when its process died must be found again and
   * taken back (whyNotEligible decides whose claim it is), or it would stay In Progress forever.
   *
   * Only conditions whose meaning Notion documents go into the filter. Whether `title contains "music sync"` matches
   * "Music Sync" is not documented, so the title keywords are matched here, after the query, without case: with
   * keywords configured the filter is status and archive only. Without keywords it also narrows by the task types
   * that exist (a select naming a missing option may be refused with validation_error) and by the agent relation.
   */
  eligibilityFilter(): NotionFilter {
    const { fields } = this.schema;
    const routing = this.#d.config.routing;
    const all = [this.#readyOrInProgress()];
    if (fields.archive) all.push(propertyFilter(fields.archive, { equals: false }));
    if (routing.titleKeywords.length === 0) {
      const routed: NotionFilter[] = [];
      if (fields.taskType) for (const t of this.#taskTypes) routed.push(propertyFilter(fields.taskType, { equals: t }));
      if (fields.assignedAgent && routing.agentPageId)
        routed.push(propertyFilter(fields.assignedAgent, { contains: routing.agentPageId }));
      if (routed.length > 0) all.push(anyOf(...routed));
    }
    return allOf(...all);
  }

  /** Tasks in the Ready or the In Progress status (status or select, as the live schema has it). */
  #readyOrInProgress(): NotionFilter {
    const status = this.schema.fields.status!;
    const { readyStatus, inProgressStatus } = this.#d.config.routing;
    return anyOf(propertyFilter(status, { equals: readyStatus }), propertyFilter(status, { equals: inProgressStatus }));
  }

  pollProperties(): string[] {
    return pollPropertyIds(this.schema, NOT_POLLED);
  }

  /**
   * Routing by assignment cannot trust the relation's value: a relation into a database not shared with the
   * integration reads as empty (makenotion/notion-sdk-js#514), and a page object lists at most 25 related pages. So
   * Notion is asked which Ready or In Progress tasks are assigned to tracksync's agent page (its filter works on the
   * stored relation), and those count as assigned whatever the value reads. One small query per poll, only when
   * routing.agentPageId is set.
   */
  async beforePoll(): Promise<void> {
    const { fields } = this.schema;
    const routing = this.#d.config.routing;
    if (!fields.assignedAgent || !routing.agentPageId) return;
    const filter = allOf(
      this.#readyOrInProgress(),
      propertyFilter(fields.assignedAgent, { contains: routing.agentPageId }),
    );
    const assigned = new Set<string>();
    for await (const page of this.#d.notion.queryPages(this.dataSourceId, {
      filter,
      sort: 'created_time',
      filterProperties: ['title'],
    }))
      assigned.add(page.id);
    this.#assignedToUs = assigned;
  }

  contentHash(page: PageResponse): string {
    return hashFields(this.schema, page, new Set([...CLAIM_FIELDS, ...NOT_POLLED]));
  }

  toInput(page: PageResponse): ItemInput<'tasks'> {
    const fields = decodeFields(this.schema, page);
    const agent = this.#d.config.routing.agentPageId;
    if (agent && this.#assignedToUs.has(page.id)) {
      const listed = Array.isArray(fields.assignedAgent) ? fields.assignedAgent : [];
      if (!listed.some((id) => sameId(id, agent))) fields.assignedAgent = [...listed, agent];
    }
    return { source: 'tasks', page, fields };
  }

  title(page: PageResponse): string {
    return textOf(decodeFields(this.schema, page).title) || '(untitled task)';
  }

  whyNotEligible(input: ItemInput<'tasks'>): string | undefined {
    const routing = this.#d.config.routing;
    if (input.page.in_trash) return 'the task is in the trash';
    if (!matchesRouting(input.fields, routing)) return 'the task is not routed to tracksync any more';
    const status = textOf(input.fields.status);
    if (status === routing.readyStatus) return undefined;
    if (status === routing.inProgressStatus) {
      // With a tracksync claim note it stays ours to watch: claim() takes it over when the note is ours or stale.
      return parseClaimNote(textOf(input.fields.result))
        ? undefined
        : 'the task is In Progress with someone else (no tracksync claim note)';
    }
    return `the task is ${status}, not ${routing.readyStatus}`;
  }

  /**
   * Another live tracksync's claim on an In Progress task (ours from an earlier run, or a stale one, can be taken
   * over).
   */
  #heldElsewhere(input: ItemInput<'tasks'>): string | undefined {
    if (textOf(input.fields.status) !== this.#d.config.routing.inProgressStatus) return undefined;
    const claim = parseClaimNote(textOf(input.fields.result));
    if (!claim || claim.daemonId === this.#d.identity.daemonId) return undefined;
    if (this.#d.clock.now() - claim.at >= this.#d.config.claims.leaseMs) return undefined;
    return `another tracksync (${claim.daemonId}) is working on it since ${humanTime(claim.at)}`;
  }

  /**
   * Claim = Status In Progress plus a claim note with a nonce in Execution-Result, then read back after `settleMs`:
   * of two daemons writing at once, only the last writer finds its nonce (Notion is last-writer-wins).
   */
  async claim(pageId: string): Promise<ClaimOutcome> {
    const { clock, config, identity } = this.#d;
    const page = await readIfAlive(this.#d.notion, pageId);
    if (!page) return { kind: 'gone', reason: 'the task was deleted or is no longer shared with the integration' };
    const why = this.whyNotEligible(this.toInput(page));
    if (why) return { kind: 'not-eligible', page, reason: why };
    const elsewhere = this.#heldElsewhere(this.toInput(page));
    if (elsewhere) return { kind: 'lost', reason: elsewhere };
    const nonce = randomUUID().slice(0, 8);
    const values: TaskValues = { status: config.routing.inProgressStatus };
    if (this.schema.fields.result) values.result = claimNote(identity.host, identity.daemonId, nonce, clock.now());
    await this.#write(pageId, values);
    await clock.sleep(config.claims.settleMs);
    const after = await readIfAlive(this.#d.notion, pageId);
    if (!after) return { kind: 'gone', reason: 'the task was deleted while being claimed' };
    const fields = decodeFields(this.schema, after);
    const ours =
      textOf(fields.status) === config.routing.inProgressStatus &&
      (!this.schema.fields.result || parseClaimNote(textOf(fields.result))?.nonce === nonce);
    if (!ours) return { kind: 'lost', reason: 'another daemon claimed the task at the same moment' };
    return { kind: 'claimed', page: after };
  }

  async renewClaim(): Promise<void> {
    // The status itself is the claim; nothing goes stale.
  }

  /** Back to Ready, with a note, so no task is left In Progress when the daemon stops. */
  async release(pageId: string, reason: string): Promise<PageResponse | undefined> {
    const values: TaskValues = { status: this.#d.config.routing.readyStatus };
    if (this.schema.fields.result)
      values.result = `tracksync stopped before finishing (${reason}); it will pick the task up again.`;
    return this.#write(pageId, values);
  }

  /**
   * The handoff: the report appended to the page body, an Execution-Logs page when configured, then one PATCH with
   * the status, the summary and the log relation. Each step is a checkpointed stage (checkpoints belong to the item's
   * generation), so a retry after a failure half-way never appends the same report twice, while a task set back to
   * Ready by a person gets a new report.
   */
  async writeResult(page: PageResponse, result: HandlerResult, run: ResultRun): Promise<PageResponse> {
    const routing = this.#d.config.routing;
    const status =
      result.taskStatus === 'failed'
        ? routing.failedStatus
        : result.taskStatus === 'blocked'
          ? routing.blockedStatus
          : routing.completedStatus;
    let summary = result.summary ?? `tracksync finished: ${result.outcome}.`;
    const reported = await this.#appendReport(page.id, result.report ?? [], run);
    if (!reported) summary += ` ${BLOCK_LIMIT_NOTE}`;
    const logId = await this.#createExecutionLog(page, run, {
      status: result.taskStatus ?? 'completed',
      summary,
      errorCount: Number(result.details?.errorCount ?? 0),
    });
    await this.#writeReturnFile(page, status, summary, (result.details?.tracks ?? []) as TrackLine[], run);
    if (status === routing.completedStatus) await this.#createReviewTask(page, run);
    const values: TaskValues = { status };
    if (this.schema.fields.result) values.result = summary;
    if (logId) await this.#linkLog(page, logId, values);
    return this.#write(page.id, values);
  }

  async writeFailure(
    page: PageResponse,
    error: TrackSyncError,
    failure: FailureWrite,
    run?: ResultRun,
  ): Promise<PageResponse | undefined> {
    const routing = this.#d.config.routing;
    const values: TaskValues = {};
    let summary: string;
    if (failure.final) {
      const blocked = BLOCKING_CODES.has(error.code);
      values.status = blocked ? routing.blockedStatus : routing.failedStatus;
      summary = `${blocked ? 'Blocked' : 'Failed'} after ${failure.attempt} attempt(s): ${error.message} [${error.code}]`;
    } else {
      values.status = routing.readyStatus;
      summary = `Attempt ${failure.attempt} failed: ${error.message} [${error.code}]. tracksync retries after ${humanTime(failure.nextAttemptAt ?? this.#d.clock.now())}.`;
    }
    if (this.schema.fields.result) values.result = summary;
    if (failure.final && run) {
      const logId = await this.#createExecutionLog(page, run, { status: 'failed', summary, errorCount: 1 });
      if (logId) await this.#linkLog(page, logId, values);
    }
    return this.#write(page.id, values);
  }

  /**
   * The task's Execution-Logs with the new log added, read in full (a page object shows only 25 of them; writing that
   * back would unlink the rest). Past 100 logs the relation is left alone: the log names its task (two-way relations
   * show it on the task too), and Notion cannot take more than 100 ids in one write (relations.ts).
   */
  async #linkLog(page: PageResponse, logId: string, values: TaskValues): Promise<void> {
    const property = this.schema.fields.executionLogs;
    if (!property) return;
    const current = await readRelation(this.#d.notion, page, property);
    const merged = relationUnion(current, [logId]);
    if (merged === undefined)
      this.#d.logger.warn({ pageId: page.id, logId }, overLimitMessage(property, current.length));
    else if (merged.length !== current.length) values.executionLogs = merged;
  }

  /** False when Notion refused the blocks for the workspace's block limit: the rest of the report is not sent. */
  async #appendReport(pageId: string, report: readonly BlockRequest[], run: ResultRun): Promise<boolean> {
    if (report.length === 0) return true;
    const tag = `run ${run.itemId}.${run.generation}`;
    const batchSize = 99; // one slot per batch for the heading that carries the batch's marker
    for (let i = 0, part = 1; i < report.length; i += batchSize, part += 1) {
      const marker = `${tag} part ${part}`;
      const head =
        part === 1
          ? heading(`tracksync report · ${humanTime(this.#d.clock.now())} · ${marker}`)
          : paragraph(`(report continued · ${marker})`);
      const batch = [head, ...report.slice(i, i + batchSize)];
      try {
        await run.stage(`writeback:report:${part}`, 'report', async () => {
          await this.#d.notion.appendBlocks(pageId, batch, marker);
          return true;
        });
      } catch (error) {
        if (!isBlockLimit(error)) throw error;
        this.#d.logger.warn(
          { pageId, part },
          "Notion refused the report blocks: the workspace has reached its block limit; the result goes into the task's properties only",
        );
        return false;
      }
    }
    return true;
  }

  async #createExecutionLog(
    page: PageResponse,
    run: ResultRun,
    outcome: { status: string; summary: string; errorCount: number },
  ): Promise<string | undefined> {
    const logs = this.#d.schemas.executionLogs;
    if (!logs) return undefined;
    const { notion, clock } = this.#d;
    const now = clock.now();
    // The run tag and the start time make the name unique: it is the page's marker for createOnce.
    const name = `tracksync · ${this.title(page).slice(0, 120)} · ${humanTime(run.startedAt)} · run ${run.itemId}.${run.generation}`;
    const status = outcome.status === 'completed' ? (outcome.errorCount > 0 ? 'Partial' : 'Success') : 'Failed';
    try {
      return await run.stage('writeback:execution-log', 'execution-log', async () => {
        const values: Partial<Record<FieldKey<'executionLogs'>, FieldValue>> = {
          name,
          startTime: new Date(run.startedAt).toISOString(),
          endTime: new Date(now).toISOString(),
          status,
          durationSeconds: Math.round((now - run.startedAt) / 100) / 10,
          tasks: [page.id],
          errorCount: outcome.errorCount,
          summary: outcome.summary,
        };
        const { page: created } = await createRow(notion, logs, {
          key: `executionLogs:${logs.dataSourceId}:${page.id}:${run.itemId}.${run.generation}`,
          values,
          find: () => findByTitle(notion, logs, 'name', name),
        });
        return created.id;
      });
    } catch (error) {
      if (!isBlockLimit(error)) throw error;
      this.#d.logger.warn(
        { pageId: page.id },
        'Notion refused the Execution-Logs page: the workspace has reached its block limit',
      );
      return undefined;
    }
  }

  /** The legacy RETURN handoff file, when a folder is configured (handoff.returnFolder). */
  async #writeReturnFile(
    page: PageResponse,
    status: string,
    summary: string,
    tracks: readonly TrackLine[],
    run: ResultRun,
  ): Promise<void> {
    const folder = this.#d.config.handoff.returnFolder;
    if (!folder) return;
    await run.stage('writeback:return-file', 'return-file', () =>
      writeReturnFile(folder, {
        taskId: page.id,
        taskTitle: this.title(page),
        taskUrl: page.url,
        status,
        summary,
        tracks,
        when: new Date(this.#d.clock.now()),
      }),
    );
  }

  /** Optional: a "Review: <title>" task for a person, never twice for one task (handoff.reviewTask). */
  async #createReviewTask(page: PageResponse, run: ResultRun): Promise<void> {
    if (!this.#d.config.handoff.reviewTask) return;
    const { notion, config } = this.#d;
    const { fields, dataSourceId } = this.schema;
    const name = `Review: ${this.title(page)}`.slice(0, 200);
    // The title, and the task's id in the description when there is one: another task's review has another title.
    const find = (): Promise<PageResponse | undefined> =>
      findByTitle(
        notion,
        this.schema,
        'title',
        name,
        fields.description ? propertyFilter(fields.description, { contains: page.id }) : undefined,
      );
    await run.stage('writeback:review-task', 'review-task', async () => {
      if (await find()) return true;
      const values: TaskValues = {
        title: name,
        status: config.routing.readyStatus,
        description: `Review what tracksync did for "${this.title(page)}" (${page.url}, task id ${page.id}): the report on that page lists every track, its BPM, key and files.`,
      };
      if (fields.priority?.options.includes('High')) values.priority = 'High';
      if (fields.taskType?.options.includes('Review Task')) values.taskType = 'Review Task';
      try {
        await createRow(notion, this.schema, { key: `review:${dataSourceId}:${page.id}`, values, find });
      } catch (error) {
        if (!isBlockLimit(error)) throw error;
      }
      return true;
    });
  }

  async #write(pageId: string, values: TaskValues): Promise<PageResponse> {
    return this.#d.notion.updatePage(pageId, encodeFields(this.schema, values), (page) =>
      pageHasValues(this.schema, page, values),
    );
  }
}

/** Said in the task's result when its report could not be added to the page. */
const BLOCK_LIMIT_NOTE =
  '(The full report could not be added to this page: Notion refused new blocks because the workspace has reached its block limit. See the "CRITICAL: Music Sync Failure - Notion block limit" condition for what to do.)';

function isBlockLimit(error: unknown): boolean {
  return error instanceof TrackSyncError && error.code === 'NOTION_BLOCK_LIMIT';
}
