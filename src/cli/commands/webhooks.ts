import { join } from 'node:path';
import { Store } from '../../../state/store.js';
import { CONSTANTS } from '../../config/constants.js';
import { stateDirFrom } from '../../config/load.js';
import { secretsFile } from '../../config/secrets.js';
import { STATUS_URL_KEY, WEBHOOK_PATH, WEBHOOK_WINDOW_KEY, WEBHOOK_WINDOW_REPLACE_KEY } from '../../server/http.js';
import { print, type CliIO } from '../io.js';
import { usageError } from '../usage.js';

/**
 * `tracksync webhooks listen [--minutes N] [--replace]`: opens a window (5 minutes by default) in which the running
 * daemon accepts Notion's webhook verification request. Outside it the request is refused, so nobody else can plant
 * the HMAC key first; --replace lets it replace a token already stored. The window lives in the daemon's SQLite state,
 * which both processes share.
 */
export async function webhooksCommand(values: { minutes?: string; replace?: boolean }, io: CliIO): Promise<number> {
  const minutes =
    values.minutes === undefined ? CONSTANTS.webhooks.verificationWindowMs / 60_000 : Number(values.minutes);
  if (!Number.isFinite(minutes) || minutes <= 0 || minutes > 60)
    throw usageError(`--minutes must be a number of minutes from 1 to 60; got "${values.minutes}"`);
  const stateDir = stateDirFrom(io.env, io.cwd);
  const store = Store.open(join(stateDir, 'tracksync.sqlite'));
  try {
    const until = Date.now() + Math.round(minutes * 60_000);
    store.setMeta(WEBHOOK_WINDOW_KEY, String(until));
    store.setMeta(WEBHOOK_WINDOW_REPLACE_KEY, values.replace ? '1' : '0');
    const url = store.getMeta(STATUS_URL_KEY);
    print(
      io.stdout,
      `Until ${new Date(until).toLocaleTimeString()} the daemon accepts one Notion webhook verification request${values.replace ? ' (it replaces the stored token)' : ''}.`,
    );
    print(
      io.stdout,
      `Now create the subscription in the integration's Webhooks tab, with the public URL of your tunnel to ${url ?? 'the status server'}${WEBHOOK_PATH}.`,
    );
    print(
      io.stdout,
      `The token lands in ${secretsFile(stateDir)}; then run "tracksync secrets get NOTION_WEBHOOK_TOKEN" and paste it into Notion to verify the subscription.`,
    );
    return 0;
  } finally {
    store.close();
  }
}
