import { request as httpRequest, createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { silentLogger } from '../../src/log.js';
import { EgressProxy, type EgressSession } from '../../src/net/egress-proxy.js';
import { AllowList, HostGuard, type LookupAll } from '../../src/net/hosts.js';
import { table } from '../helpers/net.js';

describe('the egress proxy yt-dlp goes through', () => {
  let server: Server;
  let port: number;
  const bodies: Record<string, { status: number; headers?: Record<string, string>; body?: Buffer; endless?: boolean }> =
    {};
  beforeAll(async () => {
    server = createServer((req, res) => {
      const answer = bodies[req.url ?? ''] ?? { status: 404 };
      res.writeHead(answer.status, answer.headers ?? {});
      if (!answer.endless) return void res.end(answer.body ?? '');
      const chunk = Buffer.alloc(64 * 1024, 7);
      const pump = (): void => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      res.on('error', () => undefined);
      pump();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => server.close());

  const proxyFor = (allow: string[], lookup: LookupAll = table({})) =>
    new EgressProxy(new HostGuard(AllowList.parse(allow), lookup), silentLogger());

  /** An http request through the proxy, as yt-dlp's urllib sends one (absolute URL, Basic proxy credentials). */
  function viaProxy(session: EgressSession, url: string): Promise<{ status: number; body: string }> {
    const proxy = new URL(session.proxyUrl);
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        {
          host: proxy.hostname,
          port: proxy.port,
          path: url,
          headers: {
            host: new URL(url).host,
            'proxy-authorization': `Basic ${Buffer.from(`${proxy.username}:${proxy.password}`).toString('base64')}`,
          },
        },
        (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  /** A CONNECT through the proxy (how https goes): the status line it answers. */
  function tunnel(session: EgressSession, target: string, auth = true): Promise<string> {
    const proxy = new URL(session.proxyUrl);
    return new Promise((resolve, reject) => {
      const socket = connect(Number(proxy.port), proxy.hostname, () => {
        const credentials = auth
          ? `Proxy-Authorization: Basic ${Buffer.from(`${proxy.username}:${proxy.password}`).toString('base64')}\r\n`
          : '';
        socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n${credentials}\r\n`);
      });
      socket.once('data', (chunk: Buffer) => {
        resolve(chunk.toString().split('\r\n')[0]!);
        socket.destroy();
      });
      socket.on('error', reject);
    });
  }

  it('passes allowed hosts, refuses the others and remembers why, and asks for its credentials', async () => {
    bodies['/ok'] = { status: 200, body: Buffer.from('fine') };
    const proxy = proxyFor([`127.0.0.1:${port}`]);
    const session = await proxy.session();
    expect(await viaProxy(session, `http://127.0.0.1:${port}/ok`)).toEqual({ status: 200, body: 'fine' });
    expect(session.refusal).toBeUndefined();
    expect(session.bytes).toBe(4);
    expect(await tunnel(session, `127.0.0.1:${port}`)).toBe('HTTP/1.1 200 Connection Established');
    expect(await tunnel(session, `127.0.0.1:${port + 1}`)).toBe('HTTP/1.1 403 Forbidden');
    expect(session.refusal).toMatchObject({ code: 'SOURCE_FORBIDDEN' });
    expect(session.refusal!.message).toContain(`127.0.0.1:${port + 1}`);
    expect(await tunnel(session, `127.0.0.1:${port}`, false)).toBe('HTTP/1.1 407 Proxy Authentication Required');
    session.close();
    // A closed session's credentials no longer work.
    expect(await tunnel(session, `127.0.0.1:${port}`)).toBe('HTTP/1.1 407 Proxy Authentication Required');
    await proxy.close();
  });

  it('connects to the address it checked, so a name that resolves elsewhere later cannot reach this machine', async () => {
    bodies['/where'] = { status: 200, body: Buffer.from('the allowed server') };
    // "media.test" is allowed by name and resolves to the allowed server; "evil.test" resolves to this machine.
    const proxy = proxyFor(['media.test'], table({ 'media.test': ['127.0.0.1'], 'evil.test': ['127.0.0.1'] }));
    const session = await proxy.session();
    expect(await viaProxy(session, `http://media.test:${port}/where`)).toEqual({
      status: 200,
      body: 'the allowed server',
    });
    expect((await viaProxy(session, `http://evil.test:${port}/where`)).status).toBe(403);
    expect(session.refusal!.message).toContain('"evil.test"');
    await proxy.close();
  });

  it('tries every checked address in turn, as a client on a dual-stack host would', async () => {
    bodies['/second'] = { status: 200, body: Buffer.from('reached the second address') };
    // 127.0.0.2 refuses the connection (nothing listens there); the proxy goes on to 127.0.0.1 without asking DNS
    // again.
    const proxy = proxyFor(['*'], table({ 'two.test': ['127.0.0.2', '127.0.0.1'] }));
    const session = await proxy.session();
    expect(await viaProxy(session, `http://two.test:${port}/second`)).toEqual({
      status: 200,
      body: 'reached the second address',
    });
    expect(await tunnel(session, `two.test:${port}`)).toBe('HTTP/1.1 200 Connection Established');
    await proxy.close();
  });

  it('stops a plain-http redirect to another scheme, and cuts a response at the byte cap', async () => {
    bodies['/to-file'] = { status: 302, headers: { location: 'file:///etc/passwd' } };
    bodies['/endless'] = { status: 200, headers: { 'content-type': 'audio/mpeg' }, endless: true };
    const proxy = proxyFor([`127.0.0.1:${port}`]);
    const redirect = await proxy.session();
    expect((await viaProxy(redirect, `http://127.0.0.1:${port}/to-file`)).status).toBe(403);
    expect(redirect.refusal!.message).toMatch(/redirects to "file:\/\/\/etc\/passwd"/);
    let cut = false;
    const capped = await proxy.session({ maxBytes: 1024 * 1024, onOverCap: () => (cut = true) });
    await viaProxy(capped, `http://127.0.0.1:${port}/endless`).catch(() => undefined);
    expect(cut).toBe(true);
    expect(capped.overCap).toBe(true);
    expect(capped.bytes).toBeGreaterThan(1024 * 1024);
    expect(await tunnel(capped, `127.0.0.1:${port}`)).toBe('HTTP/1.1 507 Insufficient Storage');
    await proxy.close();
  });
});
