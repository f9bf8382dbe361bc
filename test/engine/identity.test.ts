import { join } from 'node:path';
import { establishIdentity } from '../../src/engine/identity.js';
import { Store } from '../../state/store.js';
import { tempDir } from '../helpers/tmp.js';

describe('who does the work (src/engine/identity.ts), on real SQLite files', () => {
  const dir = tempDir();

  it('keeps the daemon id of a state directory across restarts, and gives every start its own boot id', () => {
    const path = join(dir, 'one', 'tracksync.sqlite');
    let store = Store.open(path);
    const first = establishIdentity(store, 101, 'mac-studio');
    const second = establishIdentity(store, 102, 'mac-studio');
    store.close();
    store = Store.open(path);
    const afterRestart = establishIdentity(store, 103, 'mac-studio');
    store.close();
    // The restarted daemon recognises its own Processing Lock by this id, and takes its rows back at once.
    expect(second.daemonId).toBe(first.daemonId);
    expect(afterRestart.daemonId).toBe(first.daemonId);
    // It is the 8-character owner field of the lock value `<pid>:<host>:<owner>:<time>` (docs/notion-contract.md).
    expect(first.daemonId).toMatch(/^[0-9a-f]{8}$/);
    // Leases of an earlier process are told apart by the boot id, so they are released without waiting for expiry.
    expect(new Set([first.bootId, second.bootId, afterRestart.bootId]).size).toBe(3);
    expect(afterRestart.pid).toBe(103);
  });

  it('gives another state directory (another machine) another daemon id', () => {
    const ids = ['a', 'b'].map((name) => {
      const store = Store.open(join(dir, `machine-${name}`, 'tracksync.sqlite'));
      const id = establishIdentity(store).daemonId;
      store.close();
      return id;
    });
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('keeps ":" out of the host name, since it separates the fields of the lock value, and never leaves it empty', () => {
    const store = Store.open(join(dir, 'hosts', 'tracksync.sqlite'));
    try {
      expect(establishIdentity(store, 1, 'dj:studio:mac').host).toBe('dj-studio-mac');
      expect(establishIdentity(store, 1, '').host).toBe('localhost');
      expect(establishIdentity(store).pid).toBe(process.pid);
    } finally {
      store.close();
    }
  });
});
