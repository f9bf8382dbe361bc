import { randomUUID } from 'node:crypto';
import type { HandlerResult, ItemInput } from '../../../handlers/types.js';
import type { Config } from '../../config/load.js';
import { TrackSyncError, type ErrorCode } from '../../errors.js';
import type { TrackLine } from '../../handoff/report.js';
import { writeReturnFile } from '../../handoff/return-file.js';
import { heading, paragraph } from '../../notion/blocks.js';
import { encodeFields, pageHasValues, type FieldValue } from '../../notion/codecs.js';
import type { FieldKey } from '../../notion/databases.js';
import type { BlockRequest, NotionFilter, PageResponse } from '../../notion/gateway.js';
import type { ResolvedSchema } from '../../notion/schema.js';
import { decodeFields, hashFields, humanTime, textOf, type SourceDeps } from './common.js';
import type { ClaimOutcome, FailureWrite, ItemSource, ResultRun } from './types.js';

type TaskField = FieldKey<'tasks'>;
type TaskValues = Partial<Record<TaskField, FieldValue>>;

/** Fields tracksync itself changes while it holds a task (the claim note lives in Execution-Result). */
const CLAIM_FIELDS: ReadonlySet<string> = new Set(['result', 'executionLogs']);

/** Errors that need a person rather than a retry: the task becomes Blocked, not Failed (notion-schema.md). */
const BLOCKING_CODES: ReadonlySet<ErrorCode> = new Set(['TOOL_MISSING', 'SPOTIFY_UNAUTHORIZED', 'SOURCE_PRIVATE', 'NOTION_FORBIDDEN', 'CONFIG_INVALID', 'VOLUME_NOT_MOUNTED']);

const CLAIM_NOTE = 'tracksync is working on this';

/** The claim note written to Execution-Result while tracksync holds a task: who, which claim, since when. */
export function claimNote(host: string, daemonId: string, nonce: string, atMs: number): string {
  return `${CLAIM_NOTE} (host ${host}, claim ${daemonId}/${nonce}, since ${new Date(atMs).toISOString()}).`;
}

export function parseClaimNote(text: string): { daemonId: string; nonce: string; at: number } | undefined {
  const match = text.match(/tracksync is working on this \(host [^,]*, claim ([0-9A-Za-z]+)\/([0-9A-Za-z-]+), since ([^)]+)\)/);
  if (!match) return undefined;
  const at = Date.parse(match[3]!);
  return Number.isNaN(at) ? undefined : { daemonId: match[1]!, nonce: match[2]!, at };
}

/**
 * The default routing of notion-schema.md: Ready, not archived, and a music task by type, title or assignment.
 * Draft, Planning and Blocked tasks are never taken (legacy bug 6), and "sync" alone in a title is not enough (bug 7).
 */
export function isRoutedToUs(fields: Partial<Record<TaskField, FieldValue>>, routing: Config['routing']): boolean {
  return textOf(fields.status) === routing.readyStatus && matchesRouting(fields, routing);
}

/** Routing without the status: archive, type, title keywords, assignment. */
function matchesRouting(fields: Partial<Record<TaskField, FieldValue>>, routing: Config['routing']): boolean {
  if (fields.archive === true) return false;
  const title = textOf(fields.title).toLowerCase();
  // "Review: Music Track Sync ..." is a person's follow-up of our work, and "CRITICAL: Music Sync Failure - ..." our call
  // for help: never our work again, although both contain "music sync".
  if (title.startsWith('review:') || title.startsWith('critical:')) return false;
  const type = textOf(fields.taskType);
  const agents = Array.isArray(fields.assignedAgent) ? fields.assignedAgent : [];
  return (
    routing.taskTypes.includes(type) ||
    routing.titleKeywords.some((k) => title.includes(k.toLowerCase())) ||
    (routing.agentPageId !== undefined && agents.some((id) => id.replaceAll('-', '') === routing.agentPageId!.replaceAll('-', '')))
  );
}

/** Agent-Tasks pages as items. */
export class TaskSource implements ItemSource<'tasks'> {
  readonly key = 'tasks' as const;
  readonly schema: ResolvedSchema<'tasks'>;
  readonly dataSourceId: string;
  readonly #d: SourceDeps;

  constructor(deps: SourceDeps) {
    if (!deps.schemas.tasks) throw new Error('TaskSource needs the Agent-Tasks schema (AGENT_TASKS_DB_ID)');
    this.#d = deps;
    this.schema = deps.schemas.tasks;
    this.dataSourceId = this.schema.dataSourceId;
  }

  /**
   * Ready music tasks, and In Progress ones too: a task tracksync held when its process died must be found again and
   * taken back (whyNotEligible decides whose claim it is), or it would stay In Progress forever.
   */
  eligibilityFilter(): NotionFilter {
    const { fields } = this.schema;
    const routing = this.#d.config.routing;
    const anyOf: unknown[] = routing.titleKeywords.map((k) => ({ property: fields.title!.name, title: { contains: k } }));
    if (fields.taskType) for (const t of routing.taskTypes) anyOf.push({ property: fields.taskType.name, select: { equals: t } });
    if (fields.assignedAgent && routing.agentPageId) anyOf.push({ property: fields.assignedAgent.name, relation: { contains: routing.agentPageId } });
    const status = fields.status!.name;
    const all: unknown[] = [{ or: [{ property: status, status: { equals: routing.readyStatus } }, { property: status, status: { equals: routing.inProgressStatus } }] }];
    if (fields.archive) all.push({ property: fields.archive.name, checkbox: { equals: false } });
    all.push({ or: anyOf });
    return { and: all } as NotionFilter;
  }

  contentHash(page: PageResponse): string {
    return hashFields(this.schema, page, CLAIM_FIELDS);
  }

  toInput(page: PageResponse): ItemInput<'tasks'> {
    return { source: 'tasks', page, fields: decodeFields(this.schema, page) };
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
      return parseClaimNote(textOf(input.fields.result)) ? undefined : 'the task is In Progress with someone else (no tracksync claim note)';
    }
    return `the task is ${status}, not ${routing.readyStatus}`;
  }

  /** Another live tracksync's claim on an In Progress task (ours from an earlier run, or a stale one, can be taken over). */
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
    const page = await this.#readOrGone(pageId);
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
    const after = await this.#readOrGone(pageId);
    if (!after) return { kind: 'gone', reason: 'the task was deleted while being claimed' };
    const fields = decodeFields(this.schema, after);
    const ours = textOf(fields.status) === config.routing.inProgressStatus && (!this.schema.fields.result || parseClaimNote(textOf(fields.result))?.nonce === nonce);
    if (!ours) return { kind: 'lost', reason: 'another daemon claimed the task at the same moment' };
    return { kind: 'claimed', page: after };
  }

  async renewClaim(): Promise<void> {
    // The status itself is the claim; nothing goes stale.
  }

  /** Back to Ready, with a note, so no task is left In Progress when the daemon stops. */
  async release(pageId: string, reason: string): Promise<PageResponse | undefined> {
    const values: TaskValues = { status: this.#d.config.routing.readyStatus };
    if (this.schema.fields.result) values.result = `tracksync stopped before finishing (${reason}); it will pick the task up again.`;
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
    const status = result.taskStatus === 'failed' ? routing.failedStatus : result.taskStatus === 'blocked' ? routing.blockedStatus : routing.completedStatus;
    const summary = result.summary ?? `tracksync finished: ${result.outcome}.`;
    await this.#appendReport(page.id, result.report ?? [], run);
    const logId = await this.#createExecutionLog(page, run, { status: result.taskStatus ?? 'completed', summary, errorCount: Number(result.details?.errorCount ?? 0) });
    await this.#writeReturnFile(page, status, summary, (result.details?.tracks ?? []) as TrackLine[], run);
    if (status === routing.completedStatus) await this.#createReviewTask(page, run);
    const values: TaskValues = { status };
    if (this.schema.fields.result) values.result = summary;
    if (logId && this.schema.fields.executionLogs) values.executionLogs = [...new Set([...arrayOf(decodeFields(this.schema, page).executionLogs), logId])];
    return this.#write(page.id, values);
  }

  async writeFailure(page: PageResponse, error: TrackSyncError, failure: FailureWrite, run?: ResultRun): Promise<PageResponse | undefined> {
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
      if (logId && this.schema.fields.executionLogs) values.executionLogs = [...new Set([...arrayOf(decodeFields(this.schema, page).executionLogs), logId])];
    }
    return this.#write(page.id, values);
  }

  async #appendReport(pageId: string, report: readonly BlockRequest[], run: ResultRun): Promise<void> {
    if (report.length === 0) return;
    const tag = `run ${run.itemId}.${run.generation}`;
    const batchSize = 99; // one slot per batch for the heading that carries the batch's marker
    for (let i = 0, part = 1; i < report.length; i += batchSize, part += 1) {
      const marker = `${tag} part ${part}`;
      const head = part === 1 ? heading(`tracksync report · ${humanTime(this.#d.clock.now())} · ${marker}`) : paragraph(`(report continued · ${marker})`);
      const batch = [head, ...report.slice(i, i + batchSize)];
      await run.stage(`writeback:report:${part}`, 'report', async () => {
        await this.#d.notion.appendBlocks(pageId, batch, marker);
        return true;
      });
    }
  }

  async #createExecutionLog(page: PageResponse, run: ResultRun, outcome: { status: string; summary: string; errorCount: number }): Promise<string | undefined> {
    const logs = this.#d.schemas.executionLogs;
    if (!logs) return undefined;
    const { notion, clock } = this.#d;
    const now = clock.now();
    const name = `tracksync · ${this.title(page).slice(0, 120)} · ${humanTime(run.startedAt)} · run ${run.itemId}.${run.generation}`;
    const status = outcome.status === 'completed' ? (outcome.errorCount > 0 ? 'Partial' : 'Success') : 'Failed';
    return run.stage('writeback:execution-log', 'execution-log', async () => {
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
      const created = await notion.createPage({ parent: { data_source_id: logs.dataSourceId }, properties: encodeFields(logs, values) as never }, async () => {
        for await (const existing of notion.queryPages(logs.dataSourceId, { filter: { property: logs.fields.name!.name, title: { equals: name } } as NotionFilter, sort: 'created_time' })) return existing;
        return undefined;
      });
      return created.id;
    });
  }

  /** The legacy RETURN handoff file, when a folder is configured (handoff.returnFolder). */
  async #writeReturnFile(page: PageResponse, status: string, summary: string, tracks: readonly TrackLine[], run: ResultRun): Promise<void> {
    const folder = this.#d.config.handoff.returnFolder;
    if (!folder) return;
    await run.stage('writeback:return-file', 'return-file', () =>
      writeReturnFile(folder, { taskId: page.id, taskTitle: this.title(page), taskUrl: page.url, status, summary, tracks, when: new Date(this.#d.clock.now()) }),
    );
  }

  /** Optional: a "Review: <title>" task for a person, never twice for one task (handoff.reviewTask). */
  async #createReviewTask(page: PageResponse, run: ResultRun): Promise<void> {
    if (!this.#d.config.handoff.reviewTask) return;
    const { notion, config } = this.#d;
    const { fields, dataSourceId } = this.schema;
    const name = `Review: ${this.title(page)}`.slice(0, 200);
    const find = async (): Promise<PageResponse | undefined> => {
      const filter = fields.description
        ? { and: [{ property: fields.title!.name, title: { equals: name } }, { property: fields.description.name, rich_text: { contains: page.id } }] }
        : { property: fields.title!.name, title: { equals: name } };
      for await (const existing of notion.queryPages(dataSourceId, { filter: filter as NotionFilter, sort: 'created_time' })) return existing;
      return undefined;
    };
    await run.stage('writeback:review-task', 'review-task', async () => {
      if (await find()) return true;
      const values: TaskValues = {
        title: name,
        status: config.routing.readyStatus,
        description: `Review what tracksync did for "${this.title(page)}" (${page.url}, task id ${page.id}): the report on that page lists every track, its BPM, key and files.`,
      };
      if (fields.priority?.options.includes('High')) values.priority = 'High';
      if (fields.taskType?.options.includes('Review Task')) values.taskType = 'Review Task';
      await notion.createPage({ parent: { data_source_id: dataSourceId }, properties: encodeFields(this.schema, values) as never }, find);
      return true;
    });
  }

  async #write(pageId: string, values: TaskValues): Promise<PageResponse> {
    return this.#d.notion.updatePage(pageId, encodeFields(this.schema, values), (page) => pageHasValues(this.schema, page, values));
  }

  async #readOrGone(pageId: string): Promise<PageResponse | undefined> {
    try {
      const page = await this.#d.notion.retrievePage(pageId);
      return page.in_trash ? undefined : page;
    } catch (error) {
      if (error instanceof TrackSyncError && error.code === 'NOTION_NOT_FOUND') return undefined;
      throw error;
    }
  }
}

function arrayOf(value: FieldValue | undefined): string[] {
  return Array.isArray(value) ? [...value] : [];
}
