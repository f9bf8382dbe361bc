import { parseArgs } from 'node:util';
import { startSandbox } from '../../sandbox/server.js';
import { print, type CliIO } from '../io.js';
import { usageError } from '../usage.js';

/** `tracksync sandbox [--port P] [--empty]`: the local Notion, until Ctrl-C. Prints the environment to use it. */
export async function sandboxCommand(args: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({ args, options: { port: { type: 'string', default: '7718' }, empty: { type: 'boolean', default: false } } });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw usageError(`--port must be a TCP port number (0-65535), got "${values.port}"`);
  const sandbox = await startSandbox({ port, sampleRows: !values.empty });
  print(io.stdout, `# The local Notion is listening on ${sandbox.url} (127.0.0.1 only). Point tracksync at it with:`);
  for (const [key, value] of Object.entries(sandbox.env())) print(io.stdout, `export ${key}=${value}`);
  print(io.stdout, `# Agent page for routing by assignment: ${sandbox.ids.tracksyncAgentPageId}`);
  print(io.stdout, '# Press Ctrl-C to stop it (its data lives in memory).');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await sandbox.close();
  return 0;
}
