import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeProperty } from '../../../src/notion/codecs.js';
import { makeClip } from '../../helpers/audio.js';
import { cli } from '../../helpers/cli.js';
import { text, title } from '../../helpers/notion.js';
import { pipelineWorld } from '../../helpers/pipeline.js';

// `tracksync links <row>` looks for the platform links a row lacks, now, and shows the DJ every platform's result and
// each candidate with its score and why it was not taken. How candidates are scored: test/app/links.test.ts.
describe('tracksync links (the CLI as a subprocess)', async () => {
  const world = await pipelineWorld();
  const { sandbox, media } = world;
  const configPath = join(world.dir, 'links-command.json');
  writeFileSync(configPath, JSON.stringify({ search: media.search }));
  const env = {
    ...sandbox.env(),
    ...world.env(),
    TRACKSYNC_STATE_DIR: join(world.dir, 'links-command'),
    TRACKSYNC_CONFIG: configPath,
  };

  it('writes the link that matches and answers, and prints each platform and the candidates in tables', async () => {
    const url = await media.addFile('links-command.mp3', await makeClip({ seconds: 20 }));
    media.addSearchResults(
      'lantern crew night ferry',
      [{ title: 'Lantern Crew - Night Ferry', url, durationSeconds: 20 }],
      'soundcloud',
    );
    const id = sandbox.workspace.createPage({
      parent: { data_source_id: sandbox.ids.tracks.dataSourceId },
      properties: {
        Title: title('Night Ferry'),
        'Artist Name': text('Lantern Crew'),
        'Audio Duration (seconds)': { number: 20 },
        Downloaded: { checkbox: true },
      },
    }).id;
    const result = await cli(['links', id], env);
    expect(result.exitCode, result.stderr).toBe(0);
    const escaped = url.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    expect(result.stdout).toMatch(/platform\s+result\s+url\s+score\s+note\n/);
    expect(result.stdout).toMatch(new RegExp(`soundcloud\\s+written\\s+${escaped}\\s+1\\b`));
    // A platform with nothing found says so in words.
    expect(result.stdout).toMatch(/youtube\s+none\s+-\s+-\s+no results/);
    expect(result.stdout).toMatch(
      new RegExp(`Candidates:\\n.*why not\\n\\s*soundcloud\\s+1\\s+yes\\s+Lantern Crew - Night Ferry\\s+${escaped}`),
    );
    expect(decodeProperty(sandbox.workspace.retrievePage(id).properties['SoundCloud URL'])).toBe(url);
  }, 120_000);

  it('refuses text that is neither a page nor a track URL, with the usage, exit 2', async () => {
    const result = await cli(['links', 'night ferry'], env);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('"night ferry" is neither a Notion page id nor a track URL');
    expect(result.stderr).toContain('usage: tracksync links <page-id|url> [--json]');
  });
});
