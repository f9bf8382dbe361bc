import type { Db } from './db.js';

/** The status server's memory: webhook deliveries already seen and one-time login codes. */
export class ServerState {
  readonly #db: Db;
  readonly #s;

  constructor(db: Db) {
    this.#db = db;
    this.#s = {
      forgetDeliveries: db.prepare('DELETE FROM webhook_deliveries WHERE received_at < ?'),
      rememberDelivery: db.prepare(
        'INSERT INTO webhook_deliveries (id, received_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING',
      ),
      forgetLoginCodes: db.prepare('DELETE FROM login_codes WHERE expires_at < ?'),
      addLoginCode: db.prepare('INSERT INTO login_codes (code_hash, expires_at) VALUES (?, ?)'),
      useLoginCode: db.prepare('DELETE FROM login_codes WHERE code_hash = ? AND expires_at >= ?'),
    };
  }

  #transaction<T>(fn: () => T): T {
    return this.#db.transaction(fn)();
  }

  /** Records a webhook delivery id; false when it was already seen since `forgetBefore` (a retry or a replay). */
  rememberDelivery(id: string, now: number, forgetBefore: number): boolean {
    return this.#transaction(() => {
      this.#s.forgetDeliveries.run(forgetBefore);
      return this.#s.rememberDelivery.run(id, now).changes === 1;
    });
  }

  /** Keeps a one-time login code (its hash) until `expiresAt`. */
  addLoginCode(codeHash: string, expiresAt: number, now: number): void {
    this.#transaction(() => {
      this.#s.forgetLoginCodes.run(now);
      this.#s.addLoginCode.run(codeHash, expiresAt);
    });
  }

  /** Uses a login code: true once, while it has not expired; it is gone afterwards either way. */
  useLoginCode(codeHash: string, now: number): boolean {
    return this.#s.useLoginCode.run(codeHash, now).changes === 1;
  }
}
