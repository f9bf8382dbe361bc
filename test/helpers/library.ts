import type { IndexedFile } from '../../state/rows.js';

/**
 * A library index row as the pipeline or a scan records it before any tag is read: `path` and what `fields` say,
 * nothing else known. Tests that need a file in the index (state/library.ts, upsertIndexedFile) start from this.
 */
export function indexedFile(path: string, fields: Partial<IndexedFile> = {}): IndexedFile {
  return {
    path,
    root: null,
    pageId: null,
    format: 'm4a',
    size: 0,
    mtimeMs: 0,
    durationSeconds: null,
    title: null,
    artist: null,
    album: null,
    bpm: null,
    musicalKey: null,
    normTitle: null,
    normArtist: null,
    fingerprint: null,
    fingerprintRaw: null,
    scanId: null,
    now: Date.now(),
    ...fields,
  };
}
