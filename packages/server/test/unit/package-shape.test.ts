import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/*
 * What a user's `require()` and TypeScript see of the published packages. Each package resolves
 * its own name (Node's self-reference), exactly as a user's project resolves it from node_modules.
 */
const root = fileURLToPath(new URL('../../../../', import.meta.url));

const entries: [folder: string, specifier: string, named: string][] = [
  ['protocol', '@volley/protocol', 'encodeMessage'],
  ['protocol', '@volley/protocol/validation', 'createFrameValidator'],
  ['session', '@volley/session', 'Session'],
  ['session', '@volley/session/node', 'WriteBatcher'],
  ['server', '@volley/server', 'Server'],
  ['client', '@volley/client', 'Client'],
  ['chat', '@volley/chat', 'ChatServer'],
  ['chat', '@volley/chat/client', 'ChatClient'],
  ['redis', '@volley/redis', 'RedisAdapter'],
];

describe('package shape', () => {
  it.each(entries)('require() of %s/%s fails with a message that says ESM-only and how to load it', (folder, specifier, named) => {
    const require = createRequire(join(root, 'packages', folder, 'package.json'));
    expect(() => require(specifier)).toThrow(`${specifier} is ESM-only`);
    expect(() => require(specifier)).toThrow(`await import('${specifier}')`);
    expect(() => require(specifier)).toThrow(named);
  });

  it('every entry of every package has a require condition that Node matches before its import conditions', () => {
    for (const folder of ['protocol', 'session', 'server', 'client', 'chat', 'redis']) {
      const manifest = JSON.parse(readFileSync(join(root, 'packages', folder, 'package.json'), 'utf8')) as {
        exports: Record<string, string | Record<string, string>>;
        files: string[];
      };
      for (const [entry, conditions] of Object.entries(manifest.exports)) {
        if (entry === './package.json') continue;
        // The client's Node entry: require (Node matches it before node), then node, then import.
        const expected = folder === 'client' ? ['types', 'require', 'node', 'import'] : ['types', 'import', 'require'];
        expect(Object.keys(conditions as object), `${folder} ${entry}`).toEqual(expected);
        expect(manifest.files, folder).toContain((conditions as Record<string, string>).require!.slice(2));
      }
    }
  });

  it('@types/ws comes with the server, for TypeScript users of its ws-typed API', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'packages/server/package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(manifest.dependencies['@types/ws']).toBeDefined();
  });

  it('package READMEs (shown on npm, away from the repository) link to nothing relative', () => {
    for (const folder of ['protocol', 'session', 'server', 'client', 'chat', 'redis']) {
      const readme = readFileSync(join(root, 'packages', folder, 'README.md'), 'utf8');
      expect(readme.match(/\]\((?!https?:\/\/|#)[^)]*\)/g) ?? [], folder).toEqual([]);
    }
  });
});
