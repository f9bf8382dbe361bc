import { FOLLOW_UP_QUEUES } from '../src/app/sources/follow-ups.js';
import type { Handler } from '../src/engine/contracts.js';
import type { FollowUpOutcome } from '../src/domain/outcomes.js';
import { TrackSyncError } from '../src/errors.js';
import { PROCESSING_TAGS } from '../src/notion/databases.js';
import { importIntoEagle, isEagleImport } from '../src/pipeline/eagle.js';
import { MEDIA, type MediaServices } from '../src/services/media.js';

/**
 * The eagle-import queue: a placed file whose import waited because Eagle was closed (src/pipeline/eagle.ts). While
 * Eagle does not answer the item waits without using up attempts (errors.ts WAITS_FOR_A_PERSON; the app makes it due
 * as soon as Eagle answers again); then the file is imported and the row gets its Eagle File ID and the Files
 * Imported to Eagle tag, added to the tags it has.
 */
export const eagleImportHandler: Handler<'tracks', FollowUpOutcome> = {
  name: 'eagle-import',
  source: 'tracks',
  queue: FOLLOW_UP_QUEUES.eagleImport,
  accepts: () => false,
  async run(ctx) {
    const item = ctx.input.data;
    if (!isEagleImport(item))
      throw new TrackSyncError('INTERNAL', 'the queued Eagle import has no file to import; it is dropped', {
        kind: 'permanent',
      });
    const { eagle } = ctx.services.require<MediaServices>(MEDIA);
    if (!(await eagle.available()))
      throw new TrackSyncError('EAGLE_UNAVAILABLE', `Eagle is not running: ${item.path} is imported when it answers`);
    // The stage's input is the file itself: a checkpoint is per item generation already (engine/runner.ts).
    const eagleId = await ctx.stage('import', item.path, () => importIntoEagle(eagle, item));
    const tags = Array.isArray(ctx.input.fields.processing) ? ctx.input.fields.processing.map(String) : [];
    return {
      outcome: 'imported',
      properties: { eagleId, processing: [...new Set([...tags, PROCESSING_TAGS.eagleImported])] },
    };
  },
};
