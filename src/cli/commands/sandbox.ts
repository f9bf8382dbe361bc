import { startSandbox } from '../../sandbox/server.js';
import { print, type CliIO } from '../io.js';
import { usageError } from '../usage.js';

/**
 * `tracksync sandbox [--port P] [--empty] [--webhook URL] [--webhook-delay-ms MS] [--lenient-filters]`: the local
 * Notion, until Ctrl-C. Prints the environment to use it. --webhook subscribes a receiver (a running `tracksync run`:
 * http://127.0.0.1:7717/webhooks/notion) to signed page events, as a Notion integration's webhook subscription would
 * (run `tracksync webhooks listen` first, as with the real Notion: the daemon takes the verification request only
 * inside that window); they arrive after Notion's documented bound of a minute unless --webhook-delay-ms says
 * otherwise. --lenient-filters makes text filters ignore case (strict, case-sensitive filters are the default).
 */
export async function sandboxCommand(
  _args: string[],
  values: { port?: string; empty?: boolean; webhook?: string; webhookDelayMs?: string; lenientFilters?: boolean },
  io: CliIO,
): Promise<number> {
  const port = Number(values.port ?? '7718');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw usageError(`--port must be a TCP port number (0-65535), got "${values.port}"`);
  const delayMs = values.webhookDelayMs === undefined ? undefined : Number(values.webhookDelayMs);
  if (delayMs !== undefined && !(Number.isInteger(delayMs) && delayMs >= 0)) throw usageError(`--webhook-delay-ms must be a whole number of milliseconds, got "${values.webhookDelayMs}"`);
  const sandbox = await startSandbox({ port, sampleRows: !values.empty, filterMode: values.lenientFilters ? 'lenient' : 'strict' });
  print(io.stdout, `# The local Notion is listening on ${sandbox.url} (127.0.0.1 only). Point tracksync at it with:`);
  for (const [key, value] of Object.entries(sandbox.env())) print(io.stdout, `export ${key}=${value}`);
  print(io.stdout, `# Agent page for routing by assignment: ${sandbox.ids.tracksyncAgentPageId}`);
  if (values.webhook !== undefined) {
    if (!URL.canParse(values.webhook)) throw usageError(`--webhook must be the receiver's URL, such as http://127.0.0.1:7717/webhooks/notion; got "${values.webhook}"`);
    const subscription = await sandbox.subscribeWebhook({ url: values.webhook, ...(delayMs === undefined ? {} : { aggregationDelayMs: delayMs }) });
    print(io.stdout, `# Webhook subscription ${subscription.subscriptionId}: verification sent to ${values.webhook} (answer: ${subscription.handshakeStatus}).`);
    // The daemon takes a verification request only inside a window the user opened (server/webhooks.ts).
    if (subscription.handshakeStatus === 403) print(io.stdout, '# Refused: run "tracksync webhooks listen" for the daemon first, then start the sandbox with --webhook again.');
    print(io.stdout, '# Page events in the three databases are now delivered there, signed with the verification token.');
  }
  print(io.stdout, '# Press Ctrl-C to stop it (its data lives in memory).');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await sandbox.close();
  return 0;
}
