import { join } from 'node:path';
import { Store } from '../../../state/store.js';
import { systemClock } from '../../clock.js';
import { print, type CliIO } from '../io.js';
import { loadRuntime } from '../runtime.js';
import { trackPageId } from '../target.js';
import { usageError } from '../usage.js';

/** `tracksync retry <page-id|url>`: forgets a give-up and queues the item now; the (running) daemon picks it up. */
export async function retryCommand(args: string[], _options: Record<string, unknown>, io: CliIO): Promise<number> {
  const [target] = args;
  if (!target)
    throw usageError('give one Notion page id (or page URL) or one track URL: tracksync retry <page-id|url>');
  const runtime = loadRuntime(io);
  const store = Store.open(join(runtime.config.stateDir, 'tracksync.sqlite'));
  try {
    const pageId = await trackPageId(target, runtime, store, 'tracksync retry <page-id|url>');
    const items = store.items.findItemsByPage(pageId);
    if (items.length === 0)
      throw usageError(
        `tracksync has no record of page ${pageId}; if the row is eligible the daemon takes it at its next cycle`,
      );
    for (const item of items) {
      if (store.items.resetItemForRetry(item.id, systemClock.now()))
        print(
          io.stdout,
          `requeued: ${item.title} (${item.source}, was ${item.state}${item.last_error_code ? `: ${item.last_error_code}` : ''})`,
        );
      else print(io.stdout, `${item.title} is being processed right now; nothing to do`);
    }
    return 0;
  } finally {
    store.close();
  }
}
