import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { packageRoot } from '../../src/paths.js';

const root = packageRoot();

/** Markdown text outside fenced code blocks (a link or a heading inside a code block is not one). */
function prose(markdown: string): string {
  return markdown.replace(/^```[^\n]*\n[\s\S]*?^```\s*$/gm, '');
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const [, heading] of prose(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const text = heading!.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
    const slug = text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return anchors;
}

/** Every relative link of a Markdown file that does not resolve in a clone: a missing file or a missing anchor. */
function brokenLinks(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const broken: string[] = [];
  for (const [, target] of prose(text).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target!)) continue; // https:, mailto: ...
    const [path, anchor] = target!.split('#') as [string, string | undefined];
    const resolved = path === '' ? file : join(dirname(file), decodeURIComponent(path));
    const where = `${relative(root, file)}: (${target})`;
    if (relative(root, resolved).startsWith('..')) broken.push(`${where} points outside the repository`);
    else if (!existsSync(resolved)) broken.push(`${where}: no such file`);
    else if (anchor !== undefined) {
      if (statSync(resolved).isDirectory() || !resolved.endsWith('.md'))
        broken.push(`${where}: an anchor into a file that is not Markdown`);
      else if (!anchorsOf(readFileSync(resolved, 'utf8')).has(anchor))
        broken.push(`${where}: no heading with that anchor`);
    }
  }
  return broken;
}

describe('links in README.md and docs/ resolve in a clone', () => {
  it('README.md: every relative link names a file that exists, and every anchor a heading', () => {
    expect(brokenLinks(join(root, 'README.md'))).toEqual([]);
  });

  it('docs/*.md: the same', () => {
    const docs = readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md'));
    expect(docs.length).toBeGreaterThanOrEqual(4);
    expect(docs.flatMap((name) => brokenLinks(join(root, 'docs', name)))).toEqual([]);
  });

  it('finds a broken file link, a broken anchor and a link out of the repository (the check itself works)', () => {
    const dir = join(root, 'test-artifacts', 'links-check');
    const file = join(dir, 'sample.md');
    // Written under test-artifacts/ (ignored by git) so the check reads real files.
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      file,
      [
        '# Title',
        '## The `items` table, today',
        '[ok](#the-items-table-today) [ok](sample.md#title) [bad](#nowhere) [gone](missing.md)',
        '[out](../../../../outside.md) [web](https://example.com/x#y)',
        '```',
        '[in code](nothing.md)',
        '```',
      ].join('\n'),
    );
    expect(brokenLinks(file)).toEqual([
      'test-artifacts/links-check/sample.md: (#nowhere): no heading with that anchor',
      'test-artifacts/links-check/sample.md: (missing.md): no such file',
      'test-artifacts/links-check/sample.md: (../../../../outside.md) points outside the repository',
    ]);
  });
});
