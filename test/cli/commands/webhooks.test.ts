import { join } from 'node:path';
import { Store } from '../../../state/store.js';
import { WEBHOOK_WINDOW_KEY, WEBHOOK_WINDOW_REPLACE_KEY } from '../../../src/server/http.js';
import { cli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';

// `tracksync webhooks listen` opens the short window in which the running daemon accepts Notion's verification request
// (so nobody else can plant the signing key first); the window lives in the state both processes share.
describe('tracksync webhooks listen (the CLI as a subprocess)', () => {
  const dir = tempDir('tracksync-webhooks-');
  const stateDir = join(dir, 'state');
  const env = { TRACKSYNC_STATE_DIR: stateDir };
  const window = (): { until: number; replace: string | undefined } => {
    const store = Store.open(join(stateDir, 'tracksync.sqlite'));
    try {
      return { until: Number(store.getMeta(WEBHOOK_WINDOW_KEY)), replace: store.getMeta(WEBHOOK_WINDOW_REPLACE_KEY) };
    } finally {
      store.close();
    }
  };

  it('opens a window of the minutes asked for, says what to do next, and where the token will land', async () => {
    const before = Date.now();
    const result = await cli(['webhooks', 'listen', '--minutes', '10'], env);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('the daemon accepts one Notion webhook verification request.');
    expect(result.stdout).toContain('Webhooks tab');
    expect(result.stdout).toContain(join(stateDir, 'secrets.env'));
    expect(result.stdout).toContain('tracksync secrets get NOTION_WEBHOOK_TOKEN');
    const opened = window();
    // Ten minutes from the moment the command ran (the bounds are the moments before and after it).
    expect(opened.until).toBeGreaterThanOrEqual(before + 10 * 60_000);
    expect(opened.until).toBeLessThanOrEqual(Date.now() + 10 * 60_000);
    expect(opened.replace).toBe('0');
  });

  it('--replace lets the verification replace a stored token, and says so', async () => {
    const result = await cli(['webhooks', 'listen', '--replace'], env);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('(it replaces the stored token)');
    expect(window().replace).toBe('1');
  });

  it('refuses a window that is not 1 to 60 minutes, naming the option and the value, with exit 2', async () => {
    for (const minutes of ['0', '90', 'soon']) {
      const result = await cli(['webhooks', 'listen', '--minutes', minutes], env);
      expect(result.exitCode, minutes).toBe(2);
      expect(result.stderr, minutes).toContain(`--minutes must be a number of minutes from 1 to 60; got "${minutes}"`);
    }
  });
});
