import type { ServiceRegistry } from './contracts.js';

/** Long-lived services shared by handlers (media tools, Spotify, Eagle), registered by whoever builds the daemon. */
export class Services implements ServiceRegistry {
  readonly #services = new Map<string, unknown>();

  set<T>(name: string, service: T): this {
    this.#services.set(name, service);
    return this;
  }

  get<T>(name: string): T | undefined {
    return this.#services.get(name) as T | undefined;
  }

  require<T>(name: string): T {
    if (!this.#services.has(name)) throw new Error(`service "${name}" is not registered`);
    return this.#services.get(name) as T;
  }
}
