/*
 * Runs the echo example the way a user does: as a separate Node process, importing the built
 * packages by name. Needs the packages' dist (built here if missing) and the example's
 * node_modules links from `pnpm install`.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeAll, expect, it } from 'vitest';

const run = promisify(execFile);
const example = fileURLToPath(new URL('../', import.meta.url));
const root = fileURLToPath(new URL('../../../', import.meta.url));

const children = new Set<ChildProcess>();

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts `node <script> ...args` in the example folder; `exit` resolves when it ends. */
function start(script: string, args: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; exit: Promise<Exit>; output: () => string } {
  const child = spawn(process.execPath, [script, ...args], { cwd: example, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exit = new Promise<Exit>((resolve) => {
    child.once('close', (code, signal) => {
      children.delete(child);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, exit, output: () => stdout };
}

/** Resolves with the first match of `pattern` in the child's output, or rejects if it exits first. */
function waitFor(process: ReturnType<typeof start>, pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const match = process.output().match(pattern);
      if (match !== null) {
        process.child.stdout!.off('data', check);
        resolve(match);
      }
    };
    process.child.stdout!.on('data', check);
    void process.exit.then((exit) => reject(new Error(`exited (${exit.code ?? exit.signal}) before printing ${pattern}: ${exit.stdout}${exit.stderr}`)));
    check();
  });
}

beforeAll(async () => {
  if (['server', 'client', 'protocol'].some((name) => !existsSync(`${root}packages/${name}/dist/index.js`))) {
    await run('pnpm', ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only'], { cwd: root, timeout: 180_000 });
  }
}, 200_000);

afterEach(async () => {
  await Promise.all(
    [...children].map((child) => {
      const closed = new Promise((resolve) => child.once('close', resolve));
      child.kill('SIGKILL');
      return closed;
    }),
  );
});

it('run.mjs --once starts the server, echoes through the client, stops and exits 0', async () => {
  const { code, stdout, stderr } = await start('run.mjs', ['--once'], { PORT: '0', HOST: '127.0.0.1' }).exit;
  expect(stderr).toBe('');
  expect(code).toBe(0);
  expect(stdout).toMatch(/^Echo server listening on ws:\/\/localhost:\d+$/m);
  expect(stdout).toContain('server: Hello, echo client!\n');
  expect(stdout).toContain('sent:   "Hello, Volley!"\n');
  expect(stdout).toContain('echoed: "Hello, Volley!"\n');
  expect(stdout).not.toContain('Still listening');
});

it('run.mjs keeps serving other clients until SIGINT, then stops cleanly', async () => {
  const demo = start('run.mjs', [], { PORT: '0', HOST: '127.0.0.1' });
  const [, url] = await waitFor(demo, /Still listening\. From another terminal: node examples\/echo\/client\.mjs (ws:\/\/localhost:\d+) /);
  const port = new URL(url!).port;

  const client = await start('client.mjs', [`ws://127.0.0.1:${port}`, 'a second client'], {}).exit;
  expect(client).toMatchObject({ code: 0, stderr: '' });
  expect(client.stdout).toContain('echoed: "a second client"\n');

  demo.child.kill('SIGINT');
  const exit = await demo.exit;
  expect(exit).toMatchObject({ code: 0, signal: null, stderr: '' });
  expect(exit.stdout).toMatch(/Server stopped\.\n$/);
});

it('server.mjs runs on its own on PORT and client.mjs reaches it', async () => {
  const server = start('server.mjs', [], { PORT: '0', HOST: '127.0.0.1' });
  const [, port] = await waitFor(server, /Echo server listening on ws:\/\/localhost:(\d+) /);
  const client = await start('client.mjs', [], { PORT: port! }).exit;
  expect(client).toMatchObject({ code: 0, stderr: '' });
  expect(client.stdout).toBe('server: Hello, echo client!\nsent:   "Hello, Volley!"\nechoed: "Hello, Volley!"\n');
  server.child.kill('SIGTERM');
  expect(await server.exit).toMatchObject({ code: 0, signal: null });
});
