import type { Options } from 'tsup';

/**
 * How every published package is built: ES modules for ES2022 with source maps and declarations,
 * members marked `@internal` left out of the published types. `entry` lists the package's entry
 * points (one per `exports` subpath).
 */
export function packageBuild(entry: string[]): Options {
  return {
    entry,
    format: ['esm'],
    dts: { compilerOptions: { stripInternal: true } },
    clean: true,
    sourcemap: true,
    target: 'es2022',
  };
}
