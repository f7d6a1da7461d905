/**
 * Every code sample of the documentation and the READMEs compiles against the packages' sources,
 * with the repository's strict options: ```ts blocks as TypeScript, ```js blocks as checked
 * JavaScript. A doc's blocks are written to a folder of their own (a block opening with
 * `// file: name.ts` under that name, so that blocks can import each other; the others as
 * snippet-N) and compiled together with sample-globals.d.ts, which declares the names samples use
 * for the reader's own code (a user store, a game). A sample that drifts from the API fails here.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const here = fileURLToPath(new URL('./', import.meta.url));

const list = (folder: string, pattern: RegExp): string[] =>
  readdirSync(join(root, folder))
    .filter((name) => pattern.test(name))
    .map((name) => `${folder}/${name}`);

/** Every markdown file with code: the README, docs/, the guides, the packages' and the examples' READMEs. */
const files = [
  'README.md',
  ...list('docs', /\.md$/),
  ...list('docs/guides', /\.md$/),
  ...readdirSync(join(root, 'packages')).map((name) => `packages/${name}/README.md`),
  ...readdirSync(join(root, 'examples')).map((name) => `examples/${name}/README.md`),
].filter((file) => {
  try {
    return /^```(ts|js)$/m.test(readFileSync(join(root, file), 'utf8'));
  } catch {
    return false;
  }
});

/** The ```ts and ```js blocks of a markdown text, with the file name each one declares (if any). */
function samples(markdown: string): { name: string | undefined; language: 'ts' | 'js'; code: string }[] {
  return [...markdown.matchAll(/^```(ts|js)\n([\s\S]*?)^```$/gm)].map((match) => ({
    language: match[1] as 'ts' | 'js',
    code: match[2]!,
    name: /^\/\/ file: (\S+\.(ts|m?js))\n/.exec(match[2]!)?.[1],
  }));
}

const options: ts.CompilerOptions = (() => {
  const configPath = join(root, 'tsconfig.json');
  const read = ts.readConfigFile(configPath, (path) => ts.sys.readFile(path));
  const config = ts.parseJsonConfigFileContent(read.config, ts.sys, root, undefined, configPath);
  return { ...config.options, noEmit: true, allowJs: true, checkJs: true };
})();

function compile(doc: string): string {
  const blocks = samples(readFileSync(join(root, doc), 'utf8'));
  // Inside the repository, so that `ws`, `redis` and the types resolve as they do for the packages.
  const folder = join(here, `.samples-${process.pid}`, doc.replace(/[/.]/g, '-'));
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  try {
    copyFileSync(join(here, 'sample-globals.d.ts'), join(folder, 'sample-globals.d.ts'));
    const names = blocks.map((block, index) => join(folder, block.name ?? `snippet-${index + 1}.${block.language === 'ts' ? 'ts' : 'mjs'}`));
    // `export {}` makes a block without imports a module too (top-level await, no shared globals).
    blocks.forEach((block, index) => writeFileSync(names[index]!, `${block.code}\nexport {};\n`));
    const program = ts.createProgram({ rootNames: [join(folder, 'sample-globals.d.ts'), ...names], options });
    const diagnostics = ts.getPreEmitDiagnostics(program).filter((diagnostic) => diagnostic.file === undefined || diagnostic.file.fileName.startsWith(folder));
    return ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (name) => name, getCurrentDirectory: () => folder, getNewLine: () => '\n' });
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

describe('documentation samples', () => {
  it('covers the learning path and every README with code', () => {
    expect(files).toEqual(expect.arrayContaining(['README.md', 'docs/getting-started.md', 'docs/guides/testing.md', 'docs/chat.md', 'packages/server/README.md']));
  });

  it.each(files)('%s: every code sample compiles', (doc) => {
    expect(compile(doc)).toBe('');
  }, 120_000);
});
