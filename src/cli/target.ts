import type { Store } from '../../state/store.js';
import { systemClock } from '../clock.js';
import { parseNotionId } from '../config/load.js';
import { silentLogger } from '../log.js';
import { gatewayFromConfig, type NotionGateway } from '../notion/gateway.js';
import { loadSchemas, type Schemas } from '../notion/schemas.js';
import { findTrackRow } from '../domain/lookup.js';
import { classifyUrl } from '../domain/urls.js';
import type { Runtime } from './runtime.js';
import { usageError } from './usage.js';

/** A gateway and the live schemas, for commands that work on Notion outside the daemon. */
export async function openNotion(runtime: Runtime, store: Store): Promise<{ notion: NotionGateway; schemas: Schemas }> {
  const notion = gatewayFromConfig(runtime.config, silentLogger(), { store: store.notion });
  const schemas = await loadSchemas({
    notion,
    store,
    config: runtime.config,
    clock: systemClock,
    logger: silentLogger(),
  });
  return { notion, schemas };
}

/** The Music Tracks page a command argument names: a Notion page id or URL, or a track URL held by a row. */
export async function trackPageId(target: string, runtime: Runtime, store: Store, usage: string): Promise<string> {
  const id = parseNotionId(target);
  if (id && !(/^https?:/.test(target) && !/notion\.(so|site)/.test(target))) return id;
  const classified = classifyUrl(target);
  if (!classified.ok)
    throw usageError(`"${target}" is neither a Notion page id nor a track URL: ${classified.reason}. ${usage}`);
  const { notion, schemas } = await openNotion(runtime, store);
  const page = await findTrackRow(notion, schemas.tracks, classified.value);
  if (!page) throw usageError(`no Music Tracks row holds ${classified.value.url}`);
  return page.id;
}
