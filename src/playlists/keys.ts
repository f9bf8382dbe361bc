import { camelotOf } from '../media/analysis/key.js';

/**
 * Musical keys as the DJ apps want them. Notion holds what tracksync measured ("A Minor", "F# Minor") or what a person
 * typed ("Am", "c#m", "Db major", "8A"); rekordbox shows keys in its own spelling, and its XML carries that spelling in
 * Tonality: sharps for F# and F#m only, flats elsewhere ("Dbm", "Abm", "Ebm", "Bbm"), as rekordbox itself writes them
 * (the 24 values listed by the Tonality type of rekordbox XML readers; rekordbox's format document,
 * cdn.rekordbox.com/files/20200410160904/xml_format_list.pdf, calls the attribute "Tonality (Kind of musical key)").
 */

export interface MusicalKey {
  /** Pitch class of the tonic: 0 = C ... 11 = B. */
  readonly tonic: number;
  readonly mode: 'major' | 'minor';
}

const REKORDBOX_MAJOR = ['C', 'Db', 'D', 'Eb', 'E', 'F', 'F#', 'G', 'Ab', 'A', 'Bb', 'B'];
const REKORDBOX_MINOR = ['Cm', 'Dbm', 'Dm', 'Ebm', 'Em', 'Fm', 'F#m', 'Gm', 'Abm', 'Am', 'Bbm', 'Bm'];
const LETTER: Record<string, number> = { c: 0, d: 2, e: 4, f: 5, g: 7, a: 9, b: 11 };

/** Camelot code -> key, from the wheel key.ts uses (so both directions agree). */
const BY_CAMELOT = new Map<string, MusicalKey>(
  (['major', 'minor'] as const).flatMap((mode) =>
    Array.from({ length: 12 }, (_, tonic) => [camelotOf(tonic, mode), { tonic, mode }] as const),
  ),
);

/** Reads a key as people write it; undefined when the text is not a key (then nothing is exported for it). */
export function parseKey(raw: string): MusicalKey | undefined {
  const text = raw.trim().replace(/♯/g, '#').replace(/♭/g, 'b');
  if (text === '') return undefined;
  const camelot = text.match(/^0?(1[0-2]|[1-9])\s*([ABab])$/);
  if (camelot) return BY_CAMELOT.get(`${camelot[1]}${camelot[2]!.toUpperCase()}`);
  const match = text.match(/^([A-Ga-g])\s*(#|b|sharp|flat)?\s*(.*)$/i);
  if (!match) return undefined;
  const accidental = match[2]?.toLowerCase();
  const shift = accidental === '#' || accidental === 'sharp' ? 1 : accidental === 'b' || accidental === 'flat' ? -1 : 0;
  const tonic = (LETTER[match[1]!.toLowerCase()]! + shift + 12) % 12;
  const rest = match[3]!.trim();
  // "m" is minor and "M" major, as in chord symbols; words in any case.
  if (rest === '' || rest === 'M' || /^(maj(or)?|dur)$/i.test(rest)) return { tonic, mode: 'major' };
  if (rest === 'm' || /^(min(or)?|moll|-)$/i.test(rest)) return { tonic, mode: 'minor' };
  return undefined;
}

/** The key in rekordbox's spelling ("Am", "F#m", "Db"); "" when unknown, as rekordbox writes an unanalysed track. */
export function rekordboxTonality(key: MusicalKey | undefined): string {
  if (!key) return '';
  return (key.mode === 'major' ? REKORDBOX_MAJOR : REKORDBOX_MINOR)[key.tonic]!;
}

/** The Camelot code of a key ("8A"); "" when unknown. */
export function camelotCode(key: MusicalKey | undefined): string {
  return key ? camelotOf(key.tonic, key.mode) : '';
}
