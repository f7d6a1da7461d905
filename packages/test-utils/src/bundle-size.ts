import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import esbuildPlugin from '@size-limit/esbuild';
import filePlugin from '@size-limit/file';
import sizeLimit from 'size-limit';

/** One entry of the repository's `.size-limit.mjs`. */
export interface SizeCheck {
  name: string;
  path: string;
  import: string;
  gzip: boolean;
  limit: string;
  modifyEsbuildConfig?: (config: object) => object;
}

/** Bytes of a size-limit limit such as "8.6 KB" (size-limit's units: 1 KB = 1000 bytes). */
export function limitBytes(limit: string): number {
  const match = /^([\d.]+)\s*(B|KB|kB)$/.exec(limit.trim());
  if (match === null) throw new Error(`Unsupported size limit "${limit}"`);
  return Math.round(Number(match[1]) * (match[2] === 'B' ? 1 : 1000));
}

/**
 * Measures one check of `.size-limit.mjs` with size-limit's API, as `pnpm size` does: the built
 * entry bundled by esbuild for a browser with only the named import, minified, then gzip -9.
 * The entry must be built (the test command builds first).
 */
export async function measureBundle(root: string, check: SizeCheck): Promise<number> {
  const file = resolve(root, check.path);
  // Typed as returning an object; it resolves with one result per check.
  const [result] = (await sizeLimit([esbuildPlugin, filePlugin], {
    checks: [{ ...check, files: [file], import: { [file]: check.import } }],
  })) as { size?: number }[];
  if (result?.size === undefined) throw new Error(`size-limit measured nothing for ${check.name}`);
  return result.size;
}

/** The check of `.size-limit.mjs` (in `root`) that measures the built entry `path`. */
export async function sizeCheckOf(root: string, path: string): Promise<SizeCheck> {
  const { default: checks } = (await import(pathToFileURL(join(root, '.size-limit.mjs')).href)) as { default: SizeCheck[] };
  const check = checks.find((candidate) => candidate.path === path);
  if (check === undefined) throw new Error(`.size-limit.mjs has no check of ${path}`);
  return check;
}
