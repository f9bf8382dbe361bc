import { join } from 'node:path';
import { Store } from '../../../state/store.js';
import { systemClock } from '../../clock.js';
import { eagleGroups, libraryGroups, notionGroups, type DuplicateGroup } from '../../dedup/groups.js';
import { mergedValues } from '../../dedup/merge.js';
import { decodeProperty, encodeFields } from '../../notion/codecs.js';
import { PROCESSING_TAGS } from '../../notion/databases.js';
import { gatewayFromConfig } from '../../notion/gateway.js';
import { withFullRelations } from '../../notion/relations.js';
import { loadSchemas } from '../../notion/schemas.js';
import { EagleClient } from '../../services/eagle.js';
import { print, type CliIO } from '../io.js';
import { loadRuntime } from '../runtime.js';
import { usageError } from '../usage.js';

/**
 * `tracksync dedup [--apply] [--threshold 0.75] [--json]`: duplicate groups across Notion, the library index and Eagle,
 * each with its reason, score and proposed keeper. A dry run unless --apply: then Notion duplicates are merged into
 * their keeper (donors archived, recoverable from Notion's trash) and Eagle duplicates moved to Eagle's trash. Files on
 * disk are never deleted: library groups are only listed.
 */
export async function dedupCommand(
  _args: string[],
  values: { apply?: boolean; threshold?: string; json?: boolean },
  io: CliIO,
): Promise<number> {
  const runtime = loadRuntime(io, { json: values.json === true });
  const threshold = values.threshold === undefined ? runtime.config.library.nameThreshold : Number(values.threshold);
  if (!(threshold >= 0.5 && threshold <= 1))
    throw usageError(`--threshold must be between 0.5 and 1, got "${values.threshold}"`);
  const store = Store.open(join(runtime.config.stateDir, 'tracksync.sqlite'));
  try {
    const notion = gatewayFromConfig(runtime.config, runtime.logger, { store: store.notion });
    const schemas = await loadSchemas({
      notion,
      store,
      config: runtime.config,
      clock: systemClock,
      logger: runtime.logger,
    });
    const eagle = EagleClient.fromConfig(
      runtime.config,
      globalThis.fetch.bind(globalThis),
      systemClock,
      runtime.logger,
    );
    const groups: DuplicateGroup[] = [
      ...(await notionGroups(notion, schemas.tracks, runtime.config, threshold)),
      ...libraryGroups(store, runtime.config),
      ...((await eagle.available()) ? await eagleGroups(eagle, threshold) : []),
    ];
    if (values.json) print(io.stdout, JSON.stringify({ apply: values.apply === true, groups }, null, 2));
    else {
      print(
        io.stdout,
        `${groups.length} duplicate group(s)${values.apply ? '' : ' (dry run: nothing changed; --apply to merge Notion pages and trash Eagle duplicates)'}`,
      );
      for (const g of groups) {
        print(io.stdout, `\n[${g.where}, ${g.kind}, score ${g.score}] ${g.reason}`);
        print(io.stdout, `  keep: ${g.keeper.label}`);
        for (const o of g.others) print(io.stdout, `  dup:  ${o.label}`);
      }
    }
    if (!values.apply) return 0;
    for (const g of groups) {
      if (g.where === 'notion') {
        // Relations read in full: a page object lists only the first 25 related pages.
        const keeper = await withFullRelations(notion, schemas.tracks, await notion.retrievePage(g.keeper.id));
        const donors = await Promise.all(
          g.others.map(async (o) => withFullRelations(notion, schemas.tracks, await notion.retrievePage(o.id))),
        );
        const merged = mergedValues(schemas.tracks, keeper, donors);
        const processing = schemas.tracks.fields.processing
          ? decodeProperty(keeper.properties[schemas.tracks.fields.processing.name])
          : null;
        const tags = [...new Set([...(Array.isArray(processing) ? processing : []), PROCESSING_TAGS.merged])];
        await notion.updatePage(keeper.id, encodeFields(schemas.tracks, { ...merged, processing: tags }));
        for (const donor of donors) await notion.setPageInTrash(donor.id, true);
        print(io.stdout, `merged ${donors.length} row(s) into ${g.keeper.label}`);
      } else if (g.where === 'eagle') {
        await eagle.trash(g.others.map((o) => o.id));
        print(io.stdout, `moved ${g.others.length} Eagle item(s) to Eagle's trash, kept ${g.keeper.label}`);
      }
    }
    return 0;
  } finally {
    store.close();
  }
}
