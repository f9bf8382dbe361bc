import { systemClock } from '../../src/clock.js';
import { silentLogger } from '../../src/log.js';
import { NotionGateway, type NotionGatewayOptions } from '../../src/notion/gateway.js';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/server.js';

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
