import { bpmHistogram, camelotWheel } from '../../src/server/page-views.js';

// The status page draws the library as inline SVG under a CSP that allows no script and no inline style; each view
// must carry its numbers as text for a screen reader, and text from the library must not become markup.
describe("the status page's library views (src/server/page-views.ts)", () => {
  it('draws all 24 Camelot keys, and describes the ones with tracks, with the total in the title', () => {
    const svg = camelotWheel({ '8A': 12, '9B': 3 });
    expect(svg.match(/<circle class="bar"/g)).toHaveLength(24);
    expect(svg).toContain('<title id="wheel-title">Camelot wheel: 15 tracks by key</title>');
    expect(svg).toContain('<desc id="wheel-desc">8A: 12, 9B: 3</desc>');
    expect(svg).toContain('role="img"');
    expect(svg).not.toMatch(/<script|style=/);
  });

  it('says there is nothing yet for an empty library, in both views', () => {
    expect(camelotWheel({})).toContain('<desc id="wheel-desc">No analysed track yet.</desc>');
    expect(bpmHistogram([{ from: 120, to: 125, count: 0 }])).toContain(
      '<desc id="bpm-desc">No analysed track yet.</desc>',
    );
  });

  it('draws one bar per tempo band, the tallest for the largest count, and lists the bands with tracks', () => {
    const svg = bpmHistogram([
      { from: 120, to: 125, count: 2 },
      { from: 125, to: 130, count: 8 },
      { from: 130, to: 135, count: 0 },
    ]);
    const heights = [...svg.matchAll(/<rect class="bar"[^>]* height="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(heights).toEqual([37.5, 150, 0]);
    expect(svg).toContain('<desc id="bpm-desc">120 to 125 BPM: 2, 125 to 130 BPM: 8</desc>');
  });
});
