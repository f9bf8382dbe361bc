import type { Store } from '../../state/store.js';
import type { Config } from '../config/load.js';
import { findSimilarFiles } from '../library/fingerprint-index.js';
import { rawFromBytes } from '../media/chromaprint.js';
import { readField, readText } from '../notion/codecs.js';
import type { NotionGateway, PageResponse } from '../notion/gateway.js';
import type { ResolvedSchema } from '../notion/schema.js';
import { identities } from './checks.js';
import { coreTitle, normaliseText, similarityOf } from '../domain/scoring.js';
import type { EagleClient, EagleItem } from '../services/eagle.js';
import { chooseKeeper } from './merge.js';

/**
 * Duplicate groups for `tracksync dedup`, across Notion (rows with the same ids, or the same name and duration), the
 * library index (files of the same recording, by fingerprint) and Eagle (items with the same fingerprint tag, or names
 * alike). Each group has the reason, a score, and a proposed keeper.
 */

export interface DuplicateGroup {
  readonly where: 'notion' | 'library' | 'eagle';
  /** "exact" groups are merged during sync by default; "fuzzy" ones only with `tracksync dedup --apply`. */
  readonly kind: 'exact' | 'fuzzy';
  readonly reason: string;
  /** 1 for exact ids; the name or fingerprint similarity otherwise. */
  readonly score: number;
  readonly keeper: { readonly id: string; readonly label: string };
  readonly others: ReadonlyArray<{ readonly id: string; readonly label: string }>;
}

/** Union-find over string keys. */
class Groups {
  readonly #parent = new Map<string, string>();
  find(x: string): string {
    let root = x;
    while (this.#parent.has(root) && this.#parent.get(root) !== root) root = this.#parent.get(root)!;
    this.#parent.set(x, root);
    return root;
  }
  union(a: string, b: string): void {
    this.#parent.set(this.find(a), this.find(b));
  }
  sets(ids: Iterable<string>): string[][] {
    const byRoot = new Map<string, string[]>();
    for (const id of ids) {
      const root = this.find(id);
      byRoot.set(root, [...(byRoot.get(root) ?? []), id]);
    }
    return [...byRoot.values()].filter((g) => g.length > 1);
  }
}

function label(schema: ResolvedSchema<'tracks'>, page: PageResponse): string {
  const artist = readText(schema, page, 'artistName');
  const title = readText(schema, page, 'title') || '(untitled)';
  return `${artist ? `${artist} - ` : ''}${title} (${page.url})`;
}

/** Notion: exact groups by shared ids; fuzzy groups by name similarity >= threshold with durations within tolerance. */
export async function notionGroups(
  notion: NotionGateway,
  schema: ResolvedSchema<'tracks'>,
  config: Config,
  threshold: number,
): Promise<DuplicateGroup[]> {
  const pages: PageResponse[] = [];
  for await (const page of notion.queryPages(schema.dataSourceId, { sort: 'created_time' })) pages.push(page);
  const byId = new Map(pages.map((p) => [p.id, p]));
  const exact = new Groups();
  const owner = new Map<string, string>();
  for (const page of pages) {
    for (const id of identities(schema, page)) {
      const first = owner.get(id);
      if (first) exact.union(first, page.id);
      else owner.set(id, page.id);
    }
  }
  const groups: DuplicateGroup[] = [];
  const inExact = new Set<string>();
  for (const set of exact.sets(pages.map((p) => p.id))) {
    const members = set.map((id) => byId.get(id)!);
    set.forEach((id) => inExact.add(id));
    const keeper = chooseKeeper(schema, members);
    groups.push({
      where: 'notion',
      kind: 'exact',
      reason: 'same Spotify ID, SoundCloud URL, YouTube video id or ISRC',
      score: 1,
      keeper: { id: keeper.id, label: label(schema, keeper) },
      others: members.filter((m) => m !== keeper).map((m) => ({ id: m.id, label: label(schema, m) })),
    });
  }
  // Fuzzy: bucket by the first three words of "artist title" (the legacy union-find passes), then compare within
  // buckets.
  const fuzzy = new Groups();
  const scores = new Map<string, number>();
  const buckets = new Map<string, PageResponse[]>();
  const nameOf = (p: PageResponse): string =>
    normaliseText(`${readText(schema, p, 'artistName')} ${coreTitle(readText(schema, p, 'title'))}`);
  const durationOf = (p: PageResponse): number | null => {
    const ms = readField(schema, p, 'durationMs');
    const s = readField(schema, p, 'durationSeconds');
    return typeof ms === 'number' ? ms / 1000 : typeof s === 'number' ? s : null;
  };
  for (const page of pages) {
    if (inExact.has(page.id)) continue;
    const key = nameOf(page).split(' ').slice(0, 3).join(' ');
    if (key) buckets.set(key, [...(buckets.get(key) ?? []), page]);
  }
  for (const bucket of buckets.values()) {
    for (let i = 0; i < bucket.length; i += 1) {
      for (let j = i + 1; j < bucket.length; j += 1) {
        const [a, b] = [bucket[i]!, bucket[j]!];
        const [na, nb] = [nameOf(a), nameOf(b)];
        // Lengths that differ by more than half.
        if (Math.min(na.length, nb.length) < Math.max(na.length, nb.length) / 2) continue;
        const score = similarityOf(na, nb);
        const [da, db] = [durationOf(a), durationOf(b)];
        if (
          score < threshold ||
          (da !== null && db !== null && Math.abs(da - db) > config.library.durationToleranceSeconds)
        )
          continue;
        fuzzy.union(a.id, b.id);
        scores.set(fuzzy.find(a.id), Math.max(score, scores.get(fuzzy.find(a.id)) ?? 0));
      }
    }
  }
  for (const set of fuzzy.sets(pages.filter((p) => !inExact.has(p.id)).map((p) => p.id))) {
    const members = set.map((id) => byId.get(id)!);
    const keeper = chooseKeeper(schema, members);
    const score = Math.round((scores.get(fuzzy.find(set[0]!)) ?? threshold) * 1000) / 1000;
    groups.push({
      where: 'notion',
      kind: 'fuzzy',
      reason: `names alike (similarity ${score}) and durations within ${config.library.durationToleranceSeconds} s`,
      score,
      keeper: { id: keeper.id, label: label(schema, keeper) },
      others: members.filter((m) => m !== keeper).map((m) => ({ id: m.id, label: label(schema, m) })),
    });
  }
  return groups;
}

/** The library index: files of one recording (fingerprint similarity >= the threshold) belonging to different rows. */
export function libraryGroups(store: Store, config: Config): DuplicateGroup[] {
  const groups = new Groups();
  const best = new Map<string, number>();
  const rows = store.library.listFingerprintedFiles();
  for (const row of rows) {
    const similar = findSimilarFiles(store.library, rawFromBytes(row.fingerprint_raw!), {
      threshold: config.library.similarityThreshold,
      candidates: 8,
      exclude: (other) => other.path === row.path || (other.page_id !== null && other.page_id === row.page_id),
    });
    for (const match of similar) {
      groups.union(row.path, match.row.path);
      best.set(row.path, Math.max(match.similarity, best.get(row.path) ?? 0));
    }
  }
  return groups.sets(rows.map((r) => r.path)).map((paths) => {
    const members = paths.map((p) => store.library.getLibraryFile(p)!);
    const keeper = [...members].sort(
      (a, b) => Number(b.page_id !== null) - Number(a.page_id !== null) || b.size - a.size,
    )[0]!;
    const score = Math.max(...paths.map((p) => best.get(p) ?? 0));
    return {
      where: 'library' as const,
      kind: 'fuzzy' as const,
      reason: `the same recording (fingerprint similarity ${score}); files are never deleted, only listed`,
      score,
      keeper: { id: keeper.path, label: keeper.path },
      others: members.filter((m) => m !== keeper).map((m) => ({ id: m.path, label: m.path })),
    };
  });
}

/** Eagle: items with the same fingerprint tag (exact), or names alike (fuzzy). Keeper: the legacy item score. */
export async function eagleGroups(eagle: EagleClient, threshold: number): Promise<DuplicateGroup[]> {
  const items = await eagle.items();
  const byId = new Map(items.map((i) => [i.id, i]));
  const keep = (members: EagleItem[]): EagleItem =>
    [...members].sort((a, b) => b.tags.length - a.tags.length || a.id.localeCompare(b.id))[0]!;
  const groups: DuplicateGroup[] = [];
  const exact = new Groups();
  const firstWith = new Map<string, string>();
  for (const item of items) {
    const tag = item.tags.find((t) => t.startsWith('fingerprint:'));
    if (!tag) continue;
    const first = firstWith.get(tag);
    if (first) exact.union(first, item.id);
    else firstWith.set(tag, item.id);
  }
  const grouped = new Set<string>();
  for (const set of exact.sets(items.map((i) => i.id))) {
    const members = set.map((id) => byId.get(id)!);
    set.forEach((id) => grouped.add(id));
    const keeper = keep(members);
    groups.push({
      where: 'eagle',
      kind: 'exact',
      reason: 'the same fingerprint tag',
      score: 1,
      keeper: { id: keeper.id, label: keeper.name },
      others: members.filter((m) => m !== keeper).map((m) => ({ id: m.id, label: m.name })),
    });
  }
  const fuzzy = new Groups();
  const rest = items.filter((i) => !grouped.has(i.id));
  for (let i = 0; i < rest.length; i += 1) {
    for (let j = i + 1; j < rest.length; j += 1) {
      const [a, b] = [normaliseText(rest[i]!.name), normaliseText(rest[j]!.name)];
      if (a.split(' ').slice(0, 3).join(' ') !== b.split(' ').slice(0, 3).join(' ')) continue;
      if (rest[i]!.ext === rest[j]!.ext && similarityOf(a, b) >= threshold) fuzzy.union(rest[i]!.id, rest[j]!.id);
    }
  }
  for (const set of fuzzy.sets(rest.map((i) => i.id))) {
    const members = set.map((id) => byId.get(id)!);
    const keeper = keep(members);
    groups.push({
      where: 'eagle',
      kind: 'fuzzy',
      reason: `names alike (>= ${threshold})`,
      score: threshold,
      keeper: { id: keeper.id, label: keeper.name },
      others: members.filter((m) => m !== keeper).map((m) => ({ id: m.id, label: m.name })),
    });
  }
  return groups;
}
