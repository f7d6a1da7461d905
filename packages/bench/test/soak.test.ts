import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const soak = fileURLToPath(new URL('../src/soak.mjs', import.meta.url));

/** Runs the soak in its own processes (it imports the packages' builds) and collects its output. */
function runSoak(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [soak, ...args], { timeout: 150_000, maxBuffer: 8 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
    });
  });
}

interface SoakSummary {
  completed: boolean;
  ok: boolean;
  connections: number;
  requests: number;
  notes: number;
  serverRequests: number;
  deliveries: number;
  lost: number;
  duplicated: number;
  unexpectedCloses: number;
  memory: { verdict: string; samples: [number, number, number][] };
}

// The short CI version of `pnpm soak`: a few hundred connections for a few seconds. Only
// correctness is asserted (nothing lost, duplicated or closed unexpectedly), never timing.
describe('soak', () => {
  it('keeps 200 connections under the request mix without losing, duplicating or closing anything', async () => {
    const { code, stdout, stderr } = await runSoak(['--connections=200', '--duration=4000']);
    const last = stdout.trim().split('\n').at(-1) ?? '';
    expect(last.startsWith('{"soak":'), `no JSON summary; stdout:\n${stdout}\nstderr:\n${stderr}`).toBe(true);
    const summary = (JSON.parse(last) as { soak: SoakSummary }).soak;
    expect(summary.completed).toBe(true);
    expect(summary.connections).toBe(200);
    expect(summary.lost).toBe(0);
    expect(summary.duplicated).toBe(0);
    expect(summary.unexpectedCloses).toBe(0);
    // Every kind of traffic actually ran.
    expect(summary.requests).toBeGreaterThan(0);
    expect(summary.notes).toBeGreaterThan(0);
    expect(summary.serverRequests).toBeGreaterThan(0);
    expect(summary.deliveries).toBeGreaterThan(0);
    expect(summary.memory.samples.length).toBeGreaterThan(0);
    expect(summary.ok).toBe(true);
    expect(code).toBe(0);
  }, 180_000);

  it('refuses an unknown flag with a usage message instead of running', async () => {
    const { code, stderr } = await runSoak(['--no-such-flag=1']);
    expect(code).toBe(2);
    expect(stderr).toContain('unknown flag --no-such-flag');
    expect(stderr).toContain('Usage: pnpm soak');
  }, 30_000);
});
