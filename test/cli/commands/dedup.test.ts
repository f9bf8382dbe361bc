import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeProperty } from '../../../src/notion/codecs.js';
import { makeClip } from '../../helpers/audio.js';
import { cli } from '../../helpers/cli.js';
import { text, title, withSandbox } from '../../helpers/notion.js';
import { tempDir } from '../../helpers/tmp.js';

interface Group {
  where: string;
  kind: string;
  score: number;
  keeper: { id: string; label: string };
  others: Array<{ id: string; label: string }>;
}

// `tracksync dedup` is how a DJ cleans up rows entered twice and files kept twice: the dry run changes nothing,
// --apply merges Notion rows into the one whose files are on disk (the other goes to Notion's trash, recoverable) and
// never deletes a file.
// Fuzzy name matches through the CLI: test/dedup/dedup.test.ts.
describe('tracksync dedup (the CLI as a subprocess)', async () => {
  const sandbox = await withSandbox();
  const dir = tempDir('tracksync-dedup-');
  const outDir = join(dir, 'music');
  mkdirSync(outDir, { recursive: true });
  const clip = await makeClip({ tonic: 5, mode: 'minor', bpm: 126, seconds: 20 });
  const files = [join(outDir, 'Twice - Kept.mp3'), join(outDir, 'Twice - Kept (1).mp3')];
  for (const file of files) writeFileSync(file, clip);
  const env = {
    ...sandbox.env(),
    TRACKSYNC_STATE_DIR: join(dir, 'state'),
    TRACKSYNC_LOG_DIR: join(dir, 'logs'),
    OUT_DIR: outDir,
  };
  const row = (properties: Record<string, unknown>): string =>
    sandbox.workspace.createPage({ parent: { data_source_id: sandbox.ids.tracks.dataSourceId }, properties }).id;
  let full = '';
  let bare = '';
  const field = (id: string, name: string): unknown =>
    decodeProperty(sandbox.workspace.retrievePage(id, []).properties[name]);

  it('lists the same Spotify track entered twice and the same file kept twice; the dry run changes nothing', async () => {
    const scan = await cli(['library', 'scan'], env);
    expect(scan.exitCode, scan.stderr).toBe(0);
    // A Spotify track id is 22 base-62 characters.
    full = row({
      Title: title('Twice'),
      'Artist Name': text('Dedup Band'),
      'Spotify ID': text('dedupcli00000000000001'),
      'M4A File Path': text('/music/Dedup Band - Twice.m4a'),
      Downloaded: { checkbox: true },
    });
    bare = row({ Title: title('Twice'), 'Spotify ID': text('dedupcli00000000000001'), Album: text('Second Entry') });
    const dry = await cli(['dedup', '--json'], env);
    expect(dry.exitCode, dry.stderr).toBe(0);
    const { apply, groups } = JSON.parse(dry.stdout) as { apply: boolean; groups: Group[] };
    expect(apply).toBe(false);
    const notion = groups.find((g) => g.where === 'notion')!;
    // The row whose files are on disk is kept.
    expect(notion).toMatchObject({ kind: 'exact', score: 1, keeper: { id: full }, others: [{ id: bare }] });
    expect(groups.filter((g) => g.where === 'library')).toHaveLength(1);
    expect(sandbox.workspace.retrievePage(bare).in_trash).toBe(false);

    const words = await cli(['dedup'], env);
    expect(words.stdout).toMatch(/^\d+ duplicate group\(s\) \(dry run: nothing changed; --apply/);
    expect(words.stdout).toMatch(
      /\[notion, exact, score 1\] .*\n {2}keep: Dedup Band - Twice \(https:\/\/www\.notion\.so\/\S+\)\n {2}dup: {2}/,
    );
  }, 120_000);

  it('--apply merges into the row with the files, trashes the other, and leaves both files on disk', async () => {
    const applied = await cli(['dedup', '--apply'], env);
    expect(applied.exitCode, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('merged 1 row(s) into Dedup Band - Twice');
    expect(sandbox.workspace.retrievePage(bare).in_trash).toBe(true);
    expect(sandbox.workspace.retrievePage(full).in_trash).toBe(false);
    expect(field(full, 'Audio Processing')).toContain('Merged Duplicate');
    // What only the other row knew is kept on the merged one.
    expect(field(full, 'Album')).toBe('Second Entry');
    for (const file of files) expect(existsSync(file), file).toBe(true);
  }, 60_000);

  it('refuses a threshold outside 0.5 to 1, with exit 2', async () => {
    const result = await cli(['dedup', '--threshold', '0.2'], env);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--threshold must be between 0.5 and 1, got "0.2"');
  });
});
