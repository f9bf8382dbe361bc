import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { TrackSyncError } from '../../src/errors.js';
import { readTags, writeTags } from '../../src/media/tags.js';
import { makeClip } from '../helpers/audio.js';
import { tempDir } from '../helpers/tmp.js';

// DJ apps read BPM, key and Camelot from these tags: each container must carry all of them, read back by
// music-metadata.
describe('tags', async () => {
  const dir = tempDir('tracksync-tags-');
  const wav = join(dir, 'a.wav');
  writeFileSync(wav, await makeClip({ seconds: 3, format: 'wav' }));
  const aiff = join(dir, 'a.aiff');
  const m4a = join(dir, 'a.m4a');
  await execa('ffmpeg', ['-nostdin', '-v', 'error', '-i', wav, aiff]);
  await execa('ffmpeg', ['-nostdin', '-v', 'error', '-i', wav, '-c:a', 'alac', m4a]);

  it.each([
    ['m4a', m4a],
    ['aiff', aiff],
    ['wav', wav],
  ])('writes title, artist, BPM, key, Camelot, ISRC and comment into %s', async (_format, path) => {
    writeTags(path, {
      title: 'Golden\u0000 Hour',
      artist: 'Solar Echo',
      album: 'Dawn',
      genre: 'House',
      bpm: 121.6,
      key: 'A Minor',
      camelot: '8A',
      isrc: 'USRC17607839',
      comment: 'https://soundcloud.com/solar/golden-hour',
    });
    const tags = await readTags(path);
    expect(tags).toMatchObject({
      title: 'Golden Hour', // the control character is dropped
      artist: 'Solar Echo',
      album: 'Dawn',
      genre: 'House',
      bpm: 122, // tags hold whole numbers
      key: 'A Minor',
      camelot: '8A',
      isrc: 'USRC17607839',
      comment: 'https://soundcloud.com/solar/golden-hour',
      hasArtwork: false,
    });
    expect(tags.durationSeconds).toBeCloseTo(3, 0);
  });

  it('rewriting drops what the new tags leave out, and an unreadable file is a conversion failure', async () => {
    writeTags(aiff, { title: 'Only', artist: '' });
    expect(await readTags(aiff)).toMatchObject({ title: 'Only', artist: null, bpm: null, camelot: null });
    const text = join(dir, 'not-audio.m4a');
    writeFileSync(text, 'hello');
    expect(() => writeTags(text, { title: 't', artist: 'a' })).toThrow(TrackSyncError);
  });
});
