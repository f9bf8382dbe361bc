import { Writable } from 'node:stream';
import { createLogger } from '../src/log.js';

// Log lines end up in a file anyone helping the user may read: tokens must be gone by field name and by value,
// wherever they slip in (a message, a nested field, a URL). The real pino logger writes to a captured stream.
describe('createLogger (src/log.ts)', () => {
  function capture(): { destination: Writable; lines: () => string[] } {
    const chunks: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk.toString('utf8'));
        done();
      },
    });
    return { destination, lines: () => chunks.join('').split('\n').filter(Boolean) };
  }

  it('writes one JSON line per event at or above the level', () => {
    const { destination, lines } = capture();
    const logger = createLogger({ level: 'warn', destination });
    logger.info('not shown');
    logger.warn({ itemId: 3 }, 'shown');
    expect(lines()).toHaveLength(1);
    expect(JSON.parse(lines()[0]!)).toMatchObject({ level: 40, msg: 'shown', itemId: 3, pid: process.pid });
  });

  it('redacts secret fields by name and secret values anywhere, URL-encoded ones too', () => {
    const secret = 'secret_eagle_token_12345';
    const { destination, lines } = capture();
    const logger = createLogger({ level: 'info', destination, secrets: [secret] });
    logger.info(
      {
        token: 'any-token-value',
        headers: { authorization: 'Bearer xyz-header' },
        config: { notion: { token: 'ntn_config_token' } },
        request: { url: `http://127.0.0.1:41595/api/item/add?token=${encodeURIComponent(secret)}` },
        list: [`sent ${secret}`],
      },
      `calling Eagle with ${secret}`,
    );
    const text = lines().join('\n');
    for (const leaked of [secret, 'any-token-value', 'xyz-header', 'ntn_config_token'])
      expect(text).not.toContain(leaked);
    const line = JSON.parse(lines()[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({
      msg: 'calling Eagle with [redacted]',
      token: '[redacted]',
      headers: { authorization: '[redacted]' },
      config: { notion: { token: '[redacted]' } },
      request: { url: 'http://127.0.0.1:41595/api/item/add?token=[redacted]' },
      list: ['sent [redacted]'],
    });
  });
});
