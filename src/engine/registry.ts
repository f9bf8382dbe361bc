import { pathToFileURL } from 'node:url';
import type { Config } from '../config/load.js';
import { ConfigError } from '../errors.js';
import { isJobHandler, type AnyHandler, type Handler, type ItemInput, type SourceKey } from './contracts.js';

/**
 * Picks the handler for an item: the first registered handler of the item's source that accepts it.
 * Built-in handlers come first, then the user's modules from the config file (`handlers: ["./my-handler.js"]`),
 * each of which default-exports a Handler or an array of them.
 */
export class HandlerRegistry {
  readonly #handlers: AnyHandler[] = [];

  constructor(handlers: readonly AnyHandler[] = []) {
    for (const handler of handlers) this.register(handler);
  }

  register(handler: AnyHandler): void {
    if (this.#handlers.some((h) => h.name === handler.name))
      throw new ConfigError([`two handlers are named "${handler.name}"; handler names must be unique`]);
    this.#handlers.push(handler);
  }

  get all(): readonly AnyHandler[] {
    return this.#handlers;
  }

  /** The queues the handlers serve: polled source keys, local queue names and job queue names. */
  queues(): string[] {
    return [...new Set(this.#handlers.map((h) => (isJobHandler(h) ? h.queue : (h.queue ?? h.source))))];
  }

  /** The job queues, one per job handler's queue. */
  jobQueues(): string[] {
    return [...new Set(this.#handlers.filter(isJobHandler).map((h) => h.queue))];
  }

  /** The handler of a local or job queue (the first registered). */
  forQueue(queue: string): AnyHandler | undefined {
    return this.#handlers.find((h) => h.queue === queue);
  }

  byName(name: string): AnyHandler | undefined {
    return this.#handlers.find((h) => h.name === name);
  }

  find<S extends SourceKey>(input: ItemInput<S>, config: Config): Handler<S> | undefined {
    return this.#handlers.find(
      (h): h is Handler =>
        !isJobHandler(h) && h.queue === undefined && h.source === input.source && h.accepts(input as never, config),
    ) as Handler<S> | undefined;
  }
}

/** Loads the user's handler modules named in the config file. A module that is not a handler is a config error. */
export async function loadUserHandlers(paths: readonly string[]): Promise<Handler[]> {
  const handlers: Handler[] = [];
  const problems: string[] = [];
  for (const path of paths) {
    try {
      const module = (await import(pathToFileURL(path).href)) as { default?: unknown };
      const exported = Array.isArray(module.default) ? module.default : [module.default];
      for (const candidate of exported) {
        if (isHandler(candidate)) handlers.push(candidate);
        else
          problems.push(
            `handler module "${path}": its default export is not a handler (expected { name, source: "tracks" | "tasks", accepts(), run() })`,
          );
      }
    } catch (error) {
      problems.push(`handler module "${path}" failed to load: ${(error as Error).message}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return handlers;
}

function isHandler(value: unknown): value is Handler {
  const h = value as Partial<Handler> | null;
  return (
    typeof h?.name === 'string' &&
    (h.source === 'tracks' || h.source === 'tasks') &&
    typeof h.accepts === 'function' &&
    typeof h.run === 'function'
  );
}
