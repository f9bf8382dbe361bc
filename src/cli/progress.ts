import { createLogUpdate } from 'log-update';
import type { Store } from '../../state/store.js';
import type { EventBus } from '../events.js';
import { bytes, clock, span } from '../human.js';
import type { DownloadProgress } from '../media/ytdlp.js';
import { stepOfStage } from '../pipeline/steps.js';
import { colorsFor, isTerminal, print, type CliIO } from './io.js';
import { outcomeWords } from '../handoff/report.js';

/**
 * Work in progress that a person can follow. On a terminal (standard error, so results on standard output stay clean):
 * a live view redrawn in place by log-update (MIT), one line per item with its title, its step in words ("Downloading
 * 45 % 3.1 MiB/s ETA 0:04 · step 2 of 6") and its elapsed time, an overall "3 of 12" line, and a line kept for each
 * finished item. Elsewhere (a pipe, a log file, CI): plain lines, one when an item starts a new step and one when it
 * ends. Nothing with -q. No internal stage name or id is shown.
 */

type Finish = 'ok' | 'fail' | 'wait' | 'stopped';

interface Line {
  title: string;
  label: string;
  step?: { step: number; steps: number };
  download?: DownloadProgress;
  readonly startedAt: number;
}

/** How often the live view redraws at most; and the tick that moves the elapsed times along. */
const REDRAW_MS = 100;
const TICK_MS = 1000;

export class ProgressView {
  readonly #stream: NodeJS.WritableStream;
  readonly #mode: 'live' | 'plain' | 'off';
  readonly #now: () => number;
  readonly #lines = new Map<string | number | symbol, Line>();
  readonly #c: ReturnType<typeof colorsFor>;
  readonly #startedAt: number;
  readonly #noun: string;
  #total: number | undefined;
  #finished = 0;
  #failed = 0;
  #waiting = 0;
  #update: ReturnType<typeof createLogUpdate> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #pending: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(
    io: CliIO,
    options: { total?: number; noun?: string; now?: () => number; stream?: NodeJS.WritableStream; off?: boolean } = {},
  ) {
    this.#stream = options.stream ?? io.stderr;
    this.#now = options.now ?? Date.now;
    this.#startedAt = this.#now();
    this.#total = options.total;
    this.#noun = options.noun ?? 'track';
    // With -v the log lines share standard error: plain lines then, which interleave with them cleanly.
    this.#mode =
      io.quiet || options.off
        ? 'off'
        : isTerminal(this.#stream) && io.env.TERM !== 'dumb' && !io.verbose
          ? 'live'
          : 'plain';
    this.#c = colorsFor(io, this.#stream);
    if (this.#mode === 'live') {
      // A terminal that reports no size (0 columns: a pseudo-terminal nobody sized, as under `script`) is drawn at
      // 100 x 24, not at 0 columns, where log-update would cut every line away.
      const stream = this.#stream as NodeJS.WriteStream;
      const sized = {
        write: (text: string) => stream.write(text),
        get columns() {
          return stream.columns || 100;
        },
        get rows() {
          return stream.rows || 24;
        },
      };
      this.#update = createLogUpdate(sized as unknown as NodeJS.WriteStream);
      this.#timer = setInterval(() => this.#render(), TICK_MS);
      this.#timer.unref();
    }
  }

  get live(): boolean {
    return this.#mode === 'live';
  }

  setTotal(total: number): void {
    this.#total = total;
    this.#schedule();
  }

  /** An item starts: shown by its title from the start. */
  start(key: string | number, title: string, label = 'Waiting to start'): void {
    if (this.#lines.has(key)) return;
    this.#lines.set(key, { title, label, startedAt: this.#now() });
    this.#plain(`${this.#counter()}${title}: ${label}`);
    this.#schedule();
  }

  /** A new step, a better title or the download's numbers. */
  update(
    key: string | number,
    change: { title?: string; label?: string; step?: { step: number; steps: number }; download?: DownloadProgress },
  ): void {
    const line = this.#lines.get(key);
    if (!line) return;
    const newLabel = change.label !== undefined && change.label !== line.label;
    if (change.title) line.title = change.title;
    if (change.label !== undefined) line.label = change.label;
    if (change.step) line.step = change.step;
    line.download = change.download ?? (newLabel ? undefined : line.download);
    if (newLabel)
      this.#plain(
        `${this.#counter()}${line.title}: ${line.label}${line.step ? ` (step ${line.step.step} of ${line.step.steps})` : ''}`,
      );
    // A new step is drawn at once, so even a step that takes a moment is seen; download numbers wait for the redraw.
    if (newLabel || change.title) this.#render();
    else this.#schedule();
  }

  /** An item ends: its line is kept above the live view ("✓ Title  synced in 42 s"). */
  finish(key: string | number | symbol, kind: Finish, text: string): void {
    const line = this.#lines.get(key);
    if (!line) return;
    this.#lines.delete(key);
    if (kind === 'fail') this.#failed += 1;
    if (kind === 'wait') this.#waiting += 1;
    this.#finished += 1;
    const took = span(this.#now() - line.startedAt);
    const symbol = {
      ok: this.#c.green('✓'),
      fail: this.#c.red('✗'),
      wait: this.#c.yellow('…'),
      stopped: this.#c.dim('-'),
    }[kind];
    this.note(
      `${symbol} ${line.title}  ${kind === 'fail' ? this.#c.red(text) : text}${kind === 'ok' ? ` in ${took}` : ''}`,
    );
  }

  /** An item that ended without ever starting (already synced, a bad URL): counted and kept like a finished one. */
  ended(title: string, kind: Finish, text: string): void {
    const key = Symbol(title);
    this.#lines.set(key, { title, label: '', startedAt: this.#now() });
    this.finish(key, kind === 'ok' ? 'stopped' : kind, text);
  }

  /** A line kept on screen (a finished item, a playlist expanded); plain mode prints it as it is. */
  note(text: string): void {
    if (this.#mode === 'off') return;
    if (this.#stopped) return print(this.#stream, text);
    if (this.#mode === 'plain') return print(this.#stream, text);
    this.#update!.clear();
    print(this.#stream, text);
    this.#render();
  }

  /** Stops the live view; the overall line stays. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    if (this.#pending) clearTimeout(this.#pending);
    this.#timer = undefined;
    this.#pending = undefined;
    if (this.#mode === 'live') {
      this.#update!.clear();
      print(this.#stream, this.#overall());
      this.#update!.done();
    } else if (this.#mode === 'plain' && this.#finished > 0) {
      print(this.#stream, this.#overall());
    }
  }

  #counter(): string {
    return this.#total ? `[${Math.min(this.#finished + this.#lines.size, this.#total)}/${this.#total}] ` : '';
  }

  #plain(text: string): void {
    if (this.#mode === 'plain') print(this.#stream, text);
  }

  #schedule(): void {
    if (this.#mode !== 'live' || this.#pending) return;
    this.#pending = setTimeout(() => {
      this.#pending = undefined;
      this.#render();
    }, REDRAW_MS);
    this.#pending.unref();
  }

  #overall(): string {
    const total = this.#total ?? this.#finished + this.#lines.size;
    const parts = [`${this.#finished} of ${total} ${this.#noun}${total === 1 ? '' : 's'} done`];
    if (this.#failed > 0) parts.push(this.#c.red(`${this.#failed} failed`));
    if (this.#waiting > 0) parts.push(this.#c.yellow(`${this.#waiting} waiting to retry`));
    parts.push(clock(this.#now() - this.#startedAt));
    return parts.join(' · ');
  }

  #render(): void {
    if (this.#mode !== 'live' || !this.#update) return;
    const width = Math.max(40, (this.#stream as { columns?: number }).columns || 100);
    const rows: string[] = [];
    for (const line of this.#lines.values()) {
      const status = [line.label, ...(line.download ? [downloadText(line.download)] : [])].join(' ');
      const step = line.step ? this.#c.dim(` · step ${line.step.step} of ${line.step.steps}`) : '';
      const elapsed = this.#c.dim(` · ${clock(this.#now() - line.startedAt)}`);
      const titleWidth = Math.max(16, Math.min(48, width - status.length - 30));
      rows.push(`${this.#c.cyan('›')} ${fit(line.title, titleWidth)}  ${status}${step}${elapsed}`);
    }
    rows.push(this.#c.bold(this.#overall()));
    this.#update(rows.join('\n'));
  }
}

/** "45 % 3.1 MiB/s ETA 0:04", with what yt-dlp knows so far. */
export function downloadText(d: DownloadProgress): string {
  const parts = [`${Math.floor(d.percent)} %`];
  if (d.bytesPerSecond !== null && d.bytesPerSecond > 0) parts.push(`${bytes(d.bytesPerSecond)}/s`);
  if (d.etaSeconds !== null && d.percent < 100) parts.push(`ETA ${clock(d.etaSeconds * 1000)}`);
  else if (d.totalBytes !== null) parts.push(`of ${bytes(d.totalBytes)}`);
  return parts.join(' ');
}

function fit(text: string, width: number): string {
  const chars = [...text];
  return chars.length > width ? `${chars.slice(0, width - 1).join('')}…` : text + ' '.repeat(width - chars.length);
}

/**
 * Follows a daemon's items in `view`: claimed items appear by title, their steps and downloads move their line,
 * their end is kept with its outcome in words. Returns the function that stops following.
 */
export function followItems(events: EventBus, store: Store, view: ProgressView): () => void {
  const titleOf = (itemId: number): string => readableTitle(store.items.getItem(itemId)?.title);
  // Items whose handler reports its steps (item:progress): their stages are not mapped to steps as well.
  const reporting = new Set<number>();
  const offs = [
    events.on('item:claimed', (e) => {
      // The rows and tasks asked for. A row's follow-up work (its link lookup, an Eagle import that waited) is an item
      // of a local queue that runs after it: not a track of its own, so not counted here (tracksync status shows it).
      if (e.source !== 'tracks' && e.source !== 'tasks') return;
      view.start(e.itemId, titleOf(e.itemId), e.source === 'tasks' ? 'Working on the task' : 'Starting');
    }),
    events.on('stage:start', (e) => {
      // Handlers that report no steps of their own (a task, a user's handler): the stage's step when it has one.
      const step = reporting.has(e.itemId) ? undefined : stepOfStage(e.stage);
      if (step) view.update(e.itemId, { label: step.label, step });
    }),
    events.on('item:progress', (e) => {
      reporting.add(e.itemId);
      view.update(e.itemId, {
        label: e.label,
        step: { step: e.step, steps: e.steps },
        ...(e.title ? { title: e.title } : {}),
        ...(e.download ? { download: e.download } : {}),
      });
    }),
    events.on('item:done', (e) => view.finish(e.itemId, 'ok', outcomeWords(e.outcome))),
    events.on('item:failed', (e) => view.finish(e.itemId, 'fail', `failed: ${e.message}`)),
    events.on('item:retry', (e) =>
      view.finish(e.itemId, 'wait', `${e.message}; tried again in ${span(e.nextAttemptAt - Date.now())}`),
    ),
    events.on('item:released', (e) => view.finish(e.itemId, 'stopped', 'stopped; it resumes at the next run')),
  ];
  return () => offs.forEach((off) => off());
}

/**
 * A row's title for a person. A row that names only its source is stored as "(https://…)" (daemon/sources/tracks.ts):
 * it is shown by the last part of its URL ("night-bus" for …/audio/night-bus.mp3, "artist/track" for a SoundCloud
 * link) until the pipeline learns the real title.
 */
export function readableTitle(title: string | undefined): string {
  if (!title) return 'a Notion row';
  const url = title.match(/^\((https?:\/\/[^)]+)\)$/)?.[1];
  if (!url || !URL.canParse(url)) return title;
  const { hostname, pathname } = new URL(url);
  const parts = pathname
    .split('/')
    .filter(Boolean)
    .map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return p;
      }
    });
  const last = parts.at(-1)?.replace(/\.[a-z0-9]{2,4}$/i, '');
  if (!last) return hostname;
  return hostname.endsWith('soundcloud.com') && parts.length >= 2 ? `${parts.at(-2)}/${last}` : last;
}
