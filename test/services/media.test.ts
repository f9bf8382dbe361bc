import { loadConfig } from '../../src/config/load.js';
import { systemClock } from '../../src/clock.js';
import { Services } from '../../src/engine/services.js';
import { silentLogger } from '../../src/log.js';
import { nodeFiles } from '../../src/media/files.js';
import {
  ARTISTS,
  MEDIA,
  artistDirectory,
  registerMediaServices,
  type MediaServices,
} from '../../src/services/media.js';
import { gatewayFor, withSandbox } from '../helpers/notion.js';

// Handlers find their tools through the registry: one set per daemon, the injected boundaries used when given.
describe('media services', async () => {
  const sandbox = await withSandbox();
  const config = loadConfig({ env: { ...sandbox.env() }, cwd: '/' });

  it('registers one set of tools, with the real network and file system unless others are given', () => {
    const services = new Services();
    registerMediaServices(services, config, silentLogger(), systemClock);
    const media = services.require<MediaServices>(MEDIA);
    expect(media.files).toBe(nodeFiles);
    expect(media.spotify).toBeUndefined(); // no Spotify credentials in this environment
    const fake = (() => Promise.reject(new Error('offline'))) as unknown as typeof fetch;
    const files = { ...nodeFiles };
    const other = new Services();
    registerMediaServices(other, config, silentLogger(), systemClock, { fetch: fake, files });
    expect(other.require<MediaServices>(MEDIA)).toMatchObject({ fetch: fake, files });
  });

  it('creates the artist directory once and shares it', () => {
    const services = new Services();
    const notion = gatewayFor(sandbox);
    const first = artistDirectory(services, notion, silentLogger());
    expect(artistDirectory(services, notion, silentLogger())).toBe(first);
    expect(services.get(ARTISTS)).toBe(first);
  });
});
