import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMediaServer } from '../../sandbox/media-server.js';
import { seedOfflineSamples, type SeededSamples } from '../../sandbox/samples.js';
import { startSandbox } from '../../sandbox/server.js';
import { startSpotifyServer } from '../../sandbox/spotify-server.js';
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
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw usageError(`--port must be a TCP port number (0-65535), got "${values.port}"`);
  const delayMs = values.webhookDelayMs === undefined ? undefined : Number(values.webhookDelayMs);
  if (delayMs !== undefined && !(Number.isInteger(delayMs) && delayMs >= 0))
    throw usageError(`--webhook-delay-ms must be a whole number of milliseconds, got "${values.webhookDelayMs}"`);
  const sandbox = await startSandbox({
    port,
    sampleRows: false,
    filterMode: values.lenientFilters ? 'lenient' : 'strict',
  });
  // Everything it makes (served audio, synced files, state) lives in one folder of its own, removed at the end.
  const dir = mkdtempSync(join(tmpdir(), 'tracksync-sandbox-'));
  const media = await startMediaServer({ dir: join(dir, 'served') });
  const spotify = await startSpotifyServer();
  const stop = async (): Promise<void> => {
    await Promise.all([sandbox.close(), media.close(), spotify.close()]);
  };
  let samples: SeededSamples | undefined;
  try {
    if (!values.empty)
      samples = await seedOfflineSamples(sandbox.workspace, sandbox.ids, media, spotify, join(dir, 'samples'));
  } catch (error) {
    await stop();
    throw error;
  }
  const configPath = join(dir, 'config.json');
  // The searches go to the local media site's YouTube- and SoundCloud-like search instead of the real sites.
  writeFileSync(configPath, JSON.stringify({ search: media.search, playlists: { appleMusic: false } }, null, 2));
  const env: Record<string, string> = {
    ...sandbox.env(),
    SPOTIFY_CLIENT_ID: spotify.clientId,
    SPOTIFY_CLIENT_SECRET: spotify.clientSecret,
    SPOTIFY_API_BASE_URL: spotify.apiBaseUrl,
    SPOTIFY_ACCOUNTS_BASE_URL: spotify.accountsBaseUrl,
    // tracksync refuses to download from this machine unless allowed: only the media site's port is.
    TRACKSYNC_ALLOW_PRIVATE_HOSTS: media.hostPort,
    TRACKSYNC_CONFIG: configPath,
    TRACKSYNC_STATE_DIR: join(dir, 'state'),
    OUT_DIR: join(dir, 'Music', 'Playlists'),
    BACKUP_DIR: join(dir, 'Music', 'Djay-Pro-Auto-Import'),
    WAV_BACKUP_DIR: join(dir, 'Music', 'Apple-Music-Auto-Add'),
  };
  print(
    io.stdout,
    `# A local Notion (${sandbox.url}), media site (${media.url}) and Spotify (${spotify.apiBaseUrl}), on 127.0.0.1 only.`,
  );
  print(io.stdout, '# Paste these lines into another shell to point tracksync at them:');
  for (const [key, value] of Object.entries(env)) print(io.stdout, `export ${key}=${shellQuote(value)}`);
  print(io.stdout, `# Agent page for routing by assignment: ${sandbox.ids.tracksyncAgentPageId}`);
  if (samples) {
    print(io.stdout, '# Sample rows in Music Tracks:');
    for (const row of samples.rows) print(io.stdout, `#   ${row.artist} - ${row.title}: ${row.standsFor}`);
    print(io.stdout, '# Then, in that shell:');
    print(io.stdout, 'tracksync once');
    print(io.stdout, `tracksync sync ${samples.syncUrl}`);
  }
  print(io.stdout, '# Press Ctrl-C to stop it (its data lives in memory).');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await stop();
  rmSync(dir, { recursive: true, force: true });
  return 0;
}

/** A value as a POSIX shell reads it back: bare when it is safe, else in single quotes. */
function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`;
}
