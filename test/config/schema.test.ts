import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonErrorOffset, loadConfig } from '../../src/config/load.js';
import { nearestKey, settingKeys } from '../../src/config/reference.js';
import { ENVIRONMENT, SECRET_NAMES, configSchema, valueAt } from '../../src/config/schema.js';
import { tempDir } from '../helpers/tmp.js';
import { base, problemsOf } from './problems.js';

describe('the config schema', () => {
  const dir = tempDir();
  let n = 0;
  const fresh = (): string => {
    const path = join(dir, `case-${++n}`);
    mkdirSync(path, { recursive: true });
    return path;
  };
  const keys = settingKeys();
  const settings = keys.filter((k) => k.kind === 'setting');

  it('gives every setting a reason, and maps every variable onto a key that exists', () => {
    expect(settings.length).toBeGreaterThan(150);
    expect(settings.filter((k) => !k.description || k.description.length < 10).map((k) => k.path)).toEqual([]);
    const paths = new Set(settings.map((k) => k.path));
    expect(ENVIRONMENT.filter((e) => !paths.has(e.path)).map((e) => e.name)).toEqual([]);
    expect(new Set(ENVIRONMENT.map((e) => e.path)).size).toBe(ENVIRONMENT.length);
    expect([...SECRET_NAMES].sort()).toEqual([
      'EAGLE_TOKEN',
      'NOTION_TOKEN',
      'NOTION_WEBHOOK_TOKEN',
      'SPOTIFY_CLIENT_SECRET',
      'SPOTIFY_REFRESH_TOKEN',
      'TRACKSYNC_HTTP_TOKEN',
    ]);
  });

  it('validates every cron setting at load, whatever its name, and names all bad ones at once', () => {
    const crons = settings.filter((k) => /cron$/i.test(k.path)).map((k) => k.path);
    expect(crons.sort()).toEqual([
      'feeds.cron',
      'notifications.dailySummaryCron',
      'playlists.exportCron',
      'schedule.cycleCron',
    ]);
    const raw: Record<string, Record<string, unknown>> = {};
    for (const path of crons) {
      const [section, key] = path.split('.') as [string, string];
      (raw[section] ??= {})[key] = '* * * *  99';
    }
    const schema = configSchema({ platform: 'linux', home: '/home/dj', cwd: '/' });
    const result = schema.safeParse({ notion: { token: 'x' }, databases: { tracks: base.TRACKS_DB_ID }, ...raw });
    expect(result.success).toBe(false);
    const bad = result
      .error!.issues.filter((i) => i.message.includes('not a valid cron expression'))
      .map((i) => i.path.join('.'));
    expect(bad.sort()).toEqual(crons);
    // Six fields (seconds first) are node-cron's too, and null switches the daily summary off.
    const ok = schema.safeParse({
      notion: { token: 'x' },
      databases: { tracks: base.TRACKS_DB_ID },
      schedule: { cycleCron: '*/30 * * * * *' },
      notifications: { dailySummaryCron: null },
    });
    expect(ok.success).toBe(true);
  });

  it('fills every default, deep-frozen, and the defaults pass their own cross-checks', () => {
    const config = loadConfig({ env: base, cwd: fresh(), platform: 'linux', home: '/home/dj' });
    // Derived after parsing: the likes feeds need their profile or token; the folders depend on the machine.
    const derived = new Set(['feeds.soundcloudLikes', 'feeds.spotifyLikes', 'stateDir', 'paths.outDir']);
    for (const key of settings.filter((k) => k.default !== undefined && !derived.has(k.path))) {
      expect({ key: key.path, value: valueAt(config, key.path) }).toEqual({ key: key.path, value: key.default!.value });
    }
    expect(Object.isFrozen(config.media.tools)).toBe(true);
    expect(Object.isFrozen(config.routing.taskTypes)).toBe(true);
    expect(() => ((config.media as { maxBpm: number }).maxBpm = 1)).toThrow(TypeError);
  });

  it('merges the config file < .env < the environment, key by key', () => {
    const cwd = fresh();
    const file = join(cwd, 'config.json');
    writeFileSync(
      file,
      JSON.stringify({
        logging: { level: 'debug' },
        http: { port: 9000, host: '127.0.0.2' },
        paths: { outDir: '/Music/from-file' },
        media: { maxDownloadMb: 100 },
      }),
    );
    writeFileSync(join(cwd, '.env'), 'TRACKSYNC_LOG_LEVEL=warn\nTRACKSYNC_HTTP_PORT=9001\n');
    const config = loadConfig({
      env: { ...base, TRACKSYNC_CONFIG: file, TRACKSYNC_LOG_LEVEL: 'error', TRACKSYNC_MAX_DOWNLOAD_MB: '200' },
      cwd,
    });
    expect(config.logging.level).toBe('error');
    expect(config.http).toMatchObject({ port: 9001, host: '127.0.0.2' });
    expect(config.paths.outDir).toBe('/Music/from-file');
    expect(config.media.maxDownloadMb).toBe(200);
    expect(config.configFile).toBe(file);
    // "off" switches the server off; an empty variable is an unset one (templates carry "NAME=" lines).
    expect(
      loadConfig({
        env: { ...base, TRACKSYNC_CONFIG: file, TRACKSYNC_HTTP_PORT: 'off', TRACKSYNC_LOG_LEVEL: '' },
        cwd: fresh(),
      }).http.port,
    ).toBeNull();
    expect(
      loadConfig({ env: { ...base, TRACKSYNC_CONFIG: file, TRACKSYNC_LOG_LEVEL: '' }, cwd: fresh() }).logging.level,
    ).toBe('debug');
  });

  it('finds the file: configPath, else TRACKSYNC_CONFIG, else the conventional places (macOS Application Support last)', () => {
    const home = fresh();
    const write = (path: string, maxItems: number): string => {
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, JSON.stringify({ concurrency: { maxItems } }));
      return path;
    };
    const support = write(join(home, 'Library', 'Application Support', 'tracksync', 'config.json'), 3);
    const load = (env: Record<string, string>, options: { configPath?: string; platform?: NodeJS.Platform } = {}) =>
      loadConfig({
        env: { ...base, HOME: home, ...env },
        cwd: home,
        platform: options.platform ?? 'darwin',
        ...(options.configPath ? { configPath: options.configPath } : {}),
      });
    expect(load({}).concurrency.maxItems).toBe(3);
    expect(load({}).configFile).toBe(support);
    expect(load({}, { platform: 'linux' }).configFile).toBeUndefined();
    const dotConfig = write(join(home, '.config', 'tracksync', 'config.json'), 4);
    expect(load({}).configFile).toBe(dotConfig);
    const xdg = write(join(home, 'xdg', 'tracksync', 'config.json'), 5);
    expect(load({ XDG_CONFIG_HOME: join(home, 'xdg') }).concurrency.maxItems).toBe(5);
    const named = write(join(home, 'named.json'), 6);
    expect(load({ XDG_CONFIG_HOME: join(home, 'xdg'), TRACKSYNC_CONFIG: named }).concurrency.maxItems).toBe(6);
    const option = write(join(home, 'option.json'), 7);
    expect(load({ TRACKSYNC_CONFIG: named }, { configPath: 'option.json' }).configFile).toBe(option);
    // Set but empty: no file at all, not even a conventional one.
    expect(load({ TRACKSYNC_CONFIG: '' }).configFile).toBeUndefined();
    expect(xdg).not.toBe(dotConfig);
    // A named file that is not there is an error; a conventional place that is empty is skipped.
    expect(problemsOf(() => load({}, { configPath: join(home, 'missing.json') }))).toEqual([
      `--config: there is no file at "${join(home, 'missing.json')}"; create it, or name another file`,
    ]);
  });

  it('refuses secrets in the config file, saying where they belong', () => {
    const cwd = fresh();
    const file = join(cwd, 'config.json');
    writeFileSync(
      file,
      JSON.stringify({ notion: { token: 'ntn_in_the_file_1234567890' }, spotify: { clientSecret: 'abc' } }),
    );
    const problems = problemsOf(() => loadConfig({ env: { ...base, TRACKSYNC_CONFIG: file }, cwd }));
    expect(problems).toHaveLength(2);
    expect(problems[0]).toContain('notion.token is a secret and is not read from a config file');
    expect(problems[0]).toContain('tracksync secrets set NOTION_TOKEN');
    expect(problems[1]).toContain('tracksync secrets set SPOTIFY_CLIENT_SECRET');
    expect(problems.join('\n')).not.toContain('ntn_in_the_file');
  });

  it('suggests the nearest key by edit distance over the whole dotted path, and nothing far-fetched', () => {
    const paths = keys.map((k) => k.path);
    expect(nearestKey('media.maxDownloadMB', paths)).toBe('media.maxDownloadMb');
    expect(nearestKey('concurency.maxItem', paths)).toBe('concurrency.maxItems');
    expect(nearestKey('http.prot', paths)).toBe('http.port');
    expect(nearestKey('colour', paths)).toBeUndefined();
  });

  it('finds where JSON stops being JSON, for errors V8 gives no position for too', () => {
    const at = (text: string): number => jsonErrorOffset(text);
    expect(at('{"a": 1,}')).toBe(8);
    expect(at('{"a": 1 "b": 2}')).toBe(8);
    expect(at("{'a': 1}")).toBe(1);
    expect(at('{"a": tru}')).toBe(9);
    expect(at('{"a": 1}}')).toBe(8);
    expect(at('{"a": "x')).toBe(8);
    expect(at('')).toBe(0);
    expect(at('{"a": [1, 2,]}')).toBe(12);
    // Where V8 does say a position, the two agree.
    for (const text of ['{"a": 1,}', '{"a": 1 "b": 2}', '[1, 2,]']) {
      let v8: number | undefined;
      try {
        JSON.parse(text);
      } catch (error) {
        const match = /position (\d+)/.exec((error as Error).message);
        v8 = match ? Number(match[1]) : undefined;
      }
      if (v8 !== undefined) expect(at(text)).toBe(v8);
    }
  });
});
