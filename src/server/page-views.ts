/**
 * The status page's library views as inline SVG: no script, no external asset, no inline style (the page's
 * Content-Security-Policy allows none); only presentation attributes and the page's classes. Each view has a text
 * alternative (role="img", a title and a description listing the numbers) for screen readers.
 */

/** Text and attribute values for HTML: the five characters that could end a value or start markup, escaped. */
export function esc(value: unknown): string {
  return String(value ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

const round = (n: number): string => String(Math.round(n * 10) / 10);

/**
 * The Camelot wheel: 12 hours, the major keys (B) on the outer ring, the minor keys (A) on the inner ring, as Mixed In
 * Key draws it; each key a dot whose size and opacity grow with its number of tracks, labelled with code and count.
 */
export function camelotWheel(counts: Readonly<Record<string, number>>): string {
  const size = 300;
  const c = size / 2;
  const max = Math.max(1, ...Object.values(counts));
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const dots: string[] = [];
  const described: string[] = [];
  for (let hour = 1; hour <= 12; hour += 1) {
    for (const [letter, radius] of [
      ['B', 122],
      ['A', 78],
    ] as const) {
      const code = `${hour}${letter}`;
      const n = counts[code] ?? 0;
      // 1 o'clock at 30 degrees clockwise from the top, as on the wheel.
      const angle = ((hour * 30 - 90) * Math.PI) / 180;
      const x = c + radius * Math.cos(angle);
      const y = c + radius * Math.sin(angle);
      const r = 9 + 9 * (n / max);
      dots.push(
        `<g><circle class="bar" cx="${round(x)}" cy="${round(y)}" r="${round(r)}" fill-opacity="${round(n === 0 ? 0.12 : 0.35 + 0.65 * (n / max))}"/>` +
          `<text x="${round(x)}" y="${round(y - 1)}" text-anchor="middle">${code}</text>` +
          `<text class="count" x="${round(x)}" y="${round(y + 11)}" text-anchor="middle">${n}</text></g>`,
      );
      if (n > 0) described.push(`${code}: ${n}`);
    }
  }
  const description = total === 0 ? 'No analysed track yet.' : described.join(', ');
  return (
    `<svg role="img" aria-labelledby="wheel-title wheel-desc" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}">` +
    `<title id="wheel-title">Camelot wheel: ${total} tracks by key</title><desc id="wheel-desc">${esc(description)}</desc>` +
    `<circle class="axis" cx="${c}" cy="${c}" r="100" fill="none"/>${dots.join('')}` +
    `<text x="${c}" y="${c - 4}" text-anchor="middle">outer: major (B)</text><text x="${c}" y="${c + 12}" text-anchor="middle">inner: minor (A)</text></svg>`
  );
}

/** Tracks per tempo band as bars, with the band under every fourth bar and each count above its bar. */
export function bpmHistogram(
  bands: ReadonlyArray<{ readonly from: number; readonly to: number; readonly count: number }>,
): string {
  const width = 460;
  const height = 200;
  const bottom = 170;
  const top = 20;
  const barWidth = (width - 20) / Math.max(1, bands.length);
  const max = Math.max(1, ...bands.map((b) => b.count));
  const bars = bands.map((b, i) => {
    const h = ((bottom - top) * b.count) / max;
    const x = 10 + i * barWidth;
    const label = i % 4 === 0 ? `<text x="${round(x)}" y="${bottom + 16}">${b.from}</text>` : '';
    const count =
      b.count > 0
        ? `<text class="count" x="${round(x + barWidth / 2)}" y="${round(bottom - h - 3)}" text-anchor="middle">${b.count}</text>`
        : '';
    return `<rect class="bar" x="${round(x + 1)}" y="${round(bottom - h)}" width="${round(barWidth - 2)}" height="${round(h)}"/>${count}${label}`;
  });
  const described = bands.filter((b) => b.count > 0).map((b) => `${b.from} to ${b.to} BPM: ${b.count}`);
  return (
    `<svg role="img" aria-labelledby="bpm-title bpm-desc" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<title id="bpm-title">Tracks per tempo</title><desc id="bpm-desc">${esc(described.length ? described.join(', ') : 'No analysed track yet.')}</desc>` +
    `<line class="axis" x1="10" y1="${bottom}" x2="${width - 10}" y2="${bottom}"/>${bars.join('')}</svg>`
  );
}
