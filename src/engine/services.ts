import type { ServiceRegistry } from './contracts.js';
import { TrackSyncError } from '../errors.js';

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
    // Permanent: a daemon built without a service its handlers need is a set-up mistake no retry can mend.
    if (!this.#services.has(name))
      throw new TrackSyncError(
        'CONFIG_INVALID',
        `service "${name}" is not registered in this daemon; register it where the daemon is built (src/cli/runtime.ts)`,
      );
    return this.#services.get(name) as T;
  }
}
