import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COMPILE_TIMEOUT, diagnosticLines, TypeChecker, UNUSED_DIRECTIVE } from '@volley/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';

/*
 * Runs the compile-time checks of test/types/api.types.ts with the TypeScript compiler API and
 * the root tsconfig's options (strict, paths to the packages' sources). An `@ts-expect-error` on
 * a misuse that compiles is itself an error (TS2578), so "zero diagnostics" means every misuse
 * listed there is still refused. The in-memory sources below prove that this check can fail.
 */

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const typesFile = join(root, 'packages/server/test/types/api.types.ts');
let checker: TypeChecker;

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
  // Not on disk, so no tsconfig glob ever sees it; served by the checker.
  checker = new TypeChecker(root, join(root, 'packages/server/test/types/virtual-misuse.ts'));
});

describe('API typing (test/types/api.types.ts)', () => {
  it(
    'compiles with zero diagnostics: correct uses pass and every @ts-expect-error catches its misuse',
    () => {
      const { diagnostics, program } = checker.compile(typesFile);
      expect(checker.format(diagnostics)).toBe('');
      expect(diagnostics).toHaveLength(0);
      expect(program.getSourceFile(typesFile)).toBeDefined();
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
      const diagnostics = checker.check(
          `${header}
  // @ts-expect-error (wrong on purpose: this call is correct)
  const three: number = await client.send('sum', { a: 1, b: 2 });
  void three;
}
`,
      );
      expect(diagnostics.length).toBeGreaterThan(0);
      expect(diagnostics.map((d) => d.code)).toEqual([UNUSED_DIRECTIVE]);
    },
    COMPILE_TIMEOUT,
  );

  it(
    'can fail: misuse without a directive is an error',
    () => {
      const diagnostics = checker.check(
          `${header}
  await client.send('sum', { a: 1, b: '2' });
  await client.send('confirm', { q: 'x' });
  const text: string = await client.send('sum', { a: 1, b: 2 });
  void text;
}
`,
      );
      expect(diagnostics.length).toBeGreaterThan(0);
      // One error per misuse line.
      expect(new Set(diagnosticLines(diagnostics)).size).toBe(3);
    },
    COMPILE_TIMEOUT,
  );
});
