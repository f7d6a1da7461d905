import { fileURLToPath } from 'node:url';
import { limitBytes, measureBundle, sizeCheckOf } from '@volley/test-utils';
import { describe, expect, it } from 'vitest';

/*
 * The browser client's weight, as users pay it: the built browser entry bundled by esbuild with
 * `import { Client }`, minified, gzip -9, against its budget in the repository's .size-limit.mjs
 * (what `pnpm size` prints). Needs the build (the test command builds first).
 */
const root = fileURLToPath(new URL('../../../../', import.meta.url));
const entry = 'packages/client/dist/index.js';

describe('the browser bundle of @volley/client', () => {
  it('stays within its size-limit budget', async () => {
    const check = await sizeCheckOf(root, entry);
    const size = await measureBundle(root, check);
    console.info(`${check.name}: ${size} bytes min+gzip (limit ${check.limit})`);
    expect(size).toBeGreaterThan(0);
    expect(size).toBeLessThanOrEqual(limitBytes(check.limit));
  }, 60_000);

  it('leaves the Node transport out: the Node entry of the same import weighs more', async () => {
    const check = await sizeCheckOf(root, entry);
    const browser = await measureBundle(root, check);
    const node = await measureBundle(root, { ...check, path: 'packages/client/dist/node.js' });
    // The frame writer, the write batcher and ws's listeners are only in the Node graph.
    expect(node - browser).toBeGreaterThan(500);
  }, 60_000);
});
