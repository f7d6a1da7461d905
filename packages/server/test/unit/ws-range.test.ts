import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/*
 * The limits of docs/security.md rely on protections ws added over time: a limit on the fragments
 * of one message (advisory GHSA-96hv-2xvq-fx4p) and on pongs awaiting their write. 8.23.0 is the
 * first version with both; an older one would hold over 100 MiB for a "1 MiB" message. The range
 * is pinned to 8.23.x (patch releases only): own framing, write batching and the upgrade handshake
 * reach into ws internals (ws-internals.test.ts), which a minor release may change.
 */
const FLOOR = [8, 23, 0];

const root = fileURLToPath(new URL('../../../../', import.meta.url));

/** Every package.json of the workspace. */
function manifests(): string[] {
  const found = [join(root, 'package.json')];
  for (const folder of ['packages', 'examples']) {
    for (const entry of readdirSync(join(root, folder), { withFileTypes: true })) {
      if (entry.isDirectory()) found.push(join(root, folder, entry.name, 'package.json'));
    }
  }
  return found.filter((path) => {
    try {
      readFileSync(path);
      return true;
    } catch {
      return false;
    }
  });
}

function versionOf(text: string): number[] {
  const match = /(\d+)\.(\d+)\.(\d+)/.exec(text);
  if (match === null) throw new Error(`No version in "${text}"`);
  return match.slice(1).map(Number);
}

function atLeastFloor(version: number[]): boolean {
  for (let index = 0; index < FLOOR.length; index++) {
    if (version[index]! !== FLOOR[index]!) return version[index]! > FLOOR[index]!;
  }
  return true;
}

describe('the ws range', () => {
  it('every package that declares ws pins 8.23.x (~8.23.0): the protections from 8.23.0 on, no minor release whose internals are untested', () => {
    const ranges: [string, string][] = [];
    for (const path of manifests()) {
      const manifest = JSON.parse(readFileSync(path, 'utf8')) as Record<string, Record<string, string> | undefined>;
      for (const field of ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies']) {
        const range = manifest[field]?.ws;
        if (range !== undefined) ranges.push([path.slice(root.length), range]);
      }
    }
    expect(ranges.map(([path]) => path)).toContain('packages/server/package.json');
    for (const [path, range] of ranges) {
      expect(range, path).toMatch(/^~8\.23\.\d+$/);
      expect(atLeastFloor(versionOf(range)), `${path}: ${range}`).toBe(true);
    }
  });

  it('the installed ws is 8.23.0 or later', () => {
    const require = createRequire(join(root, 'packages/server/package.json'));
    const { version } = require('ws/package.json') as { version: string };
    expect(atLeastFloor(versionOf(version)), version).toBe(true);
  });
});
