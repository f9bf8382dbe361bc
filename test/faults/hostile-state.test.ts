import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../../state/store.js';
import { secretsFile, storeSecret } from '../../src/config/secrets.js';
import { ConfigError } from '../../src/errors.js';
import { toRichText } from '../../src/notion/codecs.js';
import { cli, waitFor } from '../helpers/cli.js';
import { title, withSandbox } from '../helpers/notion.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * Secrets and state against hostile or broken surroundings, through the CLI (issue 17): secret values that break a
 * naive .env writer, a server that echoes the credentials back in every encoding, who may read the state directory,
 * its SQLite files and the RETURN handoff files, daemons racing for a stale lock, and a state that is corrupt, a file,
 * read-only or unreadable.
 */
describe('secrets and state, through the CLI', async () => {
  const sandbox = await withSandbox();
  const dir = tempDir();
  const configPath = join(dir, 'config.json');
  writeFileSync(
    configPath,
    JSON.stringify({ claims: { settleMs: 50 }, links: { enabled: false }, schedule: { cycleCron: '0 0 1 1 *' } }),
  );
  const env = (state: string, extra: Record<string, string> = {}) => ({
    ...sandbox.env(),
    TRACKSYNC_STATE_DIR: join(dir, state),
    TRACKSYNC_CONFIG: configPath,
    TRACKSYNC_HTTP_PORT: '0',
    ...extra,
  });

  it('secrets.env keeps every value exactly, save after save, and refuses a line break with a message', async () => {
    const state = { TRACKSYNC_STATE_DIR: join(dir, 'secrets-state') };
    const value = `q"uo'te \\back\\\\slash #not-a-comment =equals $HOME \`tick\` ünï`;
    const set = (name: string, input: string) =>
      cli(['secrets', 'set', name, '--secrets-file'], state, { input, cwd: dir });
    expect((await set('SPOTIFY_CLIENT_SECRET', value)).exitCode).toBe(0);
    for (let save = 0; save < 3; save += 1) expect((await set('EAGLE_TOKEN', `eagle-token-${save}`)).exitCode).toBe(0);
    const get = await cli(['secrets', 'get', 'SPOTIFY_CLIENT_SECRET'], state, { cwd: dir });
    expect(get.stdout).toBe(value);
    expect((await cli(['secrets', 'get', 'EAGLE_TOKEN'], state, { cwd: dir })).stdout).toBe('eagle-token-2');
    const twoLines = await set('NOTION_TOKEN', 'ntn_first_line\nsecond line\n');
    expect(twoLines.exitCode).toBe(2);
    expect(twoLines.stderr).toContain('more than one line');
    expect(readFileSync(secretsFile(join(dir, 'secrets-state')), 'utf8')).not.toContain('ntn_first_line');
    expect(() => storeSecret(join(dir, 'secrets-state'), 'NOTION_TOKEN', 'a\rb', { os: 'linux' })).toThrow(ConfigError);
  });

  it('a server that echoes the credentials back (raw, URL-encoded, base64) gets them into no error, log, status or Notion text', async () => {
    const clientId = 'leaky-client-id';
    const secret = 'sp0tify secret/with+special&chars=42';
    const echo = createServer((req, res) => {
      // The accounts service answers with everything it was sent: the Basic header (base64 of id:secret) and more.
      const auth = String(req.headers.authorization ?? '');
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: `invalid_client: rejected ${auth} (secret ${encodeURIComponent(secret)}, raw ${secret}, alone ${Buffer.from(secret).toString('base64')})`,
        }),
      );
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
    try {
      const id = sandbox.workspace.createPage({
        parent: { data_source_id: sandbox.ids.tracks.dataSourceId },
        properties: { Title: title(''), 'Spotify ID': { rich_text: toRichText('4uLU6hMCjMI75M1A2tKUQC') } },
      }).id;
      const leakyEnv = env('leaky-state', {
        SPOTIFY_CLIENT_ID: clientId,
        SPOTIFY_CLIENT_SECRET: secret,
        SPOTIFY_ACCOUNTS_BASE_URL: base,
        SPOTIFY_API_BASE_URL: base,
      });
      const once = await cli(['once'], leakyEnv);
      expect(once.exitCode, once.stderr.slice(-2000)).toBe(0);
      const status = await cli(['status'], leakyEnv);
      const store = Store.open(join(dir, 'leaky-state', 'tracksync.sqlite'));
      const item = store.items.getItemByPage('tracks', id)!;
      const stored = JSON.stringify([
        store.db.prepare('SELECT * FROM items').all(),
        store.db.prepare('SELECT * FROM attempts').all(),
        store.db.prepare('SELECT * FROM runs').all(),
      ]);
      store.close();
      expect(item).toMatchObject({ state: 'failed', last_error_code: 'SPOTIFY_UNAUTHORIZED' });
      // The reason still says what happened, with the secret parts blanked.
      expect(item.last_error_message).toContain('invalid_client: rejected Basic');
      expect(item.last_error_message).toContain('[redacted]');
      const notion = JSON.stringify([
        sandbox.workspace.comments(),
        ...Object.values(sandbox.ids).flatMap((v) =>
          typeof v === 'object' && v && 'dataSourceId' in v
            ? sandbox.workspace.allPages((v as { dataSourceId: string }).dataSourceId)
            : [],
        ),
      ]);
      expect(notion).toContain('invalid_client');
      const forms = [
        secret,
        encodeURIComponent(secret),
        Buffer.from(secret).toString('base64'),
        Buffer.from(`${clientId}:${secret}`).toString('base64'),
        JSON.stringify(secret).slice(1, -1),
      ];
      for (const [where, text] of Object.entries({
        notion,
        status: status.stdout + status.stderr,
        log: once.stderr,
        sqlite: stored,
      })) {
        for (const form of forms) expect(text.includes(form), `${where} holds ${form}`).toBe(false);
      }
    } finally {
      echo.close();
    }
  }, 120_000);

  it("keeps the state directory 0700, its SQLite files 0600 (WAL and shared memory too), and RETURN files with their folder's mode", async () => {
    const state = join(dir, 'modes-state');
    const returnPrivate = join(dir, 'handoff-private');
    const returnShared = join(dir, 'handoff-shared');
    for (const [folder, mode] of [
      [returnPrivate, 0o700],
      [returnShared, 0o770],
    ] as const) {
      mkdirSync(folder, { recursive: true });
      chmodSync(folder, mode);
    }
    const task = (name: string) =>
      sandbox.workspace.createPage({
        parent: { data_source_id: sandbox.ids.tasks.dataSourceId },
        properties: {
          'Task Name': title(`Music sync ${name}`),
          Status: { status: { name: 'Ready' } },
          Description: { rich_text: toRichText('https://soundcloud.com/discover') },
        },
      });
    const handoffConfig = (folder: string) => {
      const path = join(dir, `${folder.split('/').pop()}.json`);
      writeFileSync(
        path,
        JSON.stringify({
          claims: { settleMs: 50 },
          links: { enabled: false },
          schedule: { cycleCron: '0 0 1 1 *' },
          handoff: { returnFolder: folder },
        }),
      );
      return path;
    };
    task('private');
    const running = cli(['run'], env('modes-state', { TRACKSYNC_CONFIG: handoffConfig(returnPrivate) }));
    let stderr = '';
    running.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    try {
      await waitFor(() => readdirSync(returnPrivate).some((f) => f.includes('__RETURN__')), 'the RETURN file', 60_000);
      const mode = (path: string) => statSync(path).mode & 0o777;
      expect(mode(state)).toBe(0o700);
      for (const file of [
        'tracksync.sqlite',
        'tracksync.sqlite-wal',
        'tracksync.sqlite-shm',
        'daemon.lock.sqlite',
        'daemon.pid',
      ])
        expect(mode(join(state, file)), file).toBe(0o600);
      const file = readdirSync(returnPrivate).find((f) => f.includes('__RETURN__'))!;
      expect(mode(join(returnPrivate, file))).toBe(0o600);
    } finally {
      running.kill('SIGTERM');
      expect((await running).exitCode, stderr.slice(-2000)).toBe(0);
    }
    task('shared');
    expect((await cli(['once'], env('modes-state', { TRACKSYNC_CONFIG: handoffConfig(returnShared) }))).exitCode).toBe(
      0,
    );
    const shared = readdirSync(returnShared).filter((f) => f.includes('__RETURN__'));
    expect(shared).toHaveLength(1);
    expect(statSync(join(returnShared, shared[0]!)).mode & 0o777).toBe(0o660);
  }, 120_000);

  it('of daemons started at the same instant on a stale lock, exactly one runs; the others exit 2 naming it', async () => {
    const state = join(dir, 'race-state');
    mkdirSync(state, { recursive: true });
    writeFileSync(join(state, 'daemon.lock'), '999999\n'); // the pid file a crashed daemon left
    const racers = Array.from({ length: 4 }, () => {
      const child = cli(['run'], env('race-state'));
      const racer = { child, stderr: '', exited: false, started: false };
      child.stderr!.on('data', (c: Buffer) => {
        racer.stderr += c.toString();
        racer.started ||= racer.stderr.includes('"msg":"tracksync daemon started"');
      });
      void child.then(() => (racer.exited = true));
      return racer;
    });
    try {
      await waitFor(() => racers.every((r) => r.exited || r.started), 'every racer to start or give up', 60_000);
      expect(racers.filter((r) => r.started)).toHaveLength(1);
      for (const loser of racers.filter((r) => !r.started)) {
        expect((await loser.child).exitCode).toBe(2);
        expect(loser.stderr).toMatch(/another tracksync \(pid \d+\) is already running on this state directory/);
      }
    } finally {
      for (const r of racers) if (!r.exited) r.child.kill('SIGTERM');
      for (const r of racers) await r.child;
    }
  }, 120_000);

  it('a corrupt, unreadable or read-only state, or a file in its place: exit 2 naming the path and the fix, the file left alone', async () => {
    const corrupt = join(dir, 'corrupt-state');
    mkdirSync(corrupt, { recursive: true });
    const garbage = 'this is not a SQLite database\n'.repeat(200);
    writeFileSync(join(corrupt, 'tracksync.sqlite'), garbage);
    for (const command of [['once'], ['status']]) {
      const result = await cli(command, env('corrupt-state'));
      expect(result.exitCode, command[0]).toBe(2);
      expect(result.stderr, command[0]).toContain(
        `${join(corrupt, 'tracksync.sqlite')} is not a readable SQLite database`,
      );
      expect(result.stderr, command[0]).toContain(`mv "${join(corrupt, 'tracksync.sqlite')}"`);
      expect(result.stderr, command[0]).not.toContain('internal error');
    }
    expect(readFileSync(join(corrupt, 'tracksync.sqlite'), 'utf8')).toBe(garbage);

    writeFileSync(join(dir, 'state-is-a-file'), 'notes\n');
    const fileResult = await cli(['once'], env('state-is-a-file'));
    expect(fileResult.exitCode).toBe(2);
    expect(fileResult.stderr).toContain(
      `the state directory ${join(dir, 'state-is-a-file')} is a file, not a folder: move it aside`,
    );
    expect(readFileSync(join(dir, 'state-is-a-file'), 'utf8')).toBe('notes\n');

    // Without access: by permissions; as root (which ignores them) with root's override capabilities dropped.
    const asRoot = process.getuid?.() === 0;
    const open = mkdtempSync(join(tmpdir(), 'tracksync-access-'));
    try {
      const readOnly = join(open, 'read-only');
      mkdirSync(readOnly);
      chmodSync(readOnly, 0o500);
      const unreadable = join(open, 'unreadable');
      mkdirSync(unreadable);
      writeFileSync(join(unreadable, 'tracksync.sqlite'), '');
      chmodSync(join(unreadable, 'tracksync.sqlite'), 0o000);
      const as = { withoutRootAccess: asRoot };
      const base = { ...sandbox.env(), TRACKSYNC_HTTP_PORT: '0' };
      const ro = await cli(['once'], { ...base, TRACKSYNC_STATE_DIR: readOnly }, { ...as, cwd: open });
      expect(ro.exitCode, ro.stderr).toBe(2);
      expect(ro.stderr).toContain(`the state directory ${readOnly} is read-only for this user`);
      const nr = await cli(['once'], { ...base, TRACKSYNC_STATE_DIR: unreadable }, { ...as, cwd: open });
      expect(nr.exitCode, nr.stderr).toBe(2);
      expect(nr.stderr).toContain(`${join(unreadable, 'tracksync.sqlite')} cannot be opened for reading and writing`);
      expect(existsSync(join(unreadable, 'tracksync.sqlite'))).toBe(true);
    } finally {
      rmSync(open, { recursive: true, force: true });
    }
  }, 120_000);
});
