/**
 * Times, sizes and speeds as a person reads them, in one place for the CLI, the status page and the pretty logs:
 * "4 min", "in 2 h 5 min", "3.1 MiB/s", never "retryInMs: 257993".
 */

/** "3 s", "4 min", "2 h 5 min", "3 d": a span of time, whichever its sign. */
export function span(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 90) return `${s} s`;
  const min = Math.round(s / 60);
  if (min < 120) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h ${min % 60} min`;
  return `${Math.round(h / 24)} d`;
}

/** "in 4 min" for a time ahead of `now`, "now" once it has come. */
export function inTime(at: number, now: number): string {
  return at <= now ? 'now' : `in ${span(at - now)}`;
}

/** "4 min ago" for a time behind `now`. */
export function ago(at: number, now: number): string {
  return at >= now ? 'just now' : `${span(now - at)} ago`;
}

/** "0:04", "12:31", "1:02:09": a stopwatch, for elapsed time and ETAs. */
export function clock(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** "812 B", "3.1 MiB", "1.20 GiB": binary units, as the Finder's "Get Info" and yt-dlp count them. */
export function bytes(n: number): string {
  if (n < 1024) return `${Math.round(n)} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(unit >= 2 ? 2 : 1)} ${units[unit]}`;
}

/** "2026-11-24 15:04": a local wall-clock time, minutes only. */
export function localTime(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * A log object with its durations in words: every numeric field named `…Ms` becomes `…` with a span ("retryIn: in 4
 * min" for a delay, "duration: 3 s"), and `…At` epoch times become local times. For `tracksync logs` and `-v`.
 */
export function humanizeFields(object: Record<string, unknown>, now = Date.now()): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) {
    if (typeof value === 'number' && Number.isFinite(value) && /.Ms$/.test(key)) {
      const name = key.slice(0, -2);
      out[name] = /^(retryIn|wait|delay|nextIn)/i.test(name) ? `in ${span(value)}` : span(value);
    } else if (
      typeof value === 'number' &&
      /^(nextAttemptAt|since|startedAt|finishedAt|until|dueAt)$/.test(key) &&
      value > 1e12
    ) {
      out[key] = `${localTime(value)} (${value > now ? inTime(value, now) : ago(value, now)})`;
    } else {
      out[key] = value;
    }
  }
  return out;
}
