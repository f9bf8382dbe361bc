import { prettyFactory } from 'pino-pretty';
import { humanizeFields } from './human.js';

/**
 * JSON log lines made readable for a person (`tracksync logs`, `-v` on a terminal): pino-pretty's layout, with
 * durations and times in words (humanizeFields: "retryIn: in 4 min", not "retryInMs: 257993").
 */
export function prettyPrinter(options: { colorize: boolean }): (line: string) => string {
  const pretty = prettyFactory({
    colorize: options.colorize,
    translateTime: 'SYS:yyyy-mm-dd HH:MM:ss',
    ignore: 'pid,hostname',
  });
  return (line) => {
    try {
      return pretty(humanizeFields(JSON.parse(line) as Record<string, unknown>));
    } catch {
      return `${line}\n`; // not a JSON line (a crash trace in launchd.err.log copied here, say): as it is
    }
  };
}
