import { request as httpRequest, createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { TrackSyncError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { EgressProxy, type EgressSession } from '../../src/net/egress-proxy.js';
import { AllowList, HostGuard, privateRange, type LookupAll } from '../../src/net/hosts.js';

/** A resolver that answers from a table: public names that resolve to private addresses, as DNS can be made to. */
const table =
  (entries: Record<string, string[]>): LookupAll =>
  async (name) => {
    const found = entries[name];
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
    return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

async function refusal(promise: Promise<unknown>): Promise<TrackSyncError> {
  try {
    await promise;
  } catch (error) {
    return error as TrackSyncError;
  }
  throw new Error('expected a refusal');
}

describe('which addresses tracksync may fetch from', () => {
  it('knows every private, local and special range, in IPv4, IPv6 and IPv4 inside IPv6', () => {
    for (const address of [
      '127.0.0.1',
      '127.255.255.254',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '0.0.0.0',
      '100.64.0.1',
      '224.0.0.1',
      '255.255.255.255',
    ]) {
      expect(privateRange(address), address).not.toBeNull();
    }
    for (const address of [
      '::1',
      '::',
      'fc00::1',
      'fd12:3456::1',
      'fe80::1',
      'ff02::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:a9fe:a9fe',
      '::127.0.0.1',
      '64:ff9b::a00:1',
      '2002:c0a8:101::1',
    ]) {
      expect(privateRange(address), address).not.toBeNull();
    }
    for (const address of [
      '93.184.216.34',
      '1.1.1.1',
      '172.32.0.1',
      '192.169.0.1',
      '2606:4700::1111',
      '::ffff:8.8.8.8',
      '2002:0808:0808::1',
    ]) {
      expect(privateRange(address), address).toBeNull();
    }
    expect(privateRange('169.254.169.254')).toContain('metadata');
  });

  it('checks every address a name resolves to, and names the host and the setting in the refusal', async () => {
    const guard = new HostGuard(
      AllowList.parse([]),
      table({
        'cdn.example': ['93.184.216.34'],
        'rebind.example': ['93.184.216.34', '10.0.0.5'],
        'metadata.example': ['169.254.169.254'],
      }),
    );
    await expect(guard.checkUrl('https://cdn.example/a.mp3')).resolves.toMatchObject({
      host: 'cdn.example',
      port: 443,
    });
    const mixed = await refusal(guard.checkUrl('https://rebind.example/a.mp3'));
    expect(mixed).toMatchObject({ code: 'SOURCE_FORBIDDEN', kind: 'permanent' });
    expect(mixed.message).toContain('"rebind.example"');
    expect(mixed.message).toContain('10.0.0.5');
    expect(mixed.message).toContain('TRACKSYNC_ALLOW_PRIVATE_HOSTS');
    expect((await refusal(guard.checkUrl('http://metadata.example/latest/'))).message).toContain('169.254.0.0/16');
    // Numeric spellings are read as the resolver reads them.
    for (const url of [
      'http://0x7f000001/',
      'http://2130706433/',
      'http://017700000001/',
      'http://127.1/',
      'http://[::1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://localhost./',
      'http://a.b.localhost/',
    ]) {
      expect((await refusal(guard.checkUrl(url))).code, url).toBe('SOURCE_FORBIDDEN');
    }
    expect(await refusal(guard.checkUrl('ftp://cdn.example/a.mp3'))).toMatchObject({ code: 'SOURCE_FORBIDDEN' });
    // A name that does not resolve is retried later (offline looks the same as a host that does not exist).
    expect(await refusal(guard.checkUrl('https://nowhere.example/'))).toMatchObject({
      code: 'NETWORK_UNREACHABLE',
      kind: 'transient',
      message: expect.stringMatching(/^network unreachable: nowhere.example cannot be found/),
    });
  });

  it('allows what the user allowed: a name, an address, host:port only on that port, or everything', async () => {
    const lookup = table({ 'nas.local': ['192.168.1.20'], 'media.test': ['127.0.0.1'] });
    const guard = new HostGuard(AllowList.parse(['nas.local', '127.0.0.1:8080, [::1]:9000']), lookup);
    await expect(guard.checkUrl('http://nas.local:5000/a.flac')).resolves.toMatchObject({
      addresses: [{ address: '192.168.1.20' }],
    });
    await expect(guard.checkUrl('http://127.0.0.1:8080/a.mp3')).resolves.toBeDefined();
    await expect(guard.checkUrl('http://media.test:8080/a.mp3')).resolves.toBeDefined(); // its address is allowed on that port
    await expect(guard.checkUrl('http://[::1]:9000/')).resolves.toBeDefined();
    expect((await refusal(guard.checkUrl('http://127.0.0.1:8081/a.mp3'))).code).toBe('SOURCE_FORBIDDEN');
    expect((await refusal(guard.checkUrl('http://[::1]:9001/'))).code).toBe('SOURCE_FORBIDDEN');
    await expect(new HostGuard(AllowList.parse(['*']), lookup).checkUrl('http://10.0.0.1/')).resolves.toBeDefined();
    expect(() => AllowList.parse(['http://nas.local/path'])).toThrow(/not a host name/);
  });
});

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
    // 127.0.0.2 refuses the connection (nothing listens there); the proxy goes on to 127.0.0.1 without asking DNS again.
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
