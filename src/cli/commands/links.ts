import { join } from 'node:path';
import { Store } from '../../../state/store.js';
import { systemClock } from '../../clock.js';
import { Services } from '../../engine/services.js';
import { findLinks } from '../../app/links.js';
import { MEDIA, registerMediaServices, type MediaServices } from '../../services/media.js';
import { print, table, type CliIO } from '../io.js';
import { loadRuntime } from '../runtime.js';
import { openNotion, trackPageId } from '../target.js';
import { usageError } from '../usage.js';

const USAGE = 'usage: tracksync links <page-id|url> [--json]';

/**
 * `tracksync links <page|url>`: looks for the Spotify, YouTube and SoundCloud links a Music Tracks row lacks, now, and
 * writes those that match and answer. Prints every platform's outcome and the candidates with their scores.
 */
export async function linksCommand(positionals: string[], values: { json?: boolean }, io: CliIO): Promise<number> {
  if (positionals.length !== 1) throw usageError(USAGE);
  const runtime = loadRuntime(io, { json: values.json === true });
  const store = Store.open(join(runtime.config.stateDir, 'tracksync.sqlite'));
  try {
    const pageId = await trackPageId(positionals[0]!, runtime, store, USAGE);
    const { notion, schemas } = await openNotion(runtime, store);
    const services = new Services();
    registerMediaServices(services, runtime.config, runtime.logger, systemClock);
    const media = services.require<MediaServices>(MEDIA);
    const outcomes = await findLinks(
      {
        notion,
        schemas,
        store: store.links,
        config: runtime.config,
        clock: systemClock,
        logger: runtime.logger,
        ytdlp: media.ytdlp,
        spotify: media.spotify,
      },
      pageId,
    );
    const candidates = store.links.listLinkCandidates(pageId);
    if (values.json) {
      print(io.stdout, JSON.stringify({ pageId, outcomes, candidates }, null, 2));
      return 0;
    }
    print(
      io.stdout,
      table([
        ['platform', 'result', 'url', 'score', 'note'],
        ...outcomes.map((o) => [
          o.platform,
          o.status,
          o.url ?? '-',
          o.score === undefined ? '-' : String(o.score),
          o.reason ?? '',
        ]),
      ]),
    );
    if (candidates.length > 0) {
      print(io.stdout);
      print(io.stdout, 'Candidates:');
      print(
        io.stdout,
        table([
          ['platform', 'score', 'written', 'title', 'url', 'why not'],
          ...candidates.map((c) => [
            c.platform,
            String(c.score),
            c.accepted ? 'yes' : '',
            c.title.slice(0, 60),
            c.url,
            c.rejected ?? '',
          ]),
        ]),
      );
    }
    return 0;
  } finally {
    store.close();
  }
}
