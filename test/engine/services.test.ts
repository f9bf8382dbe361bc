import { Services } from '../../src/engine/services.js';

describe('the service registry (src/engine/services.ts)', () => {
  it('hands every handler the one service registered under a name, created once by whoever builds the daemon', () => {
    const media = { ffmpeg: '/usr/bin/ffmpeg' };
    const services = new Services().set('media', media).set('spotify', null);
    expect(services.require<typeof media>('media')).toBe(media);
    expect(services.get<typeof media>('media')).toBe(media);
    // Registered as "none" (the user configured no Spotify) is not the same as forgotten.
    expect(services.require('spotify')).toBeNull();
    const replaced = { ffmpeg: '/opt/homebrew/bin/ffmpeg' };
    expect(services.set('media', replaced).require('media')).toBe(replaced);
  });

  it('answers undefined for an optional service, and names a required one that nobody registered', () => {
    const services = new Services();
    expect(services.get('eagle')).toBeUndefined();
    expect(() => services.require('eagle')).toThrow('service "eagle" is not registered');
    // A set-up mistake, not a passing fault: the item fails at once instead of being retried eight times.
    expect(() => services.require('eagle')).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', kind: 'permanent' }),
    );
  });
});
