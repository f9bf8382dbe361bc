/**
 * Is this search result the track we want? The legacy code took the first hit (docs/legacy-bugs.md, bug 11) and
 * spotDL's
 * top complaint is the wrong version (docs/decisions.md, "Scoring search results"), so every candidate is scored on
 * title, artist and duration with
 * rbsync's weights (55 / 30 / 15 %), an exact ISRC wins outright, a duration gap over 30 s rejects (rbsync and Picard),
 * and versions the target does not ask for (live, remix, cover, sped up...) cost half the title score.
 */

export interface Target {
  readonly title: string;
  readonly artist: string;
  readonly durationSeconds?: number | null;
  readonly isrc?: string | null;
}

export interface Candidate {
  readonly title: string;
  readonly url: string;
  readonly uploader?: string | null;
  readonly durationSeconds?: number | null;
  readonly isrc?: string | null;
}

export interface ScoredCandidate extends Candidate {
  readonly score: number;
  readonly parts: { readonly title: number; readonly artist: number; readonly duration: number };
  /** Why it cannot be used, whatever its score. */
  readonly rejected?: string;
}

const WEIGHTS = { title: 0.55, artist: 0.3, duration: 0.15 };
const VERSION_WORDS = [
  'live',
  'remix',
  'cover',
  'karaoke',
  'instrumental',
  'acoustic',
  'sped up',
  'slowed',
  'nightcore',
  'reverb',
  '8d',
  'extended',
  'edit',
  'mashup',
  'bootleg',
];
const NOISE =
  /\b(official|audio|video|music|lyrics?|lyric video|hd|hq|4k|visualizer|visualiser|full|version|topic|vevo|out now|free download|premiere)\b/g;

/** Lower-case, accents off, punctuation to spaces, whitespace collapsed. */
export function normaliseText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .replace(/\s+/g, ' ');
}

/** Core title: bracketed parts and feat. credits removed (docs/legacy-bugs.md, "Merging duplicate pages" cleaning). */
export function coreTitle(title: string): string {
  return normaliseText(title.replace(/[([{][^)\]}]*[)\]}]/g, ' ').replace(/\b(feat|ft|featuring)\b\.?.*$/i, ' '));
}

function bigrams(text: string): Map<string, number> {
  const grams = new Map<string, number>();
  const t = ` ${text} `;
  for (let i = 0; i < t.length - 1; i += 1) grams.set(t.slice(i, i + 2), (grams.get(t.slice(i, i + 2)) ?? 0) + 1);
  return grams;
}

/** Sørensen-Dice similarity of character bigrams: 1 for equal strings, robust to word order and small typos. */
export function similarityOf(a: string, b: string): number {
  if (a === b) return a === '' ? 0 : 1;
  const x = bigrams(a);
  const y = bigrams(b);
  let common = 0;
  let total = 0;
  for (const [g, n] of x) {
    common += Math.min(n, y.get(g) ?? 0);
    total += n;
  }
  for (const n of y.values()) total += n;
  return total === 0 ? 0 : (2 * common) / total;
}

function versionWords(text: string): Set<string> {
  const t = normaliseText(text);
  return new Set(VERSION_WORDS.filter((w) => new RegExp(`\\b${w}\\b`).test(t)));
}

export function scoreCandidate(target: Target, candidate: Candidate, maxDurationGapSeconds: number): ScoredCandidate {
  if (target.isrc && candidate.isrc && target.isrc.toUpperCase() === candidate.isrc.toUpperCase()) {
    return { ...candidate, score: 1, parts: { title: 1, artist: 1, duration: 1 } };
  }
  const artist = normaliseText(target.artist);
  const uploader = normaliseText((candidate.uploader ?? '').replace(/\s*-\s*topic$/i, '').replace(/vevo$/i, ''));
  const rawTitle = normaliseText(candidate.title);
  // "Artist - Title (Official Audio)": take the artist off the front before comparing titles.
  const titleOnly = artist && rawTitle.startsWith(artist) ? rawTitle.slice(artist.length).trim() : rawTitle;
  const candidateTitle = coreTitle(titleOnly).replace(NOISE, ' ').replace(/\s+/g, ' ').trim();
  const wanted = coreTitle(target.title);
  let title = Math.max(
    similarityOf(wanted, candidateTitle),
    candidateTitle.includes(wanted) && wanted.length >= 4 ? 0.9 : 0,
  );
  const extra = [...versionWords(candidate.title)].filter((w) => !versionWords(target.title).has(w));
  if (extra.length > 0) title *= 0.5;
  const artistScore =
    artist === ''
      ? 0.5
      : Math.max(
          similarityOf(artist, uploader),
          rawTitle.includes(artist) ? 1 : 0,
          uploader.includes(artist) && artist.length >= 3 ? 1 : 0,
        );
  let duration = 0.5; // unknown on either side: neutral
  let rejected: string | undefined;
  if (target.durationSeconds && candidate.durationSeconds) {
    const gap = Math.abs(target.durationSeconds - candidate.durationSeconds);
    duration = Math.max(0, 1 - gap / maxDurationGapSeconds);
    if (gap > maxDurationGapSeconds)
      rejected = `duration differs by ${Math.round(gap)} s (more than ${maxDurationGapSeconds} s)`;
  }
  const score =
    Math.round((WEIGHTS.title * title + WEIGHTS.artist * artistScore + WEIGHTS.duration * duration) * 1000) / 1000;
  return {
    ...candidate,
    score,
    parts: { title: round(title), artist: round(artistScore), duration: round(duration) },
    ...(rejected ? { rejected } : {}),
  };
}

const round = (x: number): number => Math.round(x * 1000) / 1000;

/** The best acceptable candidate (or none) and every candidate with its score, best first. */
export function chooseCandidate(
  target: Target,
  candidates: readonly Candidate[],
  options: { acceptScore: number; maxDurationGapSeconds: number },
): { chosen: ScoredCandidate | undefined; scored: ScoredCandidate[] } {
  const scored = candidates
    .map((c) => scoreCandidate(target, c, options.maxDurationGapSeconds))
    .sort((a, b) => b.score - a.score);
  const chosen = scored.find((c) => !c.rejected && c.score >= options.acceptScore);
  return { chosen, scored };
}
