/**
 * Every TypeScript sample of the tutorial and the guides compiles against the packages' sources,
 * with the repository's strict options. A doc's ```ts blocks are written to a folder of their own
 * (blocks opening with `// file: name.ts` under that name, so that they can import each other; the
 * others as snippet-N.ts) and compiled together: a sample that drifts from the API fails here.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const docs = fileURLToPath(new URL('../', import.meta.url));

/** The docs whose samples must compile: the learning path. */
const files = ['getting-started.md', 'troubleshooting.md', ...readdirSync(join(docs, 'guides')).map((name) => `guides/${name}`)].filter((name) => name.endsWith('.md'));

/** The ```ts blocks of a markdown text, with the file name each one declares (if any). */
export function samples(markdown: string): { name: string | undefined; code: string }[] {
  const found: { name: string | undefined; code: string }[] = [];
  for (const match of markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)) {
    const code = match[1]!;
    found.push({ name: /^\/\/ file: (\S+\.ts)\n/.exec(code)?.[1], code });
  }
  return found;
}

const options = (() => {
  const configPath = join(root, 'tsconfig.json');
  const read = ts.readConfigFile(configPath, (path) => ts.sys.readFile(path));
  const config = ts.parseJsonConfigFileContent(read.config, ts.sys, root, undefined, configPath);
  return { ...config.options, noEmit: true };
})();

function compile(doc: string): string {
  const blocks = samples(readFileSync(join(docs, doc), 'utf8'));
  expect(blocks.length, `${doc} has no TypeScript sample`).toBeGreaterThan(0);
  // Inside the repository, so that `ws` and the types resolve as they do for the packages.
  const folder = join(docs, 'test', `.samples-${process.pid}`, doc.replace(/[/.]/g, '-'));
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  try {
    const names = blocks.map((block, index) => join(folder, block.name ?? `snippet-${index + 1}.ts`));
    // Top-level await and imports make each file a module; a snippet without either is one too.
    blocks.forEach((block, index) => writeFileSync(names[index]!, `${block.code}\nexport {};\n`));
    const program = ts.createProgram({ rootNames: names, options });
    const diagnostics = ts.getPreEmitDiagnostics(program).filter((diagnostic) => diagnostic.file === undefined || diagnostic.file.fileName.startsWith(folder));
    return ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (name) => name, getCurrentDirectory: () => folder, getNewLine: () => '\n' });
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

describe('documentation samples', () => {
  it.each(files)('%s: every TypeScript sample compiles', (doc) => {
    expect(compile(doc)).toBe('');
  }, 120_000);
});
