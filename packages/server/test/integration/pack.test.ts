/*
 * Packs @volley/protocol, @volley/session, @volley/server, @volley/client and @volley/chat as they would be published, installs
 * the tarballs with npm into a fresh project outside the workspace, and uses them there the way a
 * user would: plain `import` from the package names, `ws` installed by the user. This catches
 * what source-aliased tests cannot: a missing file in `files`, a broken `exports` map, a
 * `workspace:*` left in a dependency, declarations that do not resolve.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireRedis, skipRedis } from '@volley/test-utils';

const noRedis = await skipRedis();

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../../', import.meta.url));
const packages = ['protocol', 'session', 'server', 'client', 'chat', 'redis'] as const;
type PackageName = (typeof packages)[number];

/** npm needs the registry for ws, eventemitter3, uuid, ajv and the @types packages. */
const INSTALL_TIMEOUT = 180_000;
const SETUP_TIMEOUT = 360_000;

let work: string;
let project: string;
const tarballs = {} as Record<PackageName, string>;

/** The files of a .tgz by path (regular files only), read without a `tar` binary. */
function readTarball(file: string): Map<string, Buffer> {
  const data = gunzipSync(readFileSync(file));
  const entries = new Map<string, Buffer>();
  let offset = 0;
  while (offset + 512 <= data.length) {
    const header = data.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const field = (start: number, length: number): string =>
      header.subarray(start, start + length).toString('utf8').replace(/\0[\s\S]*$/, '');
    const name = field(0, 100);
    const prefix = field(345, 155);
    const size = Number.parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1);
    offset += 512;
    if (type === '0' || type === '') entries.set(prefix ? `${prefix}/${name}` : name, data.subarray(offset, offset + size));
    offset += Math.ceil(size / 512) * 512;
  }
  return entries;
}

/** Drops the variables pnpm sets for its own scripts so that npm sees a user's plain shell. */
function userEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^npm_(package_|lifecycle_|command$|execpath$|node_execpath$|config_user_agent$)/i.test(key)) delete env[key];
  }
  return env;
}

beforeAll(async () => {
  if (packages.some((name) => !existsSync(join(root, 'packages', name, 'dist', 'index.js')))) {
    await run('pnpm', ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only'], { cwd: root, timeout: 180_000 });
  }
  work = mkdtempSync(join(tmpdir(), 'volley-pack-'));
  for (const name of packages) {
    const destination = join(work, 'tarballs', name);
    mkdirSync(destination, { recursive: true });
    await run('pnpm', ['pack', '--pack-destination', destination], { cwd: join(root, 'packages', name), timeout: 60_000 });
    const files = readdirSync(destination).filter((file) => file.endsWith('.tgz'));
    expect(files).toHaveLength(1);
    tarballs[name] = join(destination, files[0]!);
  }

  project = join(work, 'app');
  mkdirSync(project);
  const file = (name: PackageName): string => `file:${tarballs[name]}`;
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify(
      {
        name: 'volley-pack-check',
        private: true,
        type: 'module',
        dependencies: {
          // pnpm pack turned workspace:* into "0.1.0"; without this npm would look for
          // @volley/protocol on the registry instead of using the tarball.
          '@volley/protocol': file('protocol'),
          '@volley/session': file('session'),
          '@volley/server': file('server'),
          '@volley/client': file('client'),
          '@volley/chat': file('chat'),
          '@volley/redis': file('redis'),
          ws: '^8.18.3',
          '@types/node': '^20.19.8',
          '@types/ws': '^8.18.1',
        },
        overrides: {
          '@volley/protocol': '$@volley/protocol',
          '@volley/session': '$@volley/session',
          '@volley/server': '$@volley/server',
          '@volley/client': '$@volley/client',
          '@volley/chat': '$@volley/chat',
        },
      },
      null,
      2,
    ),
  );
  await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: project, env: userEnv(), timeout: INSTALL_TIMEOUT });
}, SETUP_TIMEOUT);

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe.each(packages)('the @volley/%s tarball', (name) => {
  it('holds the build, types, README, LICENSE and package.json, and no sources or tests', () => {
    const files = [...readTarball(tarballs[name]).keys()];
    for (const required of ['dist/index.js', 'dist/index.d.ts', 'README.md', 'LICENSE', 'package.json']) {
      expect(files).toContain(`package/${required}`);
    }
    expect(files.filter((path) => /^package\/(src|test)\/|\.test\.[cm]?[jt]s$|(^|\/)tsconfig\.json$|tsup\.config/.test(path))).toEqual([]);
  });

  it('has an exports map and no workspace: ranges left in its dependencies', () => {
    const manifest = JSON.parse(readTarball(tarballs[name]).get('package/package.json')!.toString('utf8')) as {
      name: string;
      exports?: Record<string, unknown>;
      dependencies?: Record<string, string>;
    };
    expect(manifest.name).toBe(`@volley/${name}`);
    expect(manifest.exports).toMatchObject({ '.': { types: './dist/index.d.ts', import: './dist/index.js' } });
    for (const range of Object.values(manifest.dependencies ?? {})) expect(range).not.toMatch(/^workspace:/);
  });
});

describe('the installed packages', () => {
  it('are installed outside the workspace, with one copy of @volley/protocol', () => {
    expect(relative(realpathSync(root), realpathSync(project)).startsWith('..')).toBe(true);
    const lock = JSON.parse(readFileSync(join(project, 'package-lock.json'), 'utf8')) as { packages: Record<string, { resolved?: string }> };
    const installed = Object.keys(lock.packages).filter((path) => path.endsWith('node_modules/@volley/protocol'));
    expect(installed).toEqual(['node_modules/@volley/protocol']);
    const resolved = lock.packages['node_modules/@volley/protocol']?.resolved ?? '';
    expect(resolved.startsWith('file:') && resolved.endsWith(basename(tarballs.protocol))).toBe(true);
  });

  it('start a server and a client that answer a request both ways', async () => {
    writeFileSync(
      join(project, 'both-ways.mjs'),
      `import { Server, ErrorCode } from '@volley/server';
import { Client } from '@volley/client';
import { createFrameValidator } from '@volley/protocol/validation';
import { WebSocket } from 'ws';

const server = new Server({ port: 0, host: '127.0.0.1' });
server.on('handshake', (connection, handshake) => {
  connection.setId(handshake.payload.user);
  handshake.resolve({ hello: handshake.payload.user });
});
server.on('connection', (connection) => {
  connection.on('sum', (message) => message.resolve(message.payload.a + message.payload.b));
});
await server.start();

const client = new Client('ws://127.0.0.1:' + server.port, { WebSocket, handshake: { payload: { user: 'ann' } } });
client.on('confirm', (message) => message.resolve('client says ' + message.payload));
const welcome = await client.connect();
const sum = await client.send('sum', { a: 1, b: 2 });
const answer = await server.getConnectionById('ann').send('confirm', 'ok?');
let missing;
try {
  await client.send('nope');
} catch (error) {
  missing = error.code;
}
await client.disconnect();
await server.stop();

let deepImport;
try {
  await import('@volley/server/dist/index.js');
  deepImport = 'allowed';
} catch (error) {
  deepImport = error.code;
}
console.log(JSON.stringify({
  welcome,
  id: client.id,
  sum,
  answer,
  missing,
  errorCodeExported: ErrorCode.DISCONNECTED === 'DISCONNECTED',
  validator: typeof createFrameValidator(),
  resolvedFrom: [import.meta.resolve('@volley/server'), import.meta.resolve('@volley/client')],
  deepImport,
  clientState: client.state,
  serverState: server.state,
}));
`,
    );
    const { stdout } = await run(process.execPath, ['both-ways.mjs'], { cwd: project, timeout: 30_000 });
    const output = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(output).toMatchObject({
      welcome: { hello: 'ann' },
      id: 'ann',
      sum: 3,
      answer: 'client says ok?',
      missing: 'MESSAGE_REJECTED',
      errorCodeExported: true,
      validator: 'function',
      deepImport: 'ERR_PACKAGE_PATH_NOT_EXPORTED',
      clientState: 'disconnected',
      serverState: 'stopped',
    });
    for (const url of output.resolvedFrom as string[]) {
      expect(realpathSync(fileURLToPath(url)).startsWith(realpathSync(join(project, 'node_modules')))).toBe(true);
    }
    // Node takes the client's Node entry (the `node` export condition), not the browser one.
    expect((output.resolvedFrom as string[])[1]).toMatch(/@volley\/client\/dist\/node\.js$/);
  });

  it('run a chat server and chat clients from @volley/chat and @volley/chat/client', async () => {
    writeFileSync(
      join(project, 'chat.mjs'),
      `import { ChatServer } from '@volley/chat';
import { ChatClient, ChatError } from '@volley/chat/client';
import { WebSocket } from 'ws';

const chat = new ChatServer({ port: 0, host: '127.0.0.1' });
await chat.start();
await chat.addRoom('lobby');
const url = 'ws://127.0.0.1:' + chat.port;
const ann = new ChatClient(url, { WebSocket, auth: { userName: 'ann' } });
const bob = new ChatClient(url, { WebSocket, auth: { userName: 'bob' } });
const login = await ann.connect();
await bob.connect();
await ann.roomJoin('lobby');
await bob.roomJoin('lobby');
const received = new Promise((resolve) => bob.on('roomMessage', (roomName, message) => resolve([roomName, message.author, message.textMessage])));
const id = await ann.roomMessage('lobby', { textMessage: 'hi' });
let refused;
try {
  await ann.roomJoin('nowhere');
} catch (error) {
  refused = error instanceof ChatError ? error.code : String(error);
}
const clientEntry = await import('@volley/chat/client');
console.log(JSON.stringify({
  userName: login.userName,
  id,
  received: await received,
  refused,
  clientEntryHasServer: 'ChatServer' in clientEntry,
}));
await ann.disconnect();
await bob.disconnect();
await chat.stop();
`,
    );
    const { stdout } = await run(process.execPath, ['chat.mjs'], { cwd: project, timeout: 30_000 });
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({
      userName: 'ann',
      id: 1,
      received: ['lobby', 'ann', 'hi'],
      refused: 'noRoom',
      clientEntryHasServer: false,
    });
  });

  // Without a Redis this skips, except under CI (requireRedis fails it there).
  it.skipIf(noRedis)('run the Redis chat store from @volley/redis/chat against the real Redis, and refuse require() with how to load it', async () => {
    await requireRedis();
    writeFileSync(
      join(project, 'redis.mjs'),
      `import { createRequire } from 'node:module';
import { RedisAdapter, fromIoredis } from '@volley/redis';
import { RedisChatStore } from '@volley/redis/chat';

const prefix = 'volley-pack-' + process.pid;
const store = new RedisChatStore({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', prefix });
const created = await store.addUser('ann');
const users = await store.listUsers(undefined, 10);
await store.deleteUser('ann');
await store.close();
let required;
try {
  createRequire(import.meta.url)('@volley/redis/chat');
} catch (error) {
  required = error.message;
}
console.log(JSON.stringify({ created, users, adapter: typeof new RedisAdapter({ prefix }).attach, fromIoredis: typeof fromIoredis, required }));
`,
    );
    const { stdout } = await run(process.execPath, ['redis.mjs'], { cwd: project, timeout: 30_000 });
    const output = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(output).toMatchObject({ created: true, users: [{ userName: 'ann', connections: 0 }], adapter: 'function', fromIoredis: 'function' });
    expect(output.required).toMatch(/ESM-only.*await import\('@volley\/redis\/chat'\)/);
  });

  it('type-check a typed TypeScript user of the published declarations (no skipLibCheck), which do not show internal members', async () => {
    writeFileSync(
      join(project, 'typed.ts'),
      `import { Server, type ServerConnection } from '@volley/server';
import { Client, VolleyError } from '@volley/client';
import { WebSocket } from 'ws';

type MathApi = {
  server: { sum: { payload: { a: number; b: number }; result: number } };
  client: { confirm: { payload: string; result: boolean } };
};
const server = new Server<MathApi>({ port: 0 });
server.on('connection', (connection: ServerConnection<MathApi>) => {
  connection.on('sum', (message) => message.resolve(message.payload.a + message.payload.b));
  const confirmed: Promise<boolean> = connection.send('confirm', 'ok?');
  void confirmed;
});
const client = new Client<MathApi>('ws://127.0.0.1:8080', { WebSocket });
const three: Promise<number> = client.send('sum', { a: 1, b: 2 });
// @ts-expect-error the server has no handler named "nope"
void client.send('nope');
// @ts-expect-error sum takes numbers
void client.send('sum', { a: '1', b: 2 });
void three;
void (VolleyError as unknown);
// Members marked @internal are left out of the published types.
// @ts-expect-error internal: the socket listener of the client
client.received('{}');
// @ts-expect-error internal: the session host of the client (it would emit a made-up error)
client.error(new VolleyError('PING_ERROR', 'x'));
server.on('connection', (connection: ServerConnection<MathApi>) => {
  // @ts-expect-error internal: the session host of the connection
  connection.pingFailed(new VolleyError('PING_ERROR', 'x'));
  // @ts-expect-error internal: the session host of the connection
  void connection.dispatch;
});

import { ChatClient, type ProcessedMessage } from '@volley/chat/client';
import { ChatServer } from '@volley/chat';
const chat = new ChatClient('ws://127.0.0.1:8080', { WebSocket, auth: { userName: 'ann' } });
const joined: Promise<number> = chat.roomJoin('lobby');
// @ts-expect-error room names are strings
void chat.roomJoin(42);
chat.on('roomMessage', (roomName: string, message: ProcessedMessage) => void [roomName, message.author]);
void joined;
void new ChatServer({ port: 0, enableDirectMessages: true });

import { RedisAdapter } from '@volley/redis';
import { RedisChatStore } from '@volley/redis/chat';
void new ChatServer({ port: 0, store: new RedisChatStore({ prefix: 'x' }), serverOptions: { adapter: new RedisAdapter({ prefix: 'x' }) } });
`,
    );
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { strict: true, noEmit: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', types: ['node'] },
        files: ['typed.ts'],
      }),
    );
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await run(process.execPath, [tsc, '-p', '.'], { cwd: project, timeout: 60_000 }).then(
      () => ({ code: 0, output: '' }),
      (error: { code?: number; stdout?: string }) => ({ code: error.code, output: error.stdout ?? '' }),
    );
    expect(result).toEqual({ code: 0, output: '' });
  });
});
