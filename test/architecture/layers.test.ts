import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { ESLint } from 'eslint';
import { packageRoot } from '../../src/paths.js';

const root = packageRoot();

/** The top-level folder a file belongs to: src/<folder>, "src" for the files directly in src/, handlers, state. */
function folderOf(path: string): string {
  const parts = path.split('/');
  if (parts[0] !== 'src') return parts[0]!;
  return parts.length > 2 ? `src/${parts[1]}` : 'src';
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(root, join(entry.parentPath, entry.name)));
}

/** Folder -> the folders its files import (relative imports, static and dynamic, type-only ones too). */
function folderGraph(): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  const specifier = /(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g;
  for (const file of ['src', 'handlers', 'state'].flatMap(sourceFiles)) {
    const from = folderOf(file);
    for (const [, spec] of readFileSync(join(root, file), 'utf8').matchAll(specifier)) {
      const to = folderOf(normalize(join(dirname(file), spec!)));
      if (to === from) continue;
      const edges = graph.get(from) ?? new Map<string, string>();
      if (!edges.has(to)) edges.set(to, `${file} imports ${spec}`);
      graph.set(from, edges);
    }
  }
  return graph;
}

/** A cycle of folders, with one import per step as evidence, or undefined. */
function findCycle(graph: Map<string, Map<string, string>>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string[] | undefined => {
    state.set(node, 'open');
    path.push(node);
    for (const next of graph.get(node)?.keys() ?? []) {
      if (state.get(next) === 'open') {
        const loop = [...path.slice(path.indexOf(next)), next];
        return loop.slice(1).map((to, i) => graph.get(loop[i]!)!.get(to)!);
      }
      if (!state.has(next)) {
        const found = visit(next);
        if (found) return found;
      }
    }
    path.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of [...graph.keys()].sort()) {
    if (state.has(node)) continue;
    const found = visit(node);
    if (found) return found;
  }
  return undefined;
}

describe('the layers (docs/architecture.md)', () => {
  it('has no import cycle between top-level folders', () => {
    expect(findCycle(folderGraph())).toBeUndefined();
  });

  it('finds a cycle when there is one (the check itself works)', () => {
    const graph = new Map([
      ['src/a', new Map([['src/b', 'src/a/x.ts imports ../b/y.js']])],
      ['src/b', new Map([['src/a', 'src/b/y.ts imports ../a/x.js']])],
    ]);
    expect(findCycle(graph)).toEqual(['src/a/x.ts imports ../b/y.js', 'src/b/y.ts imports ../a/x.js']);
  });

  it('the engine imports nothing from the music application', () => {
    const engine = sourceFiles('src/engine').flatMap((file) =>
      [...readFileSync(join(root, file), 'utf8').matchAll(/from\s+'(\.{1,2}\/[^']+)'/g)].map((m) => ({
        file,
        to: folderOf(normalize(join(dirname(file), m[1]!))),
      })),
    );
    const allowed = new Set(['src', 'src/engine', 'src/config', 'src/notion', 'src/net', 'state']);
    expect(engine.filter((edge) => !allowed.has(edge.to))).toEqual([]);
  });

  it('the lint rule fails an engine file that imports the application, and passes one that imports the engine', async () => {
    const eslint = new ESLint({ cwd: root });
    const lint = async (text: string): Promise<string[]> =>
      (await eslint.lintText(text, { filePath: join(root, 'src/engine/example.ts') }))[0]!.messages.map(
        (m) => `${m.ruleId}: ${m.message}`,
      );
    const bad = await lint(
      "import { checkBeforeDownload } from '../dedup/checks.js';\nexport const x = checkBeforeDownload;\n",
    );
    expect(bad).toEqual([expect.stringMatching(/^no-restricted-imports: .*docs\/architecture\.md/)]);
    const handler = await lint(
      "import { builtInHandlers } from '../../handlers/index.js';\nexport const x = builtInHandlers;\n",
    );
    expect(handler).toEqual([expect.stringMatching(/^no-restricted-imports: /)]);
    expect(await lint("import { Services } from './services.js';\nexport const x = Services;\n")).toEqual([]);
  });
});
