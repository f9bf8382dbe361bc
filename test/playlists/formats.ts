import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';

/**
 * Checks written playlists the way the apps read them: the M3U8 line by line, the rekordbox xml with a real XML parser
 * (fast-xml-parser) against the structure rekordbox's format document lists (xml_format_list.pdf: DJ_PLAYLISTS >
 * PRODUCT, COLLECTION Entries > TRACK with Location; PLAYLISTS > NODE Type 0 folders with Count, Type 1 playlists with
 * KeyType and Entries > TRACK Key). Every path must be an existing file.
 */

export interface M3uParsed {
  readonly name: string | undefined;
  readonly entries: ReadonlyArray<{ readonly seconds: number; readonly label: string; readonly path: string }>;
}

export function parseM3u8(path: string): M3uParsed {
  const bytes = readFileSync(path);
  // UTF-8 without a byte order mark, every line ending in \n.
  expect(bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(false);
  const text = bytes.toString('utf8');
  expect(Buffer.from(text, 'utf8').equals(bytes)).toBe(true);
  expect(text.endsWith('\n')).toBe(true);
  const lines = text.slice(0, -1).split('\n');
  expect(lines[0]).toBe('#EXTM3U');
  let name: string | undefined;
  const entries: Array<{ seconds: number; label: string; path: string }> = [];
  let pending: { seconds: number; label: string } | undefined;
  for (const line of lines.slice(1)) {
    expect(line).not.toMatch(/[\r\u0000]/);
    if (line.startsWith('#PLAYLIST:')) name = line.slice('#PLAYLIST:'.length);
    else if (line.startsWith('#EXTINF:')) {
      const match = line.match(/^#EXTINF:(-?\d+),(.*)$/);
      expect(match, line).not.toBeNull();
      pending = { seconds: Number(match![1]), label: match![2]! };
    } else {
      expect(line.startsWith('#'), line).toBe(false);
      expect(pending, `a path without #EXTINF: ${line}`).toBeDefined();
      const full = isAbsolute(line) ? line : resolve(dirname(path), line);
      expect(existsSync(full), `${line} exists`).toBe(true);
      entries.push({ ...pending!, path: full });
      pending = undefined;
    }
  }
  expect(pending).toBeUndefined();
  return { name, entries };
}

export const TONALITIES = new Set([
  '',
  'C',
  'Am',
  'G',
  'Em',
  'D',
  'Bm',
  'A',
  'F#m',
  'E',
  'Dbm',
  'B',
  'Abm',
  'F#',
  'Ebm',
  'Db',
  'Bbm',
  'Ab',
  'Fm',
  'Eb',
  'Cm',
  'Bb',
  'Gm',
  'F',
  'Dm',
]);

type Attrs = Record<string, string>;
type Node = Attrs;

export interface RekordboxParsed {
  readonly product: Attrs;
  readonly tracks: ReadonlyMap<string, Attrs & { path: string }>;
  /** Playlist name -> TrackIDs, in order, under the "tracksync" folder. */
  readonly playlists: ReadonlyArray<{ readonly name: string; readonly keys: readonly string[] }>;
}

const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** "file://localhost/Users/x/My%20Song.aiff" -> "/Users/x/My Song.aiff". */
export function pathOfLocation(location: string): string {
  expect(location.startsWith('file://localhost/')).toBe(true);
  // Only unreserved characters, "/" and %XX escapes: what a URL path may hold unescaped.
  expect(location.slice('file://localhost'.length)).toMatch(/^(?:[A-Za-z0-9\-._~/]|%[0-9A-F]{2})+$/);
  return decodeURIComponent(location.slice('file://localhost'.length));
}

export function parseRekordbox(path: string, folderName = 'tracksync'): RekordboxParsed {
  const xml = readFileSync(path, 'utf8');
  expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
  expect(XMLValidator.validate(xml)).toBe(true);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseAttributeValue: false,
    isArray: (name) => ['TRACK', 'NODE'].includes(name),
  });
  const doc = parser.parse(xml) as {
    DJ_PLAYLISTS: Node & {
      PRODUCT: Attrs;
      COLLECTION: Attrs & { TRACK?: Attrs[] };
      PLAYLISTS: { NODE: Array<Node & { NODE?: Array<Node & { NODE?: Array<Node & { TRACK?: Attrs[] }> }> }> };
    };
  };
  const root = doc.DJ_PLAYLISTS;
  expect(root.Version).toBe('1.0.0');
  expect(root.PRODUCT.Name).toBeTruthy();
  expect(Object.keys(root).filter((k) => k === k.toUpperCase())).toEqual(['PRODUCT', 'COLLECTION', 'PLAYLISTS']);
  const collection = asArray(root.COLLECTION.TRACK);
  expect(Number(root.COLLECTION.Entries)).toBe(collection.length);
  const tracks = new Map<string, Attrs & { path: string }>();
  for (const t of collection) {
    expect(t.TrackID).toMatch(/^\d+$/);
    expect(tracks.has(t.TrackID!)).toBe(false);
    expect(t.Size).toMatch(/^\d+$/);
    expect(t.TotalTime).toMatch(/^\d+$/);
    expect(t.AverageBpm).toMatch(/^\d+\.\d{2}$/);
    expect(t.BitRate).toMatch(/^\d+$/);
    expect(t.SampleRate).toMatch(/^\d+$/);
    expect(t.DateAdded).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(t.Kind).toMatch(/^[A-Z0-9]+ File$/);
    expect(TONALITIES.has(t.Tonality ?? ''), `Tonality ${t.Tonality}`).toBe(true);
    const file = pathOfLocation(t.Location!);
    expect(existsSync(file), `${file} exists`).toBe(true);
    tracks.set(t.TrackID!, { ...t, path: file });
  }
  const rootNodes = root.PLAYLISTS.NODE;
  expect(rootNodes).toHaveLength(1);
  const top = rootNodes[0]!;
  expect([top.Type, top.Name]).toEqual(['0', 'ROOT']);
  expect(Number(top.Count)).toBe(asArray(top.NODE).length);
  const folder = asArray(top.NODE).find((n) => n.Name === folderName)!;
  expect(folder.Type).toBe('0');
  const nodes = asArray(folder.NODE);
  expect(Number(folder.Count)).toBe(nodes.length);
  const playlists = nodes.map((node) => {
    expect([node.Type, node.KeyType]).toEqual(['1', '0']);
    const keys = asArray(node.TRACK).map((t) => t.Key!);
    expect(Number(node.Entries)).toBe(keys.length);
    for (const key of keys)
      expect(tracks.has(key), `playlist "${node.Name}" key ${key} is in the collection`).toBe(true);
    return { name: node.Name!, keys };
  });
  return { product: root.PRODUCT, tracks, playlists };
}
