/**
 * `pnpm docs:api` builds the API reference from the doc comments (typedoc.json). This runs the
 * same conversion without writing it (`--emit none`) and with every warning an error: a broken
 * `{@link}`, a documented parameter that does not exist, or an entry point that no longer
 * compiles fails here instead of in the published reference.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
// The package's exports hide its bin; the workspace root's node_modules has it.
const typedoc = join(root, 'node_modules', 'typedoc', 'bin', 'typedoc');

it('the API reference builds from the doc comments with no warning', async () => {
  const { stdout, stderr } = await promisify(execFile)(process.execPath, [typedoc, '--emit', 'none', '--treatWarningsAsErrors'], { cwd: root });
  expect(`${stdout}${stderr}`).not.toMatch(/\[(warning|error)\]/);
}, 120_000);
