import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cleanup, REDIS_URL, requireRedis, skipRedis } from '@volley/test-utils';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanPrefix } from '../../../packages/redis/test/redis-helpers.js';

const skip = await skipRedis();
const runScript = fileURLToPath(new URL('../run.mjs', import.meta.url));

afterEach(cleanup);

describe.skipIf(skip)('examples/cluster', () => {
  beforeAll(requireRedis);

  it('run.mjs --once: a broadcast and an awaited request cross from node a to node b, then everything stops', async () => {
    const child = spawn(process.execPath, [runScript, '--once'], { env: { ...process.env, REDIS_URL, PREFIX: cleanPrefix('example-cluster'), PORT_A: '0', PORT_B: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(output).toContain('ann joined the lobby on node a, bob on node b');
    expect(output).toContain('bob got the broadcast: hello everyone (from a)');
    expect(output).toContain('ann asked bob across nodes; answer: bob says yes to "coffee?"');
    expect(code, output).toBe(0);
  }, 30_000);
});
