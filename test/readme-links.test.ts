import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../src/paths.js';

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

describe('README links', () => {
  it('resolve in a clone: every relative link names a file of the repository, every #anchor a heading', () => {
    const readme = readFileSync(join(packageRoot(), 'README.md'), 'utf8');
    const anchors = new Set([...readme.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1]!)));
    const links = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((l) => !/^[a-z]+:/.test(l));
    expect(links.length).toBeGreaterThan(10);
    for (const link of links) {
      if (link.startsWith('#')) expect(anchors.has(link.slice(1)), link).toBe(true);
      else {
        expect(link.startsWith('..'), `${link} leaves the repository`).toBe(false);
        expect(existsSync(join(packageRoot(), link.split('#')[0]!)), link).toBe(true);
      }
    }
  });
});
