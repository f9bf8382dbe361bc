import { findLinks } from '../src/app/links.js';
import { FOLLOW_UP_QUEUES } from '../src/app/sources/follow-ups.js';
import type { Handler } from '../src/engine/contracts.js';
import type { FollowUpOutcome } from '../src/domain/outcomes.js';
import { MEDIA, type MediaServices } from '../src/services/media.js';

/**
 * The links queue: a synced row's missing Spotify, YouTube and SoundCloud links are looked for (src/app/links.ts),
 * as an item queued when the row's own item is done (src/app/music.ts). A platform that fails for a while (a 429, the
 * network) makes the item retry with the queue's one backoff; the track itself is never touched by a failure.
 */
export const linksHandler: Handler<'tracks', FollowUpOutcome> = {
  name: 'links',
  source: 'tracks',
  queue: FOLLOW_UP_QUEUES.links,
  accepts: () => false,
  async run(ctx) {
    const media = ctx.services.require<MediaServices>(MEDIA);
    const outcomes = await findLinks(
      {
        notion: ctx.notion,
        schemas: ctx.schemas,
        store: ctx.store,
        config: ctx.config,
        clock: ctx.clock,
        logger: ctx.logger,
        ytdlp: media.ytdlp,
        spotify: media.spotify,
        signal: ctx.signal,
      },
      ctx.item.pageId,
    );
    ctx.logger.info({ links: outcomes.map((o) => `${o.platform}:${o.status}`) }, 'cross-platform links looked for');
    return { outcome: 'links', details: { links: outcomes } };
  },
};
