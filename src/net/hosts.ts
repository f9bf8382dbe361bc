import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { TrackSyncError } from '../errors.js';

/**
 * Where tracksync may fetch from. URLs come from Notion, which anyone in the workspace (or an agent) can write, so a
 * source URL may point at this Mac, the LAN or a cloud metadata service (169.254.169.254). Every host is resolved and
 * EVERY address it resolves to is checked; numeric spellings (0x7f000001, 2130706433, 017700000001, 127.1) are
 * normalised by the WHATWG URL parser first, the way the resolver would read them. Private and local addresses are
 * refused unless the user allowed the host (TRACKSYNC_ALLOW_PRIVATE_HOSTS / security.allowPrivateHosts).
 */

export type LookupAll = (hostname: string) => Promise<ReadonlyArray<{ address: string; family: number }>>;

/** The system resolver (getaddrinfo, as yt-dlp's and ffmpeg's own connections would use), every address. */
export const systemLookup: LookupAll = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** The setting names, for messages. */
export const ALLOW_SETTING = 'TRACKSYNC_ALLOW_PRIVATE_HOSTS (or security.allowPrivateHosts in the config file)';

/** Why an address is not public, or null when it is. */
export function privateRange(address: string): string | null {
  const family = isIP(address);
  if (family === 4) return privateV4(address);
  if (family === 6) return privateV6(address);
  return 'not an IP address';
}

function v4Number(address: string): number {
  return address.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

/** [first address, prefix length, description]: RFC 6890's special-purpose blocks a fetch must never reach. */
const V4_BLOCKS: ReadonlyArray<readonly [string, number, string]> = [
  ['0.0.0.0', 8, 'the unspecified "this network" range 0.0.0.0/8 (0.0.0.0 reaches this machine)'],
  ['10.0.0.0', 8, 'a private address (10.0.0.0/8)'],
  ['100.64.0.0', 10, 'a carrier-grade NAT / VPN address (100.64.0.0/10)'],
  ['127.0.0.0', 8, 'a loopback address (127.0.0.0/8, this machine)'],
  ['169.254.0.0', 16, 'a link-local address (169.254.0.0/16, where cloud metadata services answer)'],
  ['172.16.0.0', 12, 'a private address (172.16.0.0/12)'],
  ['192.0.0.0', 24, 'an IETF protocol address (192.0.0.0/24)'],
  ['192.168.0.0', 16, 'a private address (192.168.0.0/16)'],
  ['198.18.0.0', 15, 'a benchmarking address (198.18.0.0/15)'],
  ['224.0.0.0', 4, 'a multicast address (224.0.0.0/4)'],
  ['240.0.0.0', 4, 'a reserved address (240.0.0.0/4)'],
];

function privateV4(address: string): string | null {
  const n = v4Number(address);
  for (const [first, bits, why] of V4_BLOCKS) {
    const size = 2 ** (32 - bits);
    const start = v4Number(first);
    if (n >= start && n < start + size) return why;
  }
  return null;
}

/** The eight 16-bit groups of an IPv6 address (with an embedded dotted IPv4 tail expanded). */
function v6Groups(address: string): number[] {
  let text = address.toLowerCase();
  const dotted = text.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (dotted) {
    const n = v4Number(dotted[1]!);
    text = `${text.slice(0, -dotted[1]!.length)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = head ? head.split(':').filter(Boolean) : [];
  const right = tail ? tail.split(':').filter(Boolean) : [];
  const missing = 8 - left.length - right.length;
  return [...left, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...right].map((g) => parseInt(g, 16));
}

function v4FromGroups(high: number, low: number): string {
  return [high >>> 8, high & 0xff, low >>> 8, low & 0xff].join('.');
}

function privateV6(address: string): string | null {
  const g = v6Groups(address);
  if (g.every((x) => x === 0)) return 'the unspecified address (::)';
  if (g.slice(0, 7).every((x) => x === 0) && g[7] === 1) return 'the loopback address (::1, this machine)';
  // IPv4 inside IPv6: mapped (::ffff:a.b.c.d), compatible (::a.b.c.d), NAT64 (64:ff9b::/96), 6to4 (2002::/16).
  const embedded =
    g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff
      ? v4FromGroups(g[6]!, g[7]!)
      : g.slice(0, 6).every((x) => x === 0)
        ? v4FromGroups(g[6]!, g[7]!)
        : g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)
          ? v4FromGroups(g[6]!, g[7]!)
          : g[0] === 0x2002
            ? v4FromGroups(g[1]!, g[2]!)
            : null;
  if (embedded !== null) {
    const inner = privateV4(embedded);
    return inner ? `an IPv6 address carrying ${embedded}, ${inner}` : null;
  }
  if ((g[0]! & 0xfe00) === 0xfc00) return 'a unique local address (fc00::/7, the IPv6 private range)';
  if ((g[0]! & 0xffc0) === 0xfe80) return 'a link-local address (fe80::/10)';
  if ((g[0]! & 0xffc0) === 0xfec0) return 'a site-local address (fec0::/10)';
  if ((g[0]! & 0xff00) === 0xff00) return 'a multicast address (ff00::/8)';
  return null;
}

/** One allowed entry: a host name or address, and optionally one port. */
interface AllowEntry {
  readonly host: string;
  readonly port: number | null;
}

/** The allow list: `*` (everything), or `host` / `host:port` / `[v6]:port` entries, comma-separated. */
export class AllowList {
  readonly #all: boolean;
  readonly #entries: readonly AllowEntry[];

  private constructor(all: boolean, entries: readonly AllowEntry[]) {
    this.#all = all;
    this.#entries = entries;
  }

  static parse(values: readonly string[]): AllowList {
    const entries: AllowEntry[] = [];
    let all = false;
    for (const raw of values
      .flatMap((v) => v.split(','))
      .map((v) => v.trim())
      .filter(Boolean)) {
      if (raw === '*') {
        all = true;
        continue;
      }
      const entry = parseAllowEntry(raw);
      if (typeof entry === 'string') throw new TrackSyncError('CONFIG_INVALID', entry);
      entries.push(entry);
    }
    return new AllowList(all, entries);
  }

  get everything(): boolean {
    return this.#all;
  }

  /** Whether `host` (a URL's host name, or an address it resolved to) on `port` is allowed. */
  allows(host: string, port: number): boolean {
    if (this.#all) return true;
    const name = normaliseHost(host);
    return this.#entries.some((e) => e.host === name && (e.port === null || e.port === port));
  }
}

/** A problem with an entry (for the config loader), or the entry. */
export function parseAllowEntry(raw: string): AllowEntry | string {
  const text = raw.trim();
  const bare = isIP(text) === 6 ? { host: text, port: null } : undefined;
  if (bare) return { host: normaliseHost(bare.host), port: null };
  if (!URL.canParse(`http://${text}/`)) return `"${raw}" is not a host name, an address or host:port`;
  const url = new URL(`http://${text}/`);
  if (url.pathname !== '/' || url.username || url.password || url.search || url.hash)
    return `"${raw}" is not a host name, an address or host:port`;
  const port = /:\d+$/.test(text) ? Number(text.slice(text.lastIndexOf(':') + 1)) : null;
  return { host: normaliseHost(url.hostname), port };
}

/** Lower case, no brackets, numeric IPv4 spellings read as the resolver reads them ("0x7f000001" is 127.0.0.1). */
export function normaliseHost(host: string): string {
  const bare = host
    .replace(/^\[|\]$/g, '')
    .toLowerCase()
    .replace(/\.$/, '');
  if (isIP(bare) === 6) return bare;
  return URL.canParse(`http://${bare}/`) ? new URL(`http://${bare}/`).hostname.replace(/^\[|\]$/g, '') : bare;
}

export interface CheckedTarget {
  readonly host: string;
  readonly port: number;
  /** The addresses to connect to (already checked): connect to one of these, never resolve the name again. */
  readonly addresses: ReadonlyArray<{ address: string; family: number }>;
}

/**
 * The one check every outgoing fetch of untrusted input goes through: the URL checks in YtDlp (before yt-dlp runs)
 * and the egress proxy (every connection yt-dlp then makes, redirects and thumbnails included).
 */
export class HostGuard {
  readonly #allow: AllowList;
  readonly #lookup: LookupAll;

  constructor(allow: AllowList, lookup: LookupAll = systemLookup) {
    this.#allow = allow;
    this.#lookup = lookup;
  }

  /** Resolves `host` and checks every address; throws SOURCE_FORBIDDEN naming the host and the setting to change. */
  async check(host: string, port: number, what = 'the source'): Promise<CheckedTarget> {
    const name = normaliseHost(host);
    if (this.#allow.everything)
      return {
        host: name,
        port,
        addresses: isIP(name) ? [{ address: name, family: isIP(name) }] : await this.#resolve(name),
      };
    if (this.#allow.allows(name, port))
      return {
        host: name,
        port,
        addresses: isIP(name) ? [{ address: name, family: isIP(name) }] : await this.#resolve(name),
      };
    // RFC 6761: "localhost" and names under it are this machine, whatever a resolver says.
    if (name === 'localhost' || name.endsWith('.localhost'))
      throw forbidden(what, name, port, 'this machine (localhost)');
    const addresses = isIP(name) ? [{ address: name, family: isIP(name) }] : await this.#resolve(name);
    for (const { address } of addresses) {
      const why = privateRange(address);
      if (why && !this.#allow.allows(address, port))
        throw forbidden(what, name, port, address === name ? why : `${address}, ${why}`);
    }
    return { host: name, port, addresses };
  }

  /** A URL: only http and https, then the host check. */
  async checkUrl(url: string, what = 'the source'): Promise<CheckedTarget> {
    if (!URL.canParse(url)) throw new TrackSyncError('INVALID_VALUE', `${what} "${url.slice(0, 200)}" is not a URL`);
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new TrackSyncError(
        'SOURCE_FORBIDDEN',
        `${what} uses "${parsed.protocol}", and tracksync fetches only http and https URLs (${url.slice(0, 200)})`,
      );
    }
    return this.check(parsed.hostname, Number(parsed.port) || (parsed.protocol === 'https:' ? 443 : 80), what);
  }

  async #resolve(name: string): Promise<ReadonlyArray<{ address: string; family: number }>> {
    try {
      const found = await this.#lookup(name);
      if (found.length === 0) throw Object.assign(new Error(`no address for ${name}`), { code: 'ENOTFOUND' });
      return found;
    } catch (error) {
      // Transient: a Mac that is offline gets ENOTFOUND for every name, the same answer as for a name that does not
      // exist, and a whole library must not fail for good because the Wi-Fi was down.
      throw networkUnreachable(name, 'dns', error);
    }
  }
}

/** Why a host could not be reached, in words a person understands (the same for yt-dlp's messages and the proxy's). */
export const UNREACHABLE_REASONS = {
  dns: 'cannot be found (DNS): the name does not resolve',
  refused: 'refused the connection: nothing answers at that address',
  noRoute: 'cannot be reached (no route): the network is down or unreachable',
  timeout: 'did not answer in time',
} as const;

export type UnreachableReason = keyof typeof UNREACHABLE_REASONS;

/**
 * NETWORK_UNREACHABLE, transient: a Mac that is offline gets the same answers (no DNS, no route) for every host, and a
 * whole library must not fail for good because the Wi-Fi was down; it is never blamed on yt-dlp.
 */
export function networkUnreachable(host: string, reason: UnreachableReason, cause?: unknown): TrackSyncError {
  const why = `network unreachable: ${host} ${UNREACHABLE_REASONS[reason]}; check this Mac's internet connection (and the address, if only this host fails); tracksync tries again later`;
  return new TrackSyncError('NETWORK_UNREACHABLE', why, { cause, details: { host, processingTag: 'Download_Failed' } });
}

/** A connection that failed before it was made, by its errno code. */
export function unreachableError(host: string, error: NodeJS.ErrnoException): TrackSyncError {
  const code = error.code ?? '';
  const reason: UnreachableReason =
    code === 'ECONNREFUSED'
      ? 'refused'
      : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? 'dns'
        : code === 'ETIMEDOUT'
          ? 'timeout'
          : 'noRoute';
  return networkUnreachable(host, reason, error);
}

/** "host" for the default ports, "host:port" otherwise (as a person would type it). */
export function hostPort(host: string, port: number): string {
  const name = host.includes(':') ? `[${host}]` : host;
  return port === 80 || port === 443 ? name : `${name}:${port}`;
}

function forbidden(what: string, host: string, port: number, why: string): TrackSyncError {
  return new TrackSyncError(
    'SOURCE_FORBIDDEN',
    `${what} is on "${host}", which is ${why}: tracksync does not fetch from private or local addresses because of what is typed into Notion. If this host is yours (a NAS, a local server), add "${host}" or "${host}:${port}" to ${ALLOW_SETTING}`,
    { details: { host, port } },
  );
}
