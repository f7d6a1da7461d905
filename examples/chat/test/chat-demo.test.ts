/*
 * The chat demo's server: Node users (ChatClients over `ws`) against `startDemo` in this process,
 * what the HTTP server serves, and `node server.mjs` as `pnpm chat` runs it. The page in Chromium
 * is chat-demo-browser.test.ts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { ChatClient, ChatErrorCode } from '@volley/chat/client';
import { cleanup, onCleanup, REDIS_URL, requireRedis, skipRedis, testPrefix } from '@volley/test-utils';
import { createClient } from 'redis';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { chatErrorOf } from '../../../packages/chat/test/helpers.js';
import { ensureBuilt, example, nodeUser, start, wsUrl } from './demo-helpers.js';

const noRedis = await skipRedis();

beforeAll(ensureBuilt, 180_000);
afterEach(cleanup);

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
    expect(started.errors).toEqual([]);
  });

  it('takes the user name from the handshake payload: a missing name is noLogin, a name over 32 characters invalidName', async () => {
    const started = await start();
    const anonymous = new ChatClient(wsUrl(started), { WebSocket, auth: {}, reconnect: false });
    onCleanup(() => anonymous.disconnect());
    expect((await chatErrorOf(anonymous.connect())).code).toBe(ChatErrorCode.NO_LOGIN);
    const long = new ChatClient(wsUrl(started), { WebSocket, auth: { userName: 'x'.repeat(33) }, reconnect: false });
    onCleanup(() => long.disconnect());
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
    for (const path of ['/vendor/chat/index.js', '/vendor/client/node.js', '/vendor/session/node.js', '/vendor/protocol/validation.js', '/vendor/eventemitter3/eventemitter3.esm.js', '/server.mjs', '/vendor/chat/..%2Fpackage.json', '/vendor/chat/client.d.ts', '/package.json']) {
      expect([path, (await get(path))[0]]).toEqual([path, 404]);
    }
    expect((await get('/', { method: 'POST' }))[0]).toBe(404);
  });

  it('node server.mjs listens on PORT, prints the page URL, serves it and stops cleanly on SIGINT', async () => {
    const demo = await runServerMjs({});
    const page = await fetch(demo.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script type="module" src="/app.js"></script>');
    expect(await demo.stop()).toEqual({ code: 0, stderr: '' });
    expect(demo.output()).toMatch(/Server stopped\.\n$/);
  });

  it.skipIf(noRedis)('with REDIS_URL the state lives in Redis: a message outlives the process, read by the next one', async () => {
    await requireRedis();
    const prefix = testPrefix('chat-demo');
    onCleanup(() => deleteKeys(prefix));
    const env = { REDIS_URL, REDIS_PREFIX: prefix };
    const first = await runServerMjs(env);
    expect(first.output()).toContain(`(state in Redis at ${REDIS_URL})`);
    const ann = await nodeUser(first, 'ann');
    expect(await ann.chat.roomJoin('lobby')).toBe(1);
    expect(await ann.chat.roomMessage('lobby', { textMessage: 'still here after a restart' })).toBe(1);
    await ann.chat.disconnect();
    expect(await first.stop()).toEqual({ code: 0, stderr: '' });

    const second = await runServerMjs(env);
    const bob = await nodeUser(second, 'bob');
    await bob.chat.roomJoin('lobby');
    expect((await bob.chat.roomRecentHistory('lobby')).map((message) => [message.id, message.author, message.textMessage])).toEqual([[1, 'ann', 'still here after a restart']]);
    await bob.chat.disconnect();
    expect(await second.stop()).toEqual({ code: 0, stderr: '' });
  });
});

/** Runs `node server.mjs` as `pnpm chat` does, on a free port; resolves once it prints its URL. */
async function runServerMjs(env: Record<string, string>): Promise<{ url: string; output: () => string; stop: () => Promise<{ code: number | null; stderr: string }> }> {
  const child = spawn(process.execPath, ['server.mjs'], { cwd: example, env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  onCleanup(() => killed(child));
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const match = stdout.match(/^Chat demo on (http:\/\/127\.0\.0\.1:\d+\/)/m);
      if (match) resolve(match[1]!);
    });
    void exited.then((code) => reject(new Error(`exited (${code}) before printing its URL: ${stdout}${stderr}`)));
  });
  return {
    url,
    output: () => stdout,
    async stop() {
      child.kill('SIGINT');
      return { code: await exited, stderr };
    },
  };
}

/** Deletes the keys of a test's Redis prefix. */
async function deleteKeys(prefix: string): Promise<void> {
  const redis = createClient({ url: REDIS_URL, disableOfflineQueue: true });
  await redis.connect();
  const keys = await redis.keys(`{${prefix}}*`);
  if (keys.length > 0) await redis.del(keys);
  await redis.close();
}


/** Kills a child process that is still running and resolves once it is gone. */
function killed(child: ChildProcess): Promise<unknown> | undefined {
  if (child.exitCode !== null || child.signalCode !== null) return undefined;
  const closed = new Promise((resolve) => child.once('close', resolve));
  child.kill('SIGKILL');
  return closed;
}
