import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';

/**
 * A local Eagle, following Eagle's public API documentation (api.eagle.cool): `{status: "success", data}` answers,
 * the token in the query string, addFromPath copying the file into the library (images/<id>.info/<name>.<ext>),
 * folders with children, a paged item list, update replacing an item's tags, move to trash.
 */

interface Item {
  id: string;
  name: string;
  ext: string;
  tags: string[];
  folders: string[];
  url: string;
  annotation: string;
  isDeleted: boolean;
  modificationTime: number;
}

interface Folder {
  id: string;
  name: string;
  children: Folder[];
}

export interface EagleServer {
  readonly url: string;
  readonly libraryPath: string;
  items(): Item[];
  folders(): Folder[];
  /** Stop answering (as when the app is closed), or answer again. */
  setRunning(running: boolean): void;
  requests(): string[];
  close(): Promise<void>;
}

export async function startEagleServer(options: {
  libraryPath: string;
  token?: string;
  port?: number;
}): Promise<EagleServer> {
  const items = new Map<string, Item>();
  const roots: Folder[] = [];
  const log: string[] = [];
  let running = true;
  const id = (): string => randomUUID().replaceAll('-', '').slice(0, 13).toUpperCase();
  const findFolder = (list: Folder[], wanted: string): Folder | undefined => {
    for (const f of list) {
      if (f.id === wanted) return f;
      const inner = findFolder(f.children, wanted);
      if (inner) return inner;
    }
    return undefined;
  };
  mkdirSync(join(options.libraryPath, 'images'), { recursive: true });

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://eagle.local');
      log.push(`${req.method} ${url.pathname}`);
      if (!running) {
        req.socket.destroy();
        return;
      }
      const send = (data: unknown, status = 200): void => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(status === 200 ? { status: 'success', data } : { status: 'error', message: data }));
      };
      if (options.token && url.searchParams.get('token') !== options.token) return send('Invalid token', 401);
      let body: Record<string, unknown> = {};
      if (req.method === 'POST') {
        let text = '';
        for await (const chunk of req) text += String(chunk);
        body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      }
      switch (url.pathname) {
        case '/api/application/info':
          return send({ version: '4.0.0', buildVersion: 'local', platform: 'darwin' });
        case '/api/library/info':
          return send({ library: { path: options.libraryPath, name: 'Music' } });
        case '/api/folder/list':
          return send(roots);
        case '/api/folder/create': {
          const folder: Folder = { id: id(), name: String(body.folderName), children: [] };
          const parent = typeof body.parent === 'string' ? findFolder(roots, body.parent) : undefined;
          if (body.parent && !parent) return send('parent folder not found', 400);
          (parent ? parent.children : roots).push(folder);
          return send(folder);
        }
        case '/api/item/addFromPath': {
          const item: Item = {
            id: id(),
            name: String(body.name),
            ext: extname(String(body.path)).slice(1),
            tags: Array.isArray(body.tags) ? body.tags.map(String) : [],
            folders: typeof body.folderId === 'string' ? [body.folderId] : [],
            url: String(body.website ?? ''),
            annotation: String(body.annotation ?? ''),
            isDeleted: false,
            modificationTime: Date.now(),
          };
          const dir = join(options.libraryPath, 'images', `${item.id}.info`);
          mkdirSync(dir, { recursive: true });
          try {
            copyFileSync(String(body.path), join(dir, `${item.name}.${item.ext}`));
          } catch {
            return send(`file not found: ${String(body.path)}`, 400);
          }
          items.set(item.id, item);
          return send(item.id);
        }
        case '/api/item/info': {
          const item = items.get(url.searchParams.get('id') ?? '');
          return item ? send(item) : send('item not found', 404);
        }
        case '/api/item/list': {
          const limit = Number(url.searchParams.get('limit') ?? 200);
          const offset = Number(url.searchParams.get('offset') ?? 0);
          const live = [...items.values()].filter((i) => !i.isDeleted);
          return send(live.slice(offset * limit, offset * limit + limit));
        }
        case '/api/item/update': {
          const item = items.get(String(body.id));
          if (!item) return send('item not found', 404);
          if (Array.isArray(body.tags)) item.tags = body.tags.map(String); // replaces, as Eagle does
          return send(item);
        }
        case '/api/item/moveToTrash':
          for (const itemId of (body.itemIds as string[] | undefined) ?? []) {
            const item = items.get(itemId);
            if (item) item.isDeleted = true;
          }
          return send(null);
        default:
          return send(`no endpoint ${url.pathname}`, 404);
      }
    })().catch((error: unknown) => {
      res.writeHead(500);
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    libraryPath: options.libraryPath,
    items: () => [...items.values()],
    folders: () => roots,
    setRunning: (value) => {
      running = value;
    },
    requests: () => [...log],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
