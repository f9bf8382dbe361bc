import { PassThrough } from 'node:stream';
import { join } from 'node:path';
import { Store } from '../../state/store.js';
import { loadRuntime } from '../../src/cli/runtime.js';
import { trackPageId } from '../../src/cli/target.js';
import { TrackSyncError } from '../../src/errors.js';
import { text, title, withSandbox } from '../helpers/notion.js';
import { tempDir } from '../helpers/tmp.js';

// `tracksync retry` and `tracksync links` take the row a person names: a Notion page id or URL copied from Notion, or
// the track's own URL (SoundCloud, YouTube, Spotify), looked up in Music Tracks against the local Notion.
describe('the row a command names (src/cli/target.ts)', async () => {
  const sandbox = await withSandbox();
  const dir = tempDir('tracksync-target-');
  const io = {
    stdout: new PassThrough(),
    stderr: new PassThrough(),
    env: { ...sandbox.env(), TRACKSYNC_STATE_DIR: join(dir, 'state'), TRACKSYNC_LOG_DIR: join(dir, 'logs') },
    cwd: dir,
  };
  const runtime = loadRuntime(io);
  const store = Store.open(join(dir, 'tracksync.sqlite'));
  afterAll(() => store.close());
  const usage = 'tracksync retry <page-id|url>';
  const id = '0123456789abcdef0123456789abcdef';
  const dashed = '01234567-89ab-cdef-0123-456789abcdef';
  const failure = async (target: string): Promise<TrackSyncError> => {
    const error = await trackPageId(target, runtime, store, usage).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrackSyncError);
    return error as TrackSyncError;
  };

  it('takes a page id or a Notion page URL as it is, without asking Notion', async () => {
    sandbox.clearRequests();
    expect(await trackPageId(id, runtime, store, usage)).toBe(dashed);
    expect(await trackPageId(`https://www.notion.so/team/My-Track-${id}?pvs=4`, runtime, store, usage)).toBe(dashed);
    expect(sandbox.requests()).toEqual([]);
  });

  it('finds the Music Tracks row that holds a track URL', async () => {
    const page = sandbox.workspace.createPage({
      parent: { data_source_id: sandbox.ids.tracks.dataSourceId },
      properties: {
        Title: title('Target Song'),
        'Artist Name': text('Target Band'),
        'Source URL': { url: 'https://soundcloud.com/target-band/target-song' },
      },
    });
    expect(await trackPageId('https://soundcloud.com/target-band/target-song', runtime, store, usage)).toBe(page.id);
  });

  it('says so, with the usage, for text that is neither; and names the URL no row holds', async () => {
    const neither = await failure('my favourite song');
    expect(neither.message).toContain('"my favourite song" is neither a Notion page id nor a track URL');
    expect(neither.message).toContain(usage);
    const unknown = await failure('https://soundcloud.com/nobody/nothing');
    expect(unknown.message).toContain('no Music Tracks row holds https://soundcloud.com/nobody/nothing');
  });
});
