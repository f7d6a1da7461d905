import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COMPILE_TIMEOUT, diagnosticLines as lines, TypeChecker, UNUSED_DIRECTIVE } from '@volley/test-utils';
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
let checker: TypeChecker;

const header = `
import { ChatClient, type ProcessedMessage } from '@volley/chat/client';
import { WebSocket } from 'ws';
export async function check(): Promise<void> {
  const chat = new ChatClient('ws://127.0.0.1:8080', { WebSocket });
`;

/** Zero-based line of the first source line in the tests below (they put a newline after {@link header}). */
const firstLine = header.split('\n').length;

beforeAll(() => {
  // Not on disk, so no tsconfig glob ever sees it; served by the checker.
  checker = new TypeChecker(root, join(root, 'packages/chat/test/types/virtual-misuse.ts'));
});

describe('ChatClient typing (test/types/chat-client.types.ts)', () => {
  it(
    'compiles with zero diagnostics: correct uses pass and every @ts-expect-error catches its misuse',
    () => {
      const { diagnostics } = checker.compile(typesFile);
      expect(checker.format(diagnostics)).toBe('');
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
      const diagnostics = checker.check(
          `${header}
  const njoined: number = await chat.roomJoin('x');
  chat.on('roomMessage', (room: string, message: ProcessedMessage) => void [room, message.id]);
  void njoined;
}
`,
      );
      expect(checker.format(diagnostics)).toBe('');
    },
    COMPILE_TIMEOUT,
  );

  it(
    'can fail: an @ts-expect-error above code that compiles is reported as unused',
    () => {
      const diagnostics = checker.check(
          `${header}
  // @ts-expect-error (wrong on purpose: this call is correct)
  const njoined: number = await chat.roomJoin('x');
  void njoined;
}
`,
      );
      expect(diagnostics.map((diagnostic) => diagnostic.code)).toEqual([UNUSED_DIRECTIVE]);
    },
    COMPILE_TIMEOUT,
  );

  it(
    'can fail: each misuse without a directive is an error on its own line',
    () => {
      const diagnostics = checker.check(
          `${header}
  await chat.roomJoin(42);
  await chat.roomKick('x');
  chat.on('roomMessage', (room: number) => void room);
  const text: string = await chat.roomJoin('x');
  void text;
}
`,
      );
      expect(diagnostics.length).toBeGreaterThan(0);
      expect([...new Set(lines(diagnostics))].sort((a, b) => a - b)).toEqual([firstLine, firstLine + 1, firstLine + 2, firstLine + 3]);
    },
    COMPILE_TIMEOUT,
  );

  it(
    'can fail: importing ChatServer from the browser entry is an error',
    () => {
      const diagnostics = checker.check(
          `import { ChatServer } from '@volley/chat/client';
export const server = ChatServer;
`,
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
