import { systemClock } from '../../src/clock.js';
import { silentLogger } from '../../src/log.js';
import { NotionGateway, type NotionGatewayOptions } from '../../src/notion/gateway.js';
import { resolveSchema, type DataSourceProperties, type ResolvedSchema } from '../../src/notion/schema.js';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/server.js';
import { seedWorkspace } from '../../src/sandbox/seed.js';
import { Workspace } from '../../src/sandbox/workspace.js';

/** A sandbox for one test file, closed after it. */
export async function withSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const sandbox = await startSandbox({ sampleRows: false, ...options });
  afterAll(() => sandbox.close());
  return sandbox;
}

/** A real gateway over real HTTP to the sandbox, with delays compressed so fault tests stay short. */
export function gatewayFor(sandbox: Sandbox, options: Partial<NotionGatewayOptions> = {}): NotionGateway {
  return new NotionGateway({
    token: sandbox.token,
    baseUrl: sandbox.url,
    clock: systemClock,
    logger: silentLogger(),
    requestsPerSecond: 200,
    burstPerSecond: 200,
    retryBaseDelayMs: 5,
    retryMaxDelayMs: 50,
    ...options,
  });
}

export const title = (content: string) => ({ title: [{ text: { content } }] });
export const text = (content: string) => ({ rich_text: [{ text: { content } }] });

/** A database's schema as tracksync resolves it against the user's live workspace (seeded in memory, no server). */
export function seededSchema<D extends 'tracks' | 'artists' | 'tasks' | 'playlists'>(database: D): ResolvedSchema<D> {
  const workspace = new Workspace({ now: () => Date.now() });
  const ids = seedWorkspace(workspace, { seed: true, sampleRows: false });
  const source = workspace.retrieveDataSource(ids[database].dataSourceId) as unknown as DataSourceProperties;
  const { schema, problems } = resolveSchema(database, ids[database].databaseId, source);
  if (problems.length > 0) throw new Error(problems.join('\n'));
  return schema;
}
