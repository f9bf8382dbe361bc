import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, maskSecret, parseNotionId } from '../../src/config/load.js';
import { tempDir } from '../helpers/tmp.js';
import { base, problemsOf } from './problems.js';

describe('loadConfig', () => {
  const dir = tempDir();

  it('names NOTION_TOKEN when it is unset, and every other problem in the same message', () => {
    const problems = problemsOf(() =>
      loadConfig({ env: { TRACKS_DB_ID: 'not-an-id', OUT_DIR: 'relative/path' }, cwd: dir }),
    );
    expect(problems.some((p) => p.startsWith('NOTION_TOKEN: is not set'))).toBe(true);
    expect(problems.some((p) => p.startsWith('TRACKS_DB_ID:') && p.includes('"not-an-id"'))).toBe(true);
    expect(problems.some((p) => p.startsWith('OUT_DIR: expected an absolute path'))).toBe(true);
  });

  it('masks secrets in messages', () => {
    const problems = problemsOf(() =>
      loadConfig({ env: { ...base, NOTION_TOKEN: 'ntn_supersecretvalue', TRACKS_DB_ID: 'x' }, cwd: dir }),
    );
    expect(problems.join('\n')).not.toContain('supersecret');
    expect(maskSecret('ntn_supersecretvalue')).toBe('ntn_…(20 chars)');
  });

  it('accepts database ids dashed, undashed or as a Notion URL, and returns them dashed', () => {
    expect(parseNotionId('https://www.notion.so/acme/Music-Tracks-27ce73616c2780fbb40efefdd47d6640?v=abc')).toBe(
      '27ce7361-6c27-80fb-b40e-fefdd47d6640',
    );
    expect(parseNotionId('27CE7361-6C27-80FB-B40E-FEFDD47D6640')).toBe('27ce7361-6c27-80fb-b40e-fefdd47d6640');
    expect(loadConfig({ env: base, cwd: dir }).databases.tracks).toBe('27ce7361-6c27-80fb-b40e-fefdd47d6640');
  });

  it('refuses unknown keys and wrong values in the config file, naming each', () => {
    const path = join(dir, 'bad.json');
    writeFileSync(
      path,
      JSON.stringify({
        concurrency: { maxItems: 0 },
        schedule: { cron: '* * * * *' },
        colour: 'blue',
        links: { maxAttempts: 3 },
      }),
    );
    const problems = problemsOf(() => loadConfig({ env: { ...base, TRACKSYNC_CONFIG: path }, cwd: dir }));
    expect(problems.some((p) => p.includes('concurrency.maxItems') && p.includes('got 0'))).toBe(true);
    expect(problems).toContain(`config file ${path}: unknown key "schedule.cron"; did you mean "schedule.cycleCron"?`);
    expect(problems.some((p) => p.includes('unknown key "colour"'))).toBe(true);
    // A setting that was removed says what took its place.
    expect(problems).toContain(
      `config file ${path}: "links.maxAttempts" is no longer a setting: link lookups are retried like every item now (retry.maxAttempts); remove it from the file`,
    );
  });

  it('reads .env, lets the real environment win, and freezes the result', () => {
    writeFileSync(
      join(dir, '.env'),
      'NOTION_TOKEN=ntn_from_dotenv_file_1234\nTRACKS_DB_ID=27ce73616c2780fbb40efefdd47d6640\nTRACKSYNC_LOG_LEVEL=debug\n',
    );
    const config = loadConfig({ env: { TRACKSYNC_LOG_LEVEL: 'warn' }, cwd: dir });
    expect(config.notion.token).toBe('ntn_from_dotenv_file_1234');
    expect(config.logging.level).toBe('warn');
    expect(Object.isFrozen(config.notion)).toBe(true);
    expect(config.secrets).toContain('ntn_from_dotenv_file_1234');
  });

  it('puts the state directory where each platform expects it', () => {
    const env = { ...base };
    expect(loadConfig({ env, cwd: dir, platform: 'darwin', home: '/Users/dj' }).stateDir).toBe(
      '/Users/dj/Library/Application Support/tracksync',
    );
    expect(loadConfig({ env, cwd: dir, platform: 'linux', home: '/home/dj' }).stateDir).toBe(
      '/home/dj/.local/state/tracksync',
    );
    expect(
      loadConfig({ env: { ...env, XDG_STATE_HOME: '/var/state' }, cwd: dir, platform: 'linux', home: '/home/dj' })
        .stateDir,
    ).toBe('/var/state/tracksync');
  });

  it('puts exported playlists in OUT_DIR/Playlists (tracksync) unless told, Apple Music on on macOS only, the sort property as a mapping', () => {
    const mac = loadConfig({
      env: { ...base, OUT_DIR: '/Volumes/VIBES/Playlists' },
      cwd: dir,
      platform: 'darwin',
      home: '/Users/dj',
    });
    expect(mac.playlists).toMatchObject({
      exportDir: '/Volumes/VIBES/Playlists/Playlists (tracksync)',
      m3u8: true,
      rekordbox: true,
      appleMusic: true,
      sortProperty: null,
      formats: ['aiff', 'm4a', 'wav'],
    });
    expect(loadConfig({ env: base, cwd: dir, platform: 'linux', home: '/home/dj' }).playlists).toMatchObject({
      exportDir: '/home/dj/Music/tracksync/Playlists (tracksync)',
      appleMusic: false,
    });
    const file = join(dir, 'playlists.json');
    writeFileSync(
      file,
      JSON.stringify({
        playlists: {
          exportDir: '/Users/dj/Exports',
          appleMusic: false,
          sortProperty: 'Set Order',
          relativePaths: true,
        },
      }),
    );
    const configured = loadConfig({
      env: { ...base, TRACKSYNC_CONFIG: file },
      cwd: dir,
      platform: 'darwin',
      home: '/Users/dj',
    });
    expect(configured.playlists).toMatchObject({
      exportDir: '/Users/dj/Exports',
      appleMusic: false,
      relativePaths: true,
      sortProperty: 'Set Order',
    });
    expect(configured.mappings.tracks?.setOrder).toBe('Set Order');
    // The environment wins over the file; a relative folder and a clashing mapping are refused with their names.
    expect(
      loadConfig({ env: { ...base, TRACKSYNC_CONFIG: file, PLAYLIST_EXPORT_DIR: '/Volumes/DJ/Sets' }, cwd: dir })
        .playlists.exportDir,
    ).toBe('/Volumes/DJ/Sets');
    expect(problemsOf(() => loadConfig({ env: { ...base, PLAYLIST_EXPORT_DIR: 'Sets' }, cwd: dir }))).toEqual([
      'PLAYLIST_EXPORT_DIR: expected an absolute path; got "Sets"',
    ]);
    writeFileSync(
      file,
      JSON.stringify({
        playlists: { sortProperty: 'Set Order', formats: [] },
        mappings: { tracks: { setOrder: 'Order' } },
      }),
    );
    const problems = problemsOf(() => loadConfig({ env: { ...base, TRACKSYNC_CONFIG: file }, cwd: dir }));
    expect(problems.some((p) => p.includes('playlists.formats'))).toBe(true);
    writeFileSync(
      file,
      JSON.stringify({ playlists: { sortProperty: 'Set Order' }, mappings: { tracks: { setOrder: 'Order' } } }),
    );
    expect(problemsOf(() => loadConfig({ env: { ...base, TRACKSYNC_CONFIG: file }, cwd: dir }))).toEqual([
      `config file ${file}: playlists.sortProperty: "Set Order" and mappings.tracks.setOrder ("Order") name different properties; keep one of them`,
    ]);
  });
});
