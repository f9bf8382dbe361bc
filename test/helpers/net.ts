import { createServer } from 'node:net';
import type { LookupAll } from '../../src/net/hosts.js';

/** A port on 127.0.0.1 that nothing listens on: bound by us, then closed (a connection to it is refused). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A resolver that answers from a table: public names that resolve to private addresses, as DNS can be made to. */
export const table =
  (entries: Record<string, string[]>): LookupAll =>
  async (name) => {
    const found = entries[name];
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
    return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
