import { TrackSyncError } from '../../src/errors.js';
import { AllowList, HostGuard, privateRange } from '../../src/net/hosts.js';
import { table } from '../helpers/net.js';

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
