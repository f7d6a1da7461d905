import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage as HttpRequest, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Server, type ServerConnection } from '@volley/server';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, skipBrowser } from '@volley/test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

/*
 * The client's built ESM (dist/, as published) running in a real browser with its native
 * WebSocket, against a Volley server started here. No bundler: an import map points the bare
 * specifiers at the served dist files, so a module the client must not load in a browser (ws,
 * ajv, a node: built-in) would fail to resolve, and is also checked for in the requests made.
 *
 * The dist is built by the test command (`pnpm test` builds first); it is built here only when
 * missing. Chromium is Debian's; set CHROMIUM_PATH to use another one.
 */

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const clientDist = join(root, 'packages/client/dist');
const protocolDist = join(root, 'packages/protocol/dist');
const sessionDist = join(root, 'packages/session/dist');


/** What the page's module script writes to `window.volley`. */
interface PageResults {
  ready: boolean;
  failure?: string;
  failureCode?: string;
  webSocketIsNative: boolean;
  welcome?: unknown;
  id?: string;
  sum?: unknown;
  rejected?: { isVolleyError: boolean; code: string; payload: unknown };
  news: unknown[];
  states: string[];
}

const pageScript = `
import { Client, ClientEvent, VolleyError } from '@volley/client';

const out = (window.volley = { ready: false, news: [], states: [], webSocketIsNative: /\\[native code\\]/.test(String(WebSocket)) });
// No WebSocket option: the client must pick up the browser's own.
const client = new Client(new URL(location.href).searchParams.get('ws'), {
  handshake: { payload: { token: 'browser-token' } },
  reconnect: false,
});
window.volleyClient = client;
client.on(ClientEvent.STATE_CHANGE, ({ newState }) => out.states.push(newState));
client.on('confirm', (message) => message.resolve(message.payload.q === 'delete?'));
client.on('news', (message) => out.news.push(message.payload));
try {
  out.welcome = await client.connect();
  out.id = client.id;
  out.sum = await client.send('sum', { a: 1, b: 2 });
  try {
    await client.send('sum', { a: 1, b: 'two' });
  } catch (error) {
    out.rejected = { isVolleyError: error instanceof VolleyError, code: error.code, payload: error.payload };
  }
} catch (error) {
  out.failure = String((error && error.stack) || error);
  out.failureCode = error && error.code;
}
out.ready = true;
`;

const pageHtml = `<!doctype html>
<html>
<head>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<script type="importmap">
${JSON.stringify({
  imports: {
    '@volley/client': '/client/index.js',
    '@volley/protocol': '/protocol/index.js',
    '@volley/session': '/session/index.js',
  },
})}
</script>
</head>
<body>
<script type="module">${pageScript}</script>
</body>
</html>`;

/** URL prefix → directory served under it. */
const mounts: [prefix: string, dir: string][] = [
  ['/client/', clientDist],
  ['/protocol/', protocolDist],
  ['/session/', sessionDist],
];

const contentTypes: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

let staticServer: HttpServer | undefined;
let staticOrigin = '';
/** Paths the static server could not serve. */
const notFound: string[] = [];
let browser: Browser | undefined;

function serveStatic(request: HttpRequest, response: ServerResponse): void {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  if (path === '/') {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(pageHtml);
    return;
  }
  for (const [prefix, dir] of mounts) {
    if (!path.startsWith(prefix)) continue;
    const file = normalize(join(dir, decodeURIComponent(path.slice(prefix.length))));
    if (file.startsWith(dir + sep) && existsSync(file) && statSync(file).isFile()) {
      response.writeHead(200, { 'content-type': contentTypes[extname(file)] ?? 'application/octet-stream' });
      response.end(readFileSync(file));
      return;
    }
  }
  notFound.push(path);
  response.writeHead(404);
  response.end();
}

/** Builds the client and the packages it depends on, when their dist is missing. */
async function ensureBuilt(): Promise<void> {
  if ([clientDist, protocolDist, sessionDist].every((dist) => existsSync(join(dist, 'index.js')))) return;
  const output: string[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn('pnpm', ['exec', 'turbo', 'run', 'build', '--filter=@volley/client...'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0 || !existsSync(join(clientDist, 'index.js'))) {
    throw new Error(`Building @volley/client failed (exit ${code}):\n${output.join('')}`);
  }
}

/**
 * Opens the test page against `wsUrl`, waits for its script to finish and returns what it wrote.
 * A module that fails to load or link (a bad import map entry, a Node-only import) never runs
 * the script: fail at once with the page's error instead of waiting for the timeout.
 */
async function loadPage(page: Page, wsUrl: string): Promise<PageResults> {
  const failed = new Promise<never>((_, reject) => {
    page.on('pageerror', (error) => reject(new Error(`The page failed: ${String(error)}`)));
  });
  failed.catch(() => undefined); // raced below; a later error is asserted by the tests
  await page.goto(`${staticOrigin}/?ws=${encodeURIComponent(wsUrl)}`);
  const ready = page.waitForFunction(() => (window as unknown as { volley?: PageResults }).volley?.ready === true, undefined, { timeout: 30_000 });
  await (await Promise.race([ready, failed])).dispose();
  return page.evaluate(() => (window as unknown as { volley: PageResults }).volley);
}

describe.skipIf(skipBrowser)('@volley/client in Chromium (built ESM, native WebSocket)', () => {
  let volley: Server | undefined;
  let page: Page | undefined;

  beforeAll(async () => {
    await ensureBuilt();
    staticServer = createServer(serveStatic);
    await new Promise<void>((resolve, reject) => {
      staticServer!.once('error', reject);
      staticServer!.listen(0, '127.0.0.1', resolve);
    });
    staticOrigin = `http://127.0.0.1:${(staticServer.address() as AddressInfo).port}`;
    browser = await launchChromium();
  }, 180_000);

  afterEach(async () => {
    await page?.close();
    page = undefined;
    await volley?.stop();
    volley = undefined;
  });

  afterAll(async () => {
    await browser?.close();
    if (staticServer !== undefined) {
      staticServer.closeAllConnections();
      await new Promise<void>((resolve) => staticServer!.close(() => resolve()));
    }
  });

  it('connects, handshakes, and sends and answers requests both ways, loading only the client browser entry, protocol and session', async () => {
    // Only the page's own origin may connect: proves the socket is the browser's (it sends Origin).
    volley = new Server({ port: 0, host: '127.0.0.1', allowedOrigins: [staticOrigin] });
    const upgrades: { origin: string | undefined; userAgent: string | undefined; token: unknown }[] = [];
    volley.on('handshake', (connection, handshake, request) => {
      const payload = handshake.payload as { token?: unknown } | undefined;
      upgrades.push({ origin: request?.headers.origin, userAgent: request?.headers['user-agent'], token: payload?.token });
      if (payload?.token !== 'browser-token') {
        handshake.reject(new Error('bad token'));
        return;
      }
      connection.setId('browser-1');
      handshake.resolve({ greeting: 'hello browser' });
    });
    const connected = new Promise<ServerConnection>((resolve) => volley!.once('connection', resolve));
    volley.on('connection', (connection) => {
      connection.on('sum', (message) => {
        const { a, b } = message.payload as { a: unknown; b: unknown };
        if (typeof a !== 'number' || typeof b !== 'number') {
          message.reject(new Error('a and b must be numbers'));
          return;
        }
        message.resolve(a + b);
      });
    });
    await volley.start();

    page = await browser!.newPage();
    const requests: string[] = [];
    const pageErrors: string[] = [];
    const consoleErrors: string[] = [];
    const sockets: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('websocket', (socket) => sockets.push(socket.url()));

    const wsUrl = `ws://127.0.0.1:${volley.port}/`;
    const results = await loadPage(page, wsUrl);

    expect(results.failure).toBeUndefined();
    expect(results.webSocketIsNative).toBe(true);
    expect(results.welcome).toEqual({ greeting: 'hello browser' });
    expect(results.id).toBe('browser-1');
    expect(results.sum).toBe(3);
    expect(results.rejected).toEqual({
      isVolleyError: true,
      code: 'MESSAGE_REJECTED',
      payload: { name: 'Error', message: 'a and b must be numbers' },
    });
    expect(results.states).toEqual(['connecting', 'connected']);
    expect(upgrades).toHaveLength(1);
    expect(upgrades[0]).toMatchObject({ origin: staticOrigin, token: 'browser-token' });
    expect(upgrades[0]!.userAgent).toMatch(/Chrome/);
    expect(sockets).toEqual([wsUrl]);

    // Server → browser: an awaited request and a fire-and-forget message.
    const connection = await connected;
    expect(connection.id).toBe('browser-1');
    expect(await connection.send('confirm', { q: 'delete?' })).toBe(true);
    expect(await connection.send('confirm', { q: 'keep?' })).toBe(false);
    await connection.sendWithoutResponse('news', 'extra! extra!');
    await page.waitForFunction(() => (window as unknown as { volley: PageResults }).volley.news.length > 0, undefined, { timeout: 10_000 });
    expect(await page.evaluate(() => (window as unknown as { volley: PageResults }).volley.news)).toEqual(['extra! extra!']);

    // The browser closes: the server sees a normal close.
    const gone = new Promise<{ code: number }>((resolve) => volley!.once('disconnected', (_, info) => resolve(info)));
    await page.evaluate(() => (window as unknown as { volleyClient: { disconnect(): Promise<void> } }).volleyClient.disconnect());
    expect((await gone).code).toBe(1000);
    expect(await page.evaluate(() => (window as unknown as { volley: PageResults }).volley.states.at(-1))).toBe('disconnected');

    // Exactly the page and the three packages' ES modules were loaded, all from the static server.
    const paths = requests.map((url) => {
      expect(url.startsWith(`${staticOrigin}/`)).toBe(true);
      return new URL(url).pathname;
    });
    expect(paths.some((path) => /(^|[/.@-])(ws|ajv)([/.@-]|$)/.test(path) || path.includes('node:'))).toBe(false);
    expect(requests.some((url) => url.startsWith('node:'))).toBe(false);
    const loaded = [...new Set(paths)];
    // tsup splits code shared by a package's entry points into chunks beside index.js.
    const isChunk = (path: string): boolean => /^\/(client|protocol|session)\/chunk-[\w-]+\.js$/.test(path);
    // The browser entry: never node.js, the Node transport, nor the write batcher of session/node.js.
    expect(loaded.filter((path) => !isChunk(path)).sort()).toEqual(['/', '/client/index.js', '/protocol/index.js', '/session/index.js'].sort());
    expect(notFound).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(consoleErrors).toEqual([]);
  }, 60_000);

  it('rejects a refused handshake in the browser with HANDSHAKE_REJECTED and the server reason', async () => {
    volley = new Server({ port: 0, host: '127.0.0.1' });
    volley.on('handshake', (_, handshake) => handshake.reject(new Error('not today')));
    await volley.start();
    page = await browser!.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    const results = await loadPage(page, `ws://127.0.0.1:${volley.port}/`);
    expect(results.failureCode).toBe('HANDSHAKE_REJECTED');
    expect(results.failure).toContain('not today');
    expect(results.welcome).toBeUndefined();
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
