/*
 * The chat demo. Its server runs in this process (`startDemo` on port 0; the chat comes from the
 * sources through vitest's aliases), Node users are ChatClients over `ws`, and the page runs in a
 * real Chromium, which loads the packages' built ESM (dist/) exactly as a user's browser does:
 * through the page's import map, with nothing bundled. `node server.mjs` is also run as a child
 * process, the way `pnpm chat` runs it.
 *
 * The dist is built by the test command (`pnpm test` builds first); it is built here only when
 * missing. Chromium is Debian's; set CHROMIUM_PATH to use another one. Without it the browser
 * tests are skipped, except under CI, where they fail.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChatClient, ChatErrorCode } from '@volley/chat/client';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, skipBrowser } from '@volley/test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { chatErrorOf, Inbox } from '../../../packages/chat/test/helpers.js';
import { type Demo, startDemo } from '../server.mjs';

const example = fileURLToPath(new URL('../', import.meta.url));
const root = fileURLToPath(new URL('../../../', import.meta.url));
const dists = ['chat/dist/client.js', 'chat/dist/index.js', 'client/dist/index.js', 'protocol/dist/index.js'].map((file) => join(root, 'packages', file));


/** Runs a command in the repository root; rejects with its output when it fails. */
function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const output: string[] = [];
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} failed (exit ${code}):\n${output.join('')}`))));
  });
}

let demo: Demo | undefined;
/** What the demo's ChatServer reported on its `error` event: nothing may fail. */
let serverErrors: unknown[] = [];
const clients: ChatClient[] = [];
const children = new Set<ChildProcess>();

beforeAll(async () => {
  // The page (and `node server.mjs`) load the builds of the chat and what it depends on.
  if (!dists.every((file) => existsSync(file))) await run('pnpm', ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only', '--filter=@volley/example-chat...']);
}, 180_000);

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.disconnect()));
  await demo?.stop();
  demo = undefined;
  await Promise.all(
    [...children].map((child) => {
      const closed = new Promise((resolve) => child.once('close', resolve));
      child.kill('SIGKILL');
      return closed;
    }),
  );
});

async function start(): Promise<Demo> {
  demo = await startDemo({ port: 0, host: '127.0.0.1' });
  serverErrors = [];
  demo.chat.on('error', (error) => serverErrors.push(error));
  return demo;
}

function wsUrl(started: Demo): string {
  return `${started.url.replace(/^http/, 'ws')}ws`;
}

/** A Node user of the demo: logs in with `{userName}` as the handshake payload. */
async function nodeUser(started: Demo, userName: string): Promise<{ chat: ChatClient; inbox: Inbox }> {
  const chat = new ChatClient(wsUrl(started), { WebSocket, auth: { userName }, reconnect: false, pingInterval: 0 });
  clients.push(chat);
  const inbox = new Inbox(chat);
  expect(await chat.connect()).toMatchObject({ userName, authData: { id: expect.any(String) } });
  return { chat, inbox };
}

describe('chat demo server', () => {
  it('two Node users log in, join lobby and exchange messages, receipts and a direct message', async () => {
    const started = await start();
    expect(started.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const alice = await nodeUser(started, 'alice');
    const bob = await nodeUser(started, 'bob');

    // lobby is visible, random is not: it is listed to its members only.
    expect(await alice.chat.roomList()).toEqual([{ name: 'lobby', owner: null, members: 0, visible: true }]);
    expect(await alice.chat.roomJoin('lobby')).toBe(1);
    expect(await bob.chat.roomJoin('lobby')).toBe(1);
    expect(await alice.inbox.next('roomUserJoined')).toEqual(['lobby', 'bob']);

    expect(await bob.chat.roomMessage('lobby', { textMessage: 'hi alice' })).toBe(1);
    const [roomName, message] = await alice.inbox.next('roomMessage');
    expect(roomName).toBe('lobby');
    expect(message).toEqual({ textMessage: 'hi alice', author: 'bob', id: 1, timestamp: expect.any(Number) });
    expect(await bob.inbox.next('roomMessage')).toEqual(['lobby', message]);
    expect(await alice.chat.roomRecentHistory('lobby')).toEqual([message]);

    await alice.chat.roomReceipt('lobby', 'typing');
    expect(await bob.inbox.next('roomReceipt')).toEqual(['lobby', { kind: 'typing', userName: 'alice' }]);

    const direct = await alice.chat.directMessage('bob', { textMessage: 'psst' });
    expect(direct).toEqual({ textMessage: 'psst', author: 'alice', timestamp: expect.any(Number) });
    expect(await bob.inbox.next('directMessage')).toEqual([direct]);

    // Room management and access-list updates are on.
    await bob.chat.roomCreate('bobs', false, { visible: true });
    await bob.chat.roomJoin('bobs');
    await alice.chat.roomJoin('bobs');
    await bob.chat.roomAddToList('bobs', 'blacklist', ['alice']);
    expect(await alice.inbox.next('roomAccessRemoved')).toEqual(['bobs']);
    expect(await bob.inbox.next('roomAccessListAdded')).toEqual(['bobs', 'blacklist', ['alice']]);

    expect(await alice.chat.roomJoin('random')).toBe(1);
    expect((await alice.chat.roomList()).map((room) => room.name)).toEqual(['bobs', 'lobby', 'random']);
    expect(serverErrors).toEqual([]);
  });

  it('takes the user name from the handshake payload: a missing name is noLogin, a name over 32 characters invalidName', async () => {
    const started = await start();
    const anonymous = new ChatClient(wsUrl(started), { WebSocket, auth: {}, reconnect: false });
    clients.push(anonymous);
    expect((await chatErrorOf(anonymous.connect())).code).toBe(ChatErrorCode.NO_LOGIN);
    const long = new ChatClient(wsUrl(started), { WebSocket, auth: { userName: 'x'.repeat(33) }, reconnect: false });
    clients.push(long);
    expect(await chatErrorOf(long.connect())).toMatchObject({ code: ChatErrorCode.INVALID_NAME, args: ['x'.repeat(33)] });
    await nodeUser(started, 'x'.repeat(32));
  });

  it('serves the page and the browser builds only: never the chat server entry, protocol validation or other files', async () => {
    const started = await start();
    const get = async (path: string, init?: RequestInit): Promise<[number, string | null]> => {
      const response = await fetch(new URL(path, started.url), init);
      await response.arrayBuffer();
      return [response.status, response.headers.get('content-type')];
    };
    const page = await fetch(started.url);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<script type="importmap">');
    expect(html).toContain('"@volley/chat/client": "/vendor/chat/client.js"');
    expect(await get('/app.js')).toEqual([200, 'text/javascript; charset=utf-8']);
    expect(await get('/vendor/chat/client.js')).toEqual([200, 'text/javascript; charset=utf-8']);
    expect(await get('/vendor/client/index.js')).toEqual([200, 'text/javascript; charset=utf-8']);
    expect(await get('/vendor/protocol/index.js')).toEqual([200, 'text/javascript; charset=utf-8']);
    expect(await get('/vendor/session/index.js')).toEqual([200, 'text/javascript; charset=utf-8']);
    expect(await get('/vendor/eventemitter3/eventemitter3.esm.js')).toEqual([200, 'text/javascript; charset=utf-8']);
    for (const path of ['/vendor/chat/index.js', '/vendor/client/node.js', '/vendor/session/node.js', '/vendor/protocol/validation.js', '/server.mjs', '/vendor/chat/..%2Fpackage.json', '/vendor/chat/client.d.ts', '/package.json']) {
      expect([path, (await get(path))[0]]).toEqual([path, 404]);
    }
    expect((await get('/', { method: 'POST' }))[0]).toBe(404);
  });

  it('node server.mjs listens on PORT, prints the page URL, serves it and stops cleanly on SIGINT', async () => {
    const child = spawn(process.execPath, ['server.mjs'], { cwd: example, env: { ...process.env, PORT: '0', HOST: '127.0.0.1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => (children.delete(child), resolve(code))));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        const match = stdout.match(/^Chat demo on (http:\/\/127\.0\.0\.1:\d+\/)$/m);
        if (match) resolve(match[1]!);
      });
      void exited.then((code) => reject(new Error(`exited (${code}) before printing its URL: ${stdout}${stderr}`)));
    });
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script type="module" src="/app.js"></script>');
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/Server stopped\.\n$/);
  });
});

/** Text of the page's lines in `selector`, without their clock time. */
function lines(page: Page, selector: string): Promise<string[]> {
  return page.$$eval(selector, (items) => items.map((item) => (item.textContent ?? '').replace(item.querySelector('time')?.textContent ?? '', '')));
}

describe.skipIf(skipBrowser)('chat demo in Chromium (built ESM, import map, no bundler)', () => {
  let browser: Browser | undefined;
  let page: Page | undefined;

  beforeAll(async () => {
    browser = await launchChromium();
  }, 180_000);

  afterEach(async () => {
    await page?.close();
    page = undefined;
  });

  afterAll(async () => {
    await browser?.close();
  });

  /** Opens the demo page, recording what it requests and any error it reports. */
  async function openPage(started: Demo): Promise<{ page: Page; requests: string[]; failed: string[]; errors: string[]; sockets: string[] }> {
    page = await browser!.newPage();
    const record = { page, requests: [] as string[], failed: [] as string[], errors: [] as string[], sockets: [] as string[] };
    page.on('request', (request) => record.requests.push(request.url()));
    page.on('response', (response) => {
      if (response.status() !== 200) record.failed.push(`${response.status()} ${response.url()}`);
    });
    page.on('pageerror', (error) => record.errors.push(String(error)));
    page.on('console', (message) => {
      if (message.type() === 'error') record.errors.push(message.text());
    });
    page.on('websocket', (socket) => record.sockets.push(socket.url()));
    await page.goto(started.url);
    return record;
  }

  async function logIn(target: Page, userName: string): Promise<void> {
    await target.fill('#login-name', userName);
    await target.click('#login button');
  }

  it('a browser user and a Node user chat in lobby both ways, with history, notices, typing and direct messages', async () => {
    const started = await start();
    const nora = await nodeUser(started, 'nora');
    await nora.chat.roomJoin('lobby');
    await nora.chat.roomMessage('lobby', { textMessage: 'before you came' });
    const { page, requests, failed, errors, sockets } = await openPage(started);

    await logIn(page, 'bea');
    await page.locator('#whoami', { hasText: 'logged in as bea' }).waitFor();
    await page.locator('#rooms li[data-room="lobby"]', { hasText: '1 online' }).waitFor();
    expect(await page.$$eval('#rooms li', (items) => items.map((item) => item.getAttribute('data-room')))).toEqual(['lobby']);

    // Join: the room's history shows, Node sees the browser user arrive.
    await page.click('#rooms li[data-room="lobby"] button');
    expect(await nora.inbox.next('roomUserJoined')).toEqual(['lobby', 'bea']);
    await page.locator('#rooms li[data-room="lobby"]', { hasText: '2 online' }).waitFor();
    expect(await page.textContent('#rooms li[data-room="lobby"] button')).toBe('● lobby');
    await page.locator('#messages li', { hasText: 'nora: before you came' }).waitFor();
    expect(await page.textContent('#room-title')).toBe('lobby');

    // Browser → Node: typing, then the message, which the page shows too.
    await page.fill('#message-text', 'hello from the browser');
    expect(await nora.inbox.next('roomReceipt')).toEqual(['lobby', { kind: 'typing', userName: 'bea' }]);
    await page.press('#message-text', 'Enter');
    const [, fromBrowser] = await nora.inbox.next('roomMessage', (_room, message) => message.author === 'bea');
    expect(fromBrowser).toEqual({ textMessage: 'hello from the browser', author: 'bea', id: 2, timestamp: expect.any(Number) });
    await page.locator('#messages li', { hasText: 'bea: hello from the browser' }).waitFor();
    // The page clears the field when the command's answer comes, which follows the notification.
    await page.waitForFunction(() => (document.querySelector('#message-text') as HTMLInputElement).value === '');

    // Node → browser: typing shows until the message arrives.
    await nora.chat.roomReceipt('lobby', 'typing');
    await page.locator('#typing', { hasText: 'nora is typing…' }).waitFor();
    await nora.chat.roomMessage('lobby', { textMessage: 'hello from node' });
    await page.locator('#messages li', { hasText: 'nora: hello from node' }).waitFor();
    expect(await page.textContent('#typing')).toBe('');

    // Direct messages both ways.
    await nora.chat.directMessage('bea', { textMessage: 'psst, bea' });
    await page.locator('#direct li', { hasText: 'nora → you: psst, bea' }).waitFor();
    await page.fill('#direct-to', 'nora');
    await page.fill('#direct-text', 'hi nora');
    await page.click('#direct-form button');
    const [direct] = await nora.inbox.next('directMessage');
    expect(direct).toEqual({ textMessage: 'hi nora', author: 'bea', timestamp: expect.any(Number) });
    await page.locator('#direct li', { hasText: 'you → nora: hi nora' }).waitFor();

    // Node leaves: the page shows the notice.
    await nora.chat.roomLeave('lobby');
    await page.locator('#messages li.notice', { hasText: 'nora left' }).waitFor();
    expect(await lines(page, '#messages li')).toEqual(['nora: before you came', 'bea: hello from the browser', 'nora: hello from node', 'nora left']);
    expect(await lines(page, '#direct li')).toEqual(['you → nora: hi nora', 'nora → you: psst, bea']);

    // random is not listed: join it by name. Then leave lobby, which Node sees.
    await nora.chat.roomJoin('lobby');
    await page.fill('#room-name', 'random');
    await page.click('#room-form button[name="join"]');
    await page.locator('#room-title', { hasText: 'random' }).waitFor();
    await page.locator('#rooms li[data-room="random"]').waitFor();
    await page.click('#rooms li[data-room="lobby"] button');
    await page.locator('#room-title', { hasText: 'lobby' }).waitFor();
    await page.click('#leave');
    expect(await nora.inbox.next('roomUserLeft')).toEqual(['lobby', 'bea']);
    await page.locator('#room-title', { hasText: 'Join a room' }).waitFor();
    expect(await page.textContent('#status')).toBe('');

    // Exactly the page, its module, the chat client and its browser dependencies were loaded,
    // all from the demo's own server: no ws, no ajv, no node: built-in, no server code.
    const origin = new URL(started.url).origin;
    const paths = requests.map((url) => {
      expect(url.startsWith(`${origin}/`)).toBe(true);
      return new URL(url).pathname;
    });
    expect(paths.some((path) => /(^|[/.@-])(ws|ajv|server)([/.@-]|$)/.test(path) || path.includes('node:'))).toBe(false);
    expect(requests.some((url) => url.startsWith('node:'))).toBe(false);
    // tsup splits code shared by a package's entry points into chunks beside them.
    const isChunk = (path: string): boolean => /^\/vendor\/(chat|client|protocol|session)\/chunk-[\w-]+\.js$/.test(path);
    expect([...new Set(paths)].filter((path) => !isChunk(path)).sort()).toEqual(
      ['/', '/app.js', '/vendor/chat/client.js', '/vendor/client/index.js', '/vendor/eventemitter3/eventemitter3.esm.js', '/vendor/protocol/index.js', '/vendor/session/index.js'].sort(),
    );
    expect(paths.filter(isChunk).length).toBeGreaterThan(0);
    expect(sockets).toEqual([`ws://127.0.0.1:${new URL(started.url).port}/ws`]);
    expect(failed).toEqual([]);
    expect(errors).toEqual([]);
    expect(serverErrors).toEqual([]);
  }, 60_000);

  it('a refused login shows the server reason and stays on the login form', async () => {
    const started = await start();
    const { page, errors } = await openPage(started);
    await logIn(page, 'a:b');
    await page.locator('#status', { hasText: 'invalidName: a:b' }).waitFor();
    expect(await page.isVisible('#login')).toBe(true);
    expect(await page.isHidden('#app')).toBe(true);
    await logIn(page, 'ab');
    await page.locator('#whoami', { hasText: 'logged in as ab' }).waitFor();
    expect(await page.textContent('#status')).toBe('');
    expect(errors).toEqual([]);
  }, 60_000);
});
