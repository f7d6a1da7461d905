import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { requireRedis, skipRedis } from '@volley/test-utils';
import { describe, expect, it } from 'vitest';

const runner = fileURLToPath(new URL('../src/run.mjs', import.meta.url));
const connectParts = fileURLToPath(new URL('../src/connect-parts.mjs', import.meta.url));
const flood = fileURLToPath(new URL('../src/flood.mjs', import.meta.url));
const cluster = fileURLToPath(new URL('../src/cluster.mjs', import.meta.url));
const skipCluster = await skipRedis();

/** Runs the harness in its own process (it imports the packages' builds) and collects its output. */
function runBench(args: string[], script = runner): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [script, ...args], { timeout: 90_000, maxBuffer: 8 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
    });
  });
}

// The benchmark reports and never gates anything: this only checks that the harness runs end
// to end and prints its table. No timing is asserted.
describe('benchmark harness', () => {
  it('runs one tiny scenario on volley and the ws-json baseline and prints both rows with ratios', async () => {
    const { code, stdout, stderr } = await runBench(['--quick', '--scenarios=rr1', '--systems=volley,ws-json', '--duration=300', '--warmup=100', '--runs=1', '--no-write']);
    expect(stderr).not.toContain('FAILED');
    expect(code).toBe(0);
    const rows = stdout.split('\n').filter((line) => line.startsWith('| '));
    const header = rows.find((line) => line.includes('rt/s'));
    expect(header).toContain('vs ws-json');
    const volley = rows.find((line) => line.startsWith('| volley '));
    const baseline = rows.find((line) => line.startsWith('| **ws-json** (baseline)'));
    expect(volley).toBeDefined();
    expect(baseline).toBeDefined();
    // Every measured cell is a number and the baseline's ratio to itself is 1.
    expect(volley).toMatch(/\d+(\.\d+)?×/);
    expect(baseline).toContain('1.00×');
    expect(volley).not.toContain('error');
  }, 120_000);

  it('refuses an unknown flag with a usage message instead of running', async () => {
    const { code, stderr } = await runBench(['--no-such-flag=1']);
    expect(code).toBe(2);
    expect(stderr).toContain('unknown flag --no-such-flag');
    expect(stderr).toContain('Usage: pnpm bench');
  }, 30_000);

  it('splits a connect into its parts: one row per kind of connect, the bare ws one at 1.00×', async () => {
    const { code, stdout, stderr } = await runBench(['--batch=20', '--rounds=2', '--skip=1', '--concurrency=4'], connectParts);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const rows = stdout.split('\n').filter((line) => /^\| (Volley|raw|bare)/.test(line));
    expect(rows).toHaveLength(4);
    for (const row of rows) expect(row).toMatch(/^\| [^|]+ \| \d+ \| \d+ \| \d+ \| \d+\.\d\d× \|$/);
    expect(rows[3]).toContain('| 1.00× |');
  }, 60_000);

  it('measures a victim alone and under each kind of flood: one row each, with the ratio to alone', async () => {
    const { code, stdout, stderr } = await runBench(['--duration=300', '--rounds=1'], flood);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const rows = stdout.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| flood'));
    expect(rows.map((row) => row.split(' | ')[0])).toEqual([
      '| alone',
      '| unknown _r',
      '| WebSocket pongs',
      '| binary frames',
      '| _p before the handshake',
      '| requests over the rate',
      '| malformed text',
    ]);
    expect(rows[0]).toContain('| 1.00× |');
    // Every flood row has the victim's numbers and its ratio (timings are reported, never judged).
    for (const row of rows.slice(1)) expect(row).toMatch(/\| \d+ \| \d+\.\d{3} \| \d+\.\d{3} \| \d+\.\d\d×( \(over 5×\))? \|$/);
  }, 60_000);

  it.skipIf(skipCluster)('runs the cluster bench on Redis: 1 node and 2 nodes, every figure a number', async () => {
    await requireRedis();
    const { code, stdout, stderr } = await runBench(['--nodes=2', '--members=20', '--duration=200', '--rounds=1', '--inflight=2'], cluster);
    expect(code, stderr).toBe(0);
    const rows = stdout.split('\n').filter((line) => /^\| \d nodes? \|/.test(line));
    expect(rows.map((row) => row.split(' | ')[1])).toEqual([
      'broadcast deliveries/s',
      'broadcast CPU µs per delivery (nodes + Redis)',
      'one broadcast to all, ms',
      'awaited send, same node: rt/s',
      'awaited send, same node: p99 ms',
      'requests to the nodes, rt/s (50 connections × 10 in flight)',
      'broadcast deliveries/s',
      'broadcast CPU µs per delivery (nodes + Redis)',
      'one broadcast to all, ms',
      'awaited send, same node: rt/s',
      'awaited send, same node: p99 ms',
      'requests to the nodes, rt/s (50 connections × 10 in flight)',
      'awaited send, other node: rt/s',
      'awaited send, other node: p99 ms',
    ]);
    for (const row of rows) expect(row).toMatch(/\| [\d,.]+ \|$/);
  }, 120_000);

  it('refuses an unknown flag of the cluster bench', async () => {
    const { code, stderr } = await runBench(['--nope=1'], cluster);
    expect(code).toBe(2);
    expect(stderr).toContain('Usage: cluster.mjs');
  }, 30_000);

  it('refuses an unknown flag of the flood bench', async () => {
    const { code, stderr } = await runBench(['--nope=1'], flood);
    expect(code).toBe(2);
    expect(stderr).toContain('Usage: flood.mjs');
  }, 30_000);

  it('refuses an unknown argument of the connect split', async () => {
    const { code, stderr } = await runBench(['--batch=x'], connectParts);
    expect(code).toBe(2);
    expect(stderr).toContain('Usage: connect-parts.mjs');
  }, 30_000);
});
