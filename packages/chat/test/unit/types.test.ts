import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';

/*
 * Runs the compile-time checks of test/types/chat-client.types.ts with the TypeScript compiler
 * API and the root tsconfig's options (strict, paths to the packages' sources). An
 * `@ts-expect-error` on a misuse that compiles is itself an error (TS2578), so "zero diagnostics"
 * means every misuse listed there is still refused. The in-memory sources below prove that this
 * check can fail, and that correct uses compile.
 */

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const typesFile = join(root, 'packages/chat/test/types/chat-client.types.ts');
/** Not on disk, so no tsconfig glob ever sees it; served by the compiler host below. */
const virtualFile = join(root, 'packages/chat/test/types/virtual-misuse.ts');

/** TS2578: Unused '@ts-expect-error' directive. */
const UNUSED_DIRECTIVE = 2578;

// Compiling the packages' sources takes a few seconds; more on a loaded machine.
const COMPILE_TIMEOUT = 120_000;

let options: ts.CompilerOptions;

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

/** Zero-based line of each diagnostic. */
function lines(diagnostics: readonly ts.Diagnostic[]): number[] {
  return diagnostics.map((diagnostic) => diagnostic.file!.getLineAndCharacterOfPosition(diagnostic.start!).line);
}

const header = `
import { ChatClient, type ProcessedMessage } from '@volley/chat/client';
import { WebSocket } from 'ws';
export async function check(): Promise<void> {
  const chat = new ChatClient('ws://127.0.0.1:8080', { WebSocket });
`;

/** Zero-based line of the first source line in the tests below (they put a newline after {@link header}). */
const firstLine = header.split('\n').length;

beforeAll(() => {
  options = rootCompilerOptions();
});

describe('ChatClient typing (test/types/chat-client.types.ts)', () => {
  it(
    'compiles with zero diagnostics: correct uses pass and every @ts-expect-error catches its misuse',
    () => {
      const diagnostics = compile(typesFile);
      expect(format(diagnostics)).toBe('');
      expect(diagnostics).toHaveLength(0);
    },
    COMPILE_TIMEOUT,
  );

  it('still lists misuse of commands, events and the browser entry (the file was not emptied)', () => {
    const source = readFileSync(typesFile, 'utf8');
    const directives = source.match(/\/\/ @ts-expect-error /g) ?? [];
    expect(directives.length).toBeGreaterThanOrEqual(20);
    expect(source).toContain('await chat.roomJoin(42);');
    expect(source).toContain("await chat.roomKick('lobby', 'bob');");
    expect(source).toContain("chat.on('roomMessage', (room: number) => void room);");
    expect(source).toContain('void clientEntry.ChatServer;');
  });

  it(
    'correct uses compile: roomJoin resolves to a number, listeners take the notification’s arguments',
    () => {
      const diagnostics = inVirtualFile(
        compile(
          virtualFile,
          `${header}
  const njoined: number = await chat.roomJoin('x');
  chat.on('roomMessage', (room: string, message: ProcessedMessage) => void [room, message.id]);
  void njoined;
}
`,
        ),
      );
      expect(format(diagnostics)).toBe('');
    },
    COMPILE_TIMEOUT,
  );

  it(
    'can fail: an @ts-expect-error above code that compiles is reported as unused',
    () => {
      const diagnostics = inVirtualFile(
        compile(
          virtualFile,
          `${header}
  // @ts-expect-error (wrong on purpose: this call is correct)
  const njoined: number = await chat.roomJoin('x');
  void njoined;
}
`,
        ),
      );
      expect(diagnostics.map((diagnostic) => diagnostic.code)).toEqual([UNUSED_DIRECTIVE]);
    },
    COMPILE_TIMEOUT,
  );

  it(
    'can fail: each misuse without a directive is an error on its own line',
    () => {
      const diagnostics = inVirtualFile(
        compile(
          virtualFile,
          `${header}
  await chat.roomJoin(42);
  await chat.roomKick('x');
  chat.on('roomMessage', (room: number) => void room);
  const text: string = await chat.roomJoin('x');
  void text;
}
`,
        ),
      );
      expect(diagnostics.length).toBeGreaterThan(0);
      expect([...new Set(lines(diagnostics))].sort((a, b) => a - b)).toEqual([firstLine, firstLine + 1, firstLine + 2, firstLine + 3]);
    },
    COMPILE_TIMEOUT,
  );

  it(
    'can fail: importing ChatServer from the browser entry is an error',
    () => {
      const diagnostics = inVirtualFile(
        compile(
          virtualFile,
          `import { ChatServer } from '@volley/chat/client';
export const server = ChatServer;
`,
        ),
      );
      expect(diagnostics.map((diagnostic) => diagnostic.code)).toEqual([2305]);
      expect(lines(diagnostics)).toEqual([0]);
    },
    COMPILE_TIMEOUT,
  );
});

describe('the browser entry at run time', () => {
  it('exports the client and no server code', async () => {
    const entry: Record<string, unknown> = await import('@volley/chat/client');
    expect(entry.ChatClient).toBeTypeOf('function');
    expect(entry.ChatError).toBeTypeOf('function');
    for (const serverName of ['ChatServer', 'MemoryChatStore', 'chatServerDefaults', 'roomChannel', 'userChannel']) {
      expect(Object.keys(entry), serverName).not.toContain(serverName);
    }
  });
});
