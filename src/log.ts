import { pino, type Logger, type DestinationStream } from 'pino';
import { registerSecrets, scrubSecrets, secretsRegistered } from './errors.js';
import { RotatingLogFile } from './log-file.js';

export type { Logger } from 'pino';

export interface LoggerOptions {
  level?: string;
  /** Human-readable output (pino-pretty); the default when stderr is a TTY. */
  pretty?: boolean;
  /** Secret values (tokens, passwords) to scrub from every log line, wherever they appear. */
  secrets?: readonly string[];
  /** Where lines go; standard error by default so standard output stays free for command results. */
  destination?: DestinationStream;
  /** JSON lines to a rotating file in this folder instead (the LaunchAgent sets TRACKSYNC_LOG_DIR). */
  file?: { dir: string; maxFileBytes: number; keepFiles: number };
}

/** Field names whose values never reach a log line. */
const REDACTED_PATHS = [
  'token',
  'auth',
  'authorization',
  'headers.authorization',
  '*.token',
  '*.auth',
  '*.authorization',
  '*.headers.authorization',
  'NOTION_TOKEN',
  'config.notion.token',
  'config.spotify.clientSecret',
  'config.spotify.refreshToken',
  'config.eagle.token',
];

/**
 * One JSON line per event (pino), secrets redacted by field name and, for values that slip into messages or
 * URLs (an Eagle token in a query string, a token in an error text), by value in every form errors.ts knows.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  // The same registry (and the same URL-encoded and base64 forms) as errors.ts: what it scrubs, the log scrubs.
  registerSecrets(options.secrets ?? []);
  const scrub = (value: unknown, depth = 0): unknown => {
    if (depth > 6 || !secretsRegistered()) return value;
    if (typeof value === 'string') return scrubSecrets(value);
    if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = scrub(v, depth + 1);
      return out;
    }
    return value;
  };
  const pretty =
    options.pretty ??
    (options.destination === undefined && options.file === undefined && process.stderr.isTTY === true);
  const base = {
    level: options.level ?? 'info',
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: { pid: process.pid },
    formatters: { log: (object: Record<string, unknown>) => scrub(object) as Record<string, unknown> },
    hooks: {
      logMethod(this: Logger, args: Parameters<Logger['info']>, method: (...a: unknown[]) => void) {
        method.apply(
          this,
          args.map((a) => (typeof a === 'string' ? scrub(a) : a)),
        );
      },
    },
  };
  if (options.destination !== undefined) return pino(base, options.destination);
  if (options.file !== undefined) return pino(base, new RotatingLogFile(options.file));
  if (pretty) {
    return pino({
      ...base,
      transport: {
        target: 'pino-pretty',
        options: { destination: 2, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' },
      },
    });
  }
  return pino(base, pino.destination({ fd: 2, sync: true }));
}

/** A logger that drops everything: for library use and tests that do not look at logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
