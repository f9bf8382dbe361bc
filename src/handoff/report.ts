import type { HandlerResult, TrackRunOutcome } from '../engine/contracts.js';
import type { Outcome, TaskOutcome, TrackOutcome } from '../domain/outcomes.js';
import { bold, bullet, heading, link, paragraph } from '../notion/blocks.js';
import { readText, readField } from '../notion/codecs.js';
import type { BlockRequest } from '../notion/gateway.js';
import type { ResolvedSchema } from '../notion/schema.js';

/** One track of a task's report. */
export interface TrackLine {
  readonly label: string;
  readonly pageUrl: string | null;
  readonly pageId: string | null;
  readonly succeeded: boolean;
  readonly outcome: string;
  readonly bpm: number | null;
  readonly key: string;
  readonly camelot: string;
  readonly paths: readonly string[];
  readonly reason: string | null;
  /** Where the audio came from (Download Source: "SoundCloud", "YouTube (Search)", ...), empty when unknown. */
  readonly source: string;
  /** The failure needs a person (credentials, a private playlist): the task becomes Blocked, not Failed. */
  readonly blocking: boolean;
}

const SUCCESS_OUTCOMES: ReadonlySet<string> = new Set<TrackOutcome | 'already-synced'>([
  'synced',
  'adopted',
  'already-synced',
]);
const BLOCKING_CODES = new Set([
  'SPOTIFY_UNAUTHORIZED',
  'SPOTIFY_APP_REFUSED',
  'SPOTIFY_PLAYLIST_NOT_OWNED',
  'SOURCE_PRIVATE',
  'TOOL_MISSING',
  'NOTION_FORBIDDEN',
  'CONFIG_INVALID',
]);

/** Every outcome in words: a new outcome (src/domain/outcomes.ts) does not compile until it has its words here. */
const OUTCOME_WORDS: Readonly<Record<Outcome, string>> = {
  synced: 'synced',
  adopted: 'files already on disk, adopted',
  'already-synced': 'already synced',
  'metadata-only': 'no audio source found (metadata written)',
  failed: 'failed',
  'will-retry': 'failed for now; tracksync retries it automatically',
  'locked-elsewhere': 'being processed by another machine',
  'not-eligible': 'not eligible',
  merged: 'merged into the row it duplicates',
  'no-handler': 'no handler takes it',
  completed: 'task completed',
  blocked: 'blocked: a person must act',
  gone: 'the page was deleted or is no longer shared',
  links: 'links looked for',
  imported: 'imported to Eagle',
  exported: 'playlists exported',
  read: 'feeds read',
};

/** The words of a known outcome; undefined for a word stored by an older version or a plug-in handler. */
function wordsOf(outcome: string): string | undefined {
  return Object.hasOwn(OUTCOME_WORDS, outcome) ? OUTCOME_WORDS[outcome as Outcome] : undefined;
}

/** An outcome code in words (reports, the CLI's progress and tables, the status page). */
export function outcomeWords(outcome: string): string {
  return wordsOf(outcome) ?? outcome.replaceAll('-', ' ');
}

export function trackLine(schema: ResolvedSchema<'tracks'>, run: TrackRunOutcome, fallbackLabel: string): TrackLine {
  const page = run.page;
  const title = page ? readText(schema, page, 'title') : '';
  const artist = page ? readText(schema, page, 'artistName') : '';
  const bpm = page ? readField(schema, page, 'bpm') : null;
  const paths = page
    ? (['m4aPath', 'aiffPath', 'wavPath'] as const).map((f) => readText(schema, page, f)).filter(Boolean)
    : [];
  const succeeded = run.state === 'done' && SUCCESS_OUTCOMES.has(run.outcome);
  const reason = run.error
    ? `${run.error.message} [${run.error.code}]`
    : run.outcome === 'metadata-only'
      ? 'no acceptable source: a search found no matching version'
      : null;
  return {
    label: title ? (artist ? `${artist} - ${title}` : title) : fallbackLabel,
    pageUrl: page?.url ?? null,
    pageId: page?.id ?? null,
    succeeded,
    outcome: run.outcome,
    bpm: typeof bpm === 'number' ? bpm : null,
    key: page ? readText(schema, page, 'key') : '',
    camelot: page ? readText(schema, page, 'camelot') : '',
    paths,
    source: page ? readText(schema, page, 'downloadSource') : '',
    reason: succeeded ? null : reason,
    blocking: run.error ? BLOCKING_CODES.has(run.error.code) : false,
  };
}

/** A line that never reached the pipeline (a bad URL, a duplicate, a private playlist). */
export function problemLine(label: string, reason: string, blocking = false): TrackLine {
  return {
    label,
    pageUrl: null,
    pageId: null,
    succeeded: false,
    outcome: 'failed',
    bpm: null,
    key: '',
    camelot: '',
    paths: [],
    source: '',
    reason,
    blocking,
  };
}

export function reportBlocks(lines: readonly TrackLine[], notes: readonly string[] = []): BlockRequest[] {
  const blocks: BlockRequest[] = [];
  const ok = lines.filter((l) => l.succeeded).length;
  blocks.push(paragraph(bold(`${ok} of ${lines.length} track(s) synced.`)));
  for (const line of lines) {
    const facts = [wordsOf(line.outcome) ?? line.outcome];
    if (line.bpm !== null) facts.push(`${line.bpm} BPM`);
    if (line.key) facts.push(line.camelot ? `${line.key} (${line.camelot})` : line.key);
    if (line.reason) facts.push(`reason: ${line.reason}`);
    blocks.push(bullet(line.pageUrl ? link(line.label, line.pageUrl) : line.label, ` · ${facts.join(' · ')}`));
    for (const path of line.paths) blocks.push(bullet('    ', { text: path, code: true }));
  }
  if (notes.length > 0) {
    blocks.push(heading('Notes', 3));
    for (const note of notes) blocks.push(bullet(note));
  }
  return blocks;
}

/**
 * Completed when everything asked for succeeded (or some did, the rest listed); Failed when nothing did; Blocked when a
 * person must act.
 */
export function taskOutcome(
  lines: readonly TrackLine[],
  what: string,
  notes: readonly string[] = [],
): HandlerResult<TaskOutcome> {
  const ok = lines.filter((l) => l.succeeded);
  const failed = lines.filter((l) => !l.succeeded);
  const failures = failed.map((l) => `${l.label} (${l.reason ?? wordsOf(l.outcome) ?? l.outcome})`);
  let taskStatus: TaskOutcome;
  let summary: string;
  if (lines.length === 0) {
    taskStatus = 'failed';
    summary = `Nothing to sync for ${what}.${notes.length ? ` ${notes.join(' ')}` : ''}`;
  } else if (ok.length === 0) {
    taskStatus = failed.some((l) => l.blocking) ? 'blocked' : 'failed';
    summary = `${taskStatus === 'blocked' ? 'Blocked' : 'Failed'}: none of the ${lines.length} track(s) of ${what} synced: ${failures.join('; ')}.`;
  } else {
    taskStatus = 'completed';
    summary = `Synced ${ok.length} of ${lines.length} track(s) of ${what}${failed.length ? `; not synced: ${failures.join('; ')}` : ''}. The report below lists BPM, key and files per track.`;
  }
  return {
    outcome: taskStatus,
    taskStatus,
    summary,
    report: reportBlocks(lines, notes),
    details: { errorCount: failed.length, tracks: lines },
  };
}
