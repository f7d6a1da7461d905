// The chat demo (`pnpm chat` at the repo root): a ChatServer and the web page that talks to it,
// on one HTTP server. The page is plain HTML and one ES module, with no framework and no
// bundler: the browser loads the built `@volley/chat/client` and its dependencies as they are
// published, through an import map. `node server.mjs` runs it (PORT, default 8080; 0 picks a free
// port. HOST, default every interface). State is in memory; with REDIS_URL it is in Redis
// (RedisChatStore and RedisAdapter, prefix REDIS_PREFIX, default `volley-chat-demo`): it outlives
// the process, and several demo processes on one Redis serve the same chat.
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ChatError, ChatErrorCode, ChatServer } from '@volley/chat';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const distOf = (name) => join(dirname(require.resolve(`${name}/package.json`)), 'dist');

/** The page: URL → file. */
const pageFiles = new Map([
  ['/', join(here, 'public/index.html')],
  ['/app.js', join(here, 'public/app.js')],
]);

/**
 * What the page imports: URL prefix → built package folder, and the file names served from it
 * (no `/`, so no way out of the folder). `@volley/chat`'s server entry (`index.js`) is never
 * served; its `client.js` and the chunks tsup splits out of it are browser code by construction.
 */
const mounts = [
  ['/vendor/chat/', distOf('@volley/chat'), /^(client|chunk-[\w-]+)\.js$/],
  // The client's browser entry; its Node entry (node.js) is never served.
  ['/vendor/client/', distOf('@volley/client'), /^(index|chunk-[\w-]+)\.js$/],
  ['/vendor/protocol/', distOf('@volley/protocol'), /^(index|chunk-[\w-]+)\.js$/],
  ['/vendor/session/', distOf('@volley/session'), /^(index|chunk-[\w-]+)\.js$/],
];

/** The file behind a URL path, or undefined. */
function fileOf(path) {
  if (pageFiles.has(path)) return pageFiles.get(path);
  for (const [prefix, dir, allowed] of mounts) {
    const name = path.startsWith(prefix) ? path.slice(prefix.length) : '';
    if (allowed.test(name) && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

const contentTypes = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };

/**
 * Starts the demo on `port` (0 picks a free one). Resolves with the page's URL, the ChatServer
 * and `stop()`.
 */
export async function startDemo({ port = 8080, host, redisUrl, redisPrefix = 'volley-chat-demo' } = {}) {
  if (!existsSync(join(distOf('@volley/chat'), 'client.js'))) {
    throw new Error('The packages are not built: run pnpm build (pnpm chat builds them first)');
  }
  const http = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const file = request.method === 'GET' || request.method === 'HEAD' ? fileOf(path) : undefined;
    if (file === undefined) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
      return;
    }
    // Read on every request, so that a rebuild or an edit of the page shows on reload.
    response.writeHead(200, { 'content-type': contentTypes[file.slice(file.lastIndexOf('.'))], 'cache-control': 'no-cache' });
    response.end(readFileSync(file));
  });

  const redis = redisUrl === undefined ? undefined : await import('./redis-state.mjs').then(({ redisState }) => redisState(redisUrl, redisPrefix));
  const chat = new ChatServer({
    // The WebSocket shares the page's HTTP server: upgrades to /ws are the chat's.
    path: '/ws',
    serverOptions: { server: http, ...(redis === undefined ? {} : { adapter: redis.adapter }) },
    ...(redis === undefined ? {} : { store: redis.store }),
    enableRoomsManagement: true,
    enableUserlistUpdates: true,
    enableAccessListsUpdates: true,
    enableDirectMessages: true,
    // Room members with their roles, and who is online on the whole server.
    presence: true,
    serverPresence: true,
    // On top of the built-in rule (no control characters, `:`, `{`, `}`): short names.
    isValidName: (name) => name.length <= 32,
    hooks: {
      // Demo only: whoever connects is whoever they say. A real app verifies a token here (a
      // signed token in the payload, or a session cookie from context.request) and takes the
      // user name from it, never from the client's word.
      authenticate(payload) {
        const userName = payload?.userName;
        if (typeof userName !== 'string') throw new ChatError(ChatErrorCode.NO_LOGIN, []);
        return { userName };
      },
    },
  });
  await chat.start();
  await new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  // Rooms of the demo: `lobby` is visible (roomList shows it to everyone); `random` is not, so it
  // is listed only to its members: join it by name. In Redis they may exist already.
  for (const [name, options] of [['lobby', { visible: true, data: { topic: 'Say hello' } }], ['random', {}]]) {
    if (!(await chat.hasRoom(name))) await chat.addRoom(name, options).catch((error) => (error.code === 'roomExists' ? undefined : Promise.reject(error)));
  }

  const shownHost = host === undefined || host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${http.address().port}/`,
    chat,
    async stop() {
      await chat.stop(); // closes the chat's sockets; the HTTP server is ours to close
      await redis?.close();
      http.closeAllConnections();
      await new Promise((resolve) => http.close(() => resolve()));
    },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  const port = Number(process.env.PORT ?? 8080);
  let demo;
  try {
    demo = await startDemo({ port, host: process.env.HOST, redisUrl: process.env.REDIS_URL, redisPrefix: process.env.REDIS_PREFIX });
  } catch (error) {
    if (error.code !== 'EADDRINUSE') throw error;
    console.error(`Port ${port} is in use. Pick another: PORT=8081 pnpm chat (or PORT=0 for any free port)`);
    process.exit(1);
  }
  console.log(`Chat demo on ${demo.url}${process.env.REDIS_URL ? ` (state in Redis at ${process.env.REDIS_URL})` : ''}`);
  console.log('Open it in two browser windows and log in with two names. Ctrl-C to stop.');
  const stop = async () => {
    await demo.stop();
    console.log('Server stopped.');
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
