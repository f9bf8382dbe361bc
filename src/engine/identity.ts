import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Store } from '../../state/store.js';

/**
 * Who is doing the work. `daemonId` is stable for a state directory (kept in SQLite), so after a crash the restarted
 * daemon recognises its own Processing Lock and takes the row back at once; `bootId` changes on every start, so leases
 * of a dead process are released without waiting for them to expire.
 */
export interface Identity {
  readonly daemonId: string;
  readonly bootId: string;
  readonly pid: number;
  /** Host name without ":" (it separates the fields of the legacy lock value). */
  readonly host: string;
}

export function establishIdentity(store: Store, pid = process.pid, host = hostname()): Identity {
  let daemonId = store.getMeta('daemon_id');
  if (daemonId === undefined) {
    daemonId = randomUUID().replaceAll('-', '').slice(0, 8);
    store.setMeta('daemon_id', daemonId);
  }
  return { daemonId, bootId: randomUUID(), pid, host: host.replaceAll(':', '-') || 'localhost' };
}
