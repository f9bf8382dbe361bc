import { create } from 'xmlbuilder2';

/**
 * rekordbox xml: the DJ_PLAYLISTS document rekordbox imports under Preferences > Advanced > rekordbox xml, as its
 * format document describes it (rekordbox for developers, rekordbox.com/en/support/developer/, and its list of
 * elements, cdn.rekordbox.com/files/20200410160904/xml_format_list.pdf):
 *
 *   DJ_PLAYLISTS Version="1.0.0"
 *     PRODUCT Name Version Company            "This name will be displayed in each application software"
 *     COLLECTION Entries=<number of TRACK>
 *       TRACK TrackID Name Artist ... Location   "Location is essential for each track"
 *     PLAYLISTS
 *       NODE Type="0" Name="ROOT" Count=<children>          Type 0: a folder, Count: its items
 *         NODE Type="0" Name="tracksync" Count=<playlists>
 * NODE Type="1" Name=<playlist> KeyType="0" Entries=<n>   Type 1: a playlist; KeyType 0: TRACK Key is a TrackID
 *             TRACK Key=<TrackID>
 *
 * Units from the same list: Size in bytes, TotalTime in whole seconds, AverageBpm with two decimals, BitRate in kbps,
 * SampleRate in Hz, DateAdded as yyyy-mm-dd. Location is a file URL "file://localhost/<path>" with the path
 * percent-encoded, as rekordbox writes it. Built with xmlbuilder2 (MIT), which escapes every value; characters XML 1.0
 * cannot hold at all (NUL and most control characters) are dropped rather than failing the whole file.
 */

export interface RekordboxTrack {
  readonly trackId: number;
  readonly name: string;
  readonly artist: string;
  readonly album: string;
  readonly genre: string;
  /** "AIFF File", "M4A File", "WAV File": rekordbox's own words for the file types. */
  readonly kind: string;
  readonly sizeBytes: number;
  readonly totalTimeSeconds: number;
  /** yyyy-mm-dd */
  readonly dateAdded: string;
  readonly bitRateKbps: number;
  readonly sampleRateHz: number;
  readonly averageBpm: number | null;
  /** rekordbox's spelling ("Am", "F#m"); "" when unknown. */
  readonly tonality: string;
  readonly comments: string;
  /** Absolute path of the file. */
  readonly path: string;
}

export interface RekordboxPlaylist {
  readonly name: string;
  readonly trackIds: readonly number[];
}

export interface RekordboxOptions {
  /** The folder node holding the playlists ("tracksync"). */
  readonly folderName: string;
  readonly productVersion: string;
}

/** rekordbox's Kind per file extension (the English wording rekordbox writes). */
export const REKORDBOX_KINDS: Readonly<Record<string, string>> = {
  aiff: 'AIFF File',
  aif: 'AIFF File',
  m4a: 'M4A File',
  wav: 'WAV File',
  mp3: 'MP3 File',
  flac: 'FLAC File',
};

/** Bytes a URL path keeps as they are (RFC 3986 unreserved, and "/"); everything else is %XX of its UTF-8 bytes. */
const KEEP = /[A-Za-z0-9\-._~/]/;

/**
 * "file://localhost/Users/dj/Music/Björk - Jóga.aiff" ->
 * "file://localhost/Users/dj/Music/Bj%C3%B6rk%20-%20J%C3%B3ga.aiff".
 */
export function fileUrl(path: string): string {
  let encoded = '';
  for (const char of path.normalize('NFC')) {
    if (KEEP.test(char)) encoded += char;
    else
      for (const byte of Buffer.from(char, 'utf8')) encoded += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return `file://localhost${encoded.startsWith('/') ? '' : '/'}${encoded}`;
}

export function renderRekordboxXml(
  tracks: readonly RekordboxTrack[],
  playlists: readonly RekordboxPlaylist[],
  options: RekordboxOptions,
): string {
  const root = create({ version: '1.0', encoding: 'UTF-8', invalidCharReplacement: '' }).ele('DJ_PLAYLISTS', {
    Version: '1.0.0',
  });
  root.ele('PRODUCT', { Name: 'tracksync', Version: options.productVersion, Company: 'tracksync' });
  const collection = root.ele('COLLECTION', { Entries: String(tracks.length) });
  for (const t of tracks) {
    collection.ele('TRACK', {
      TrackID: String(t.trackId),
      Name: t.name,
      Artist: t.artist,
      Album: t.album,
      Genre: t.genre,
      Kind: t.kind,
      Size: String(Math.round(t.sizeBytes)),
      TotalTime: String(Math.round(t.totalTimeSeconds)),
      AverageBpm: (t.averageBpm ?? 0).toFixed(2),
      DateAdded: t.dateAdded,
      BitRate: String(Math.round(t.bitRateKbps)),
      SampleRate: String(Math.round(t.sampleRateHz)),
      Comments: t.comments,
      Location: fileUrl(t.path),
      Tonality: t.tonality,
    });
  }
  const tree = root.ele('PLAYLISTS').ele('NODE', { Type: '0', Name: 'ROOT', Count: '1' });
  const folder = tree.ele('NODE', { Type: '0', Name: options.folderName, Count: String(playlists.length) });
  for (const playlist of playlists) {
    const node = folder.ele('NODE', {
      Type: '1',
      Name: playlist.name,
      KeyType: '0',
      Entries: String(playlist.trackIds.length),
    });
    for (const id of playlist.trackIds) node.ele('TRACK', { Key: String(id) });
  }
  return `${root.end({ prettyPrint: true })}\n`;
}
