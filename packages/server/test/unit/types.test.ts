import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';

/*
 * Runs the compile-time checks of test/types/api.types.ts with the TypeScript compiler API and
 * the root tsconfig's options (strict, paths to the packages' sources). An `@ts-expect-error` on
 * a misuse that compiles is itself an error (TS2578), so "zero diagnostics" means every misuse
 * listed there is still refused. The in-memory sources below prove that this check can fail.
 */

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const typesFile = join(root, 'packages/server/test/types/api.types.ts');
/** Not on disk, so no tsconfig glob ever sees it; served by the compiler host below. */
const virtualFile = join(root, 'packages/server/test/types/virtual-misuse.ts');

/** TS2578: Unused '@ts-expect-error' directive. */
const UNUSED_DIRECTIVE = 2578;

// Compiling the packages' sources takes a few seconds; more on a loaded machine.
const COMPILE_TIMEOUT = 120_000;

let options: ts.CompilerOptions;
let baseProgram: ts.Program | undefined;

function rootCompilerOptions(): ts.CompilerOptions {
  const configPath = join(root, 'tsconfig.json');
  const read = ts.readConfigFile(configPath, (path) => ts.sys.readFile(path));
  if (read.error !== undefined) throw new Error(format([read.error]));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, root, undefined, configPath);
  if (parsed.errors.length > 0) throw new Error(format(parsed.errors));
  return { ...parsed.options, noEmit: true };
}

const formatHost: ts.FormatDiagnosticsHost = {
  getCanonicalFileName: (fileName) => fileName,
  getCurrentDirectory: () => root,
  getNewLine: () => '\n',
};

function format(diagnostics: readonly ts.Diagnostic[]): string {
  return ts.formatDiagnostics(diagnostics, formatHost);
}

/** Parsed files shared by every compilation here: parsing node's and ws's typings once is enough. */
const parsed = new Map<string, ts.SourceFile>();

/**
 * Compiles `rootName` (with `virtualSource` served as {@link virtualFile}) and returns the
 * diagnostics of the program's options, its globals and that file. The packages' own sources
 * are type-checked by `tsc -p tsconfig.json`; checking only what this file uses keeps it fast.
 */
function compile(rootName: string, virtualSource?: string): readonly ts.Diagnostic[] {
  const host = ts.createCompilerHost(options, true);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (fileName) => fileName === virtualFile || fileExists.call(host, fileName);
  host.readFile = (fileName) => (fileName === virtualFile ? virtualSource : readFile.call(host, fileName));
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    if (fileName === virtualFile) {
      return virtualSource === undefined ? undefined : ts.createSourceFile(fileName, virtualSource, languageVersion, true);
    }
    let file = parsed.get(fileName);
    if (file === undefined) {
      file = getSourceFile.call(host, fileName, languageVersion, onError, shouldCreate);
      if (file !== undefined) parsed.set(fileName, file);
    }
    return file;
  };
  const program = ts.createProgram({ rootNames: [rootName], options, host });
  baseProgram ??= program;
  const file = program.getSourceFile(rootName);
  if (file === undefined) throw new Error(`${rootName} is not part of the program`);
  return [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...program.getSyntacticDiagnostics(file),
    ...program.getSemanticDiagnostics(file),
  ];
}

function inVirtualFile(diagnostics: readonly ts.Diagnostic[]): ts.Diagnostic[] {
  // Anything outside the virtual file would be a broken setup, not the misuse under test.
  expect(format(diagnostics.filter((diagnostic) => diagnostic.file?.fileName !== virtualFile))).toBe('');
  return diagnostics.filter((diagnostic) => diagnostic.file?.fileName === virtualFile);
}

const header = `
import { Client } from '@volley/client';
import { WebSocket } from 'ws';
interface MathApi {
  server: { sum: { payload: { a: number; b: number }; result: number } };
  client: { confirm: { payload: { q: string }; result: boolean }; news: { payload: string } };
}
export async function check(client: Client<MathApi>): Promise<void> {
  void WebSocket;
`;

beforeAll(() => {
  options = rootCompilerOptions();
});

describe('API typing (test/types/api.types.ts)', () => {
  it(
    'compiles with zero diagnostics: correct uses pass and every @ts-expect-error catches its misuse',
    () => {
      const diagnostics = compile(typesFile);
      expect(format(diagnostics)).toBe('');
      expect(diagnostics).toHaveLength(0);
      expect(baseProgram?.getSourceFile(typesFile)).toBeDefined();
    },
    COMPILE_TIMEOUT,
  );

  it('still lists misuse on both sides (the file was not emptied)', () => {
    const source = readFileSync(typesFile, 'utf8');
    const directives = source.match(/\/\/ @ts-expect-error /g) ?? [];
    expect(directives.length).toBeGreaterThanOrEqual(20);
    expect(source).toContain('new Server<MathApi>');
    expect(source).toContain('new Client<MathApi>');
    expect(source).toContain('ServerConnection<MathApi>');
  });

  it(
    'can fail: an @ts-expect-error above code that compiles is reported as unused',
    () => {
      const diagnostics = inVirtualFile(
        compile(
          virtualFile,
          `${header}
  // @ts-expect-error (wrong on purpose: this call is correct)
  const three: number = await client.send('sum', { a: 1, b: 2 });
  void three;
}
`,
        ),
      );
      expect(diagnostics.length).toBeGreaterThan(0);
      expect(diagnostics.map((d) => d.code)).toEqual([UNUSED_DIRECTIVE]);
    },
    COMPILE_TIMEOUT,
  );

  it(
    'can fail: misuse without a directive is an error',
    () => {
      const diagnostics = inVirtualFile(
        compile(
          virtualFile,
          `${header}
  await client.send('sum', { a: 1, b: '2' });
  await client.send('confirm', { q: 'x' });
  const text: string = await client.send('sum', { a: 1, b: 2 });
  void text;
}
`,
        ),
      );
      expect(diagnostics.length).toBeGreaterThan(0);
      const lines = diagnostics.map((d) => d.file!.getLineAndCharacterOfPosition(d.start!).line);
      // One error per misuse line.
      expect(new Set(lines).size).toBe(3);
    },
    COMPILE_TIMEOUT,
  );
});
