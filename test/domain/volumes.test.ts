import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { unmountedVolume } from '../../src/domain/volumes.js';
import { tempDir } from '../helpers/tmp.js';

// An output folder on an unplugged drive must not be created on the system disk: the pipeline asks this first.
describe('unmountedVolume', () => {
  it('names the missing /Volumes mount of a folder on an unplugged drive', () => {
    expect(unmountedVolume('/Volumes/TRACKSYNC-NO-SUCH-DRIVE/Music/Playlists')).toBe(
      '/Volumes/TRACKSYNC-NO-SUCH-DRIVE',
    );
    // The path is resolved first: ".." cannot hide which volume the folder is really on.
    expect(unmountedVolume('/Volumes/TRACKSYNC-NO-SUCH-DRIVE/../TRACKSYNC-OTHER/x')).toBe('/Volumes/TRACKSYNC-OTHER');
  });

  it('says nothing of folders that are not on an external volume, existing or not', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'out'));
    expect(unmountedVolume(join(dir, 'out'))).toBeUndefined();
    expect(unmountedVolume(join(dir, 'not-yet-created'))).toBeUndefined();
    expect(unmountedVolume('/VolumesX/A/b')).toBeUndefined();
  });
});
