import { createServer, type Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { connect as connectTcp } from 'node:net';
import { ErrorCode, Server, type VolleyError } from '@volley/server';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, connectClient, makeClient, onCleanup, RawPeer, record, refusedStatus, rejectionOf, serveEcho, startServer } from '@volley/test-utils';

afterEach(cleanup);

/** An application's own HTTP server on 127.0.0.1:0 that answers plain requests with "app". */
async function startHttp(): Promise<{ http: HttpServer; base: string }> {
  const http = createServer((_request, response) => response.end('app'));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  onCleanup(
    () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  );
  const address = http.address();
  if (address === null || typeof address !== 'object') throw new Error('no address');
  return { http, base: `127.0.0.1:${address.port}` };
}

/** Answers an upgrade with a plain HTTP status, as another upgrade handler of the app would. */
function answer(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** A Volley server that is stopped in cleanup (for the modes startServer does not cover). */
async function started(server: Server): Promise<Server> {
  serveEcho(server);
  await server.start();
  onCleanup(() => server.stop());
  return server;
}

describe('attached to an existing http.Server', () => {
  it('accepts clients on the app’s port while the app keeps serving plain HTTP', async () => {
    const { http, base } = await startHttp();
    const server = await started(new Server({ server: http }));
    expect(server.port).toBe(Number(base.split(':')[1]));
    const client = await connectClient(`ws://${base}`);
    expect(await client.send('echo', 'attached')).toBe('attached');
    expect(await (await fetch(`http://${base}/`)).text()).toBe('app');

    // Stopping Volley leaves the app's server running.
    await server.stop();
    expect(http.listening).toBe(true);
    expect(await (await fetch(`http://${base}/`)).text()).toBe('app');
  });

  it('with `path`, takes only that path and leaves other upgrades to the app’s other handlers', async () => {
    const { http, base } = await startHttp();
    await started(new Server({ server: http, path: '/volley' }));
    http.on('upgrade', (request, socket: Duplex) => {
      if (request.url === '/other') answer(socket, 418, "I'm a teapot");
    });
    const client = await connectClient(`ws://${base}/volley`);
    expect(await client.send('echo', 'on path')).toBe('on path');
    expect(await refusedStatus(`ws://${base}/other`)).toBe(418);
  });
});

describe('noServer with handleUpgrade', () => {
  it('accepts the upgrades the app hands over', async () => {
    const { http, base } = await startHttp();
    const server = new Server({ noServer: true });
    http.on('upgrade', (request, socket: Duplex, head: Buffer) => {
      if (request.url === '/ws') server.handleUpgrade(request, socket, head);
      else answer(socket, 400, 'Bad Request');
    });
    // Before start() the server refuses upgrades.
    expect(await refusedStatus(`ws://${base}/ws`)).toBe(503);

    await started(server);
    const client = await connectClient(`ws://${base}/ws`);
    expect(await client.send('echo', 'handed over')).toBe('handed over');
    expect(server.getConnections()).toHaveLength(1);
    expect(await refusedStatus(`ws://${base}/elsewhere`)).toBe(400);
  });
});

describe('a listener that throws during the upgrade', () => {
  it('is reported as a server error; the connection stands and the listeners after it still run', async () => {
    const { http, base } = await startHttp();
    const server = new Server({ noServer: true });
    const thrown: unknown[] = [];
    // The application's own upgrade handler would catch what handleUpgrade throws: nothing does.
    http.on('upgrade', (request, socket: Duplex, head: Buffer) => {
      try {
        server.handleUpgrade(request, socket, head);
      } catch (error) {
        thrown.push(error);
      }
    });
    const errors = record<VolleyError>(server, 'error');
    const later: string[] = [];
    server.on('connection', () => {
      throw new Error('connection listener bug');
    });
    server.on('connection', (connection) => later.push(connection.id));
    await started(server);
    // The handshake runs during the upgrade (no handshake listener: it resolves at once).
    const client = await connectClient(`ws://${base}`);
    expect(thrown).toEqual([]);
    expect(errors).toMatchObject([{ code: ErrorCode.INTERNAL_ERROR, message: 'A "connection" listener failed: connection listener bug' }]);
    expect(later).toEqual([client.id]);
    expect(server.getConnections().map((connection) => connection.id)).toEqual([client.id]);
  });
});

describe('sockets that never finish the upgrade request', () => {
  it('are cut after handshakeTimeout on the server Volley creates, not after Node\'s headersTimeout', async () => {
    const { server } = await startServer({ handshakeTimeout: 300 });
    const socket = connectTcp(server.port!, '127.0.0.1');
    onCleanup(() => socket.destroy());
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    // Half an upgrade request, and then nothing (a slowloris).
    socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n');
    socket.on('data', () => undefined);
    socket.on('error', () => undefined);
    // Node's own bound is 60 s, checked every 30 s: far past the test's timeout.
    await closed;
  });
});

describe('origin allow-list', () => {
  it('refuses a disallowed Origin with 403 and accepts an allowed one or none', async () => {
    const { server, url } = await startServer({ allowedOrigins: ['https://good.example'] });
    serveEcho(server);
    expect(await refusedStatus(url, { origin: 'https://evil.example' })).toBe(403);
    expect(server.getConnections()).toEqual([]);

    const browser = await RawPeer.connect(url, { origin: 'https://good.example' });
    browser.send({ n: 'echo', p: 'allowed', i: '1' });
    expect(await browser.nextFrame((frame) => frame.i === '1')).toEqual({ n: '_r', i: '1', p: 'allowed' });
    // Non-browser clients send no Origin header.
    const node = await connectClient(url);
    expect(await node.send('echo', 'no origin')).toBe('no origin');
  });

  it('takes a predicate', async () => {
    const { url } = await startServer({ allowedOrigins: (origin) => origin.endsWith('.good.example') });
    expect(await refusedStatus(url, { origin: 'https://good.example.evil.test' })).toBe(403);
    const peer = await RawPeer.connect(url, { origin: 'https://app.good.example' });
    expect(peer.id).toEqual(expect.any(String));
  });
});

describe('path', () => {
  it('refuses other paths with 404 and accepts the path, with or without a query', async () => {
    const { server, url } = await startServer({ path: '/ws' });
    serveEcho(server);
    expect(await refusedStatus(`${url}/other`)).toBe(404);
    expect(await refusedStatus(url)).toBe(404);
    const client = await connectClient(`${url}/ws`);
    expect(await client.send('echo', 'path')).toBe('path');
    const withQuery = await connectClient(`${url}/ws?token=abc`);
    expect(await withQuery.send('echo', 'query')).toBe('query');
  });

  it('answers plain HTTP on its own port with 426', async () => {
    const { url } = await startServer();
    const response = await fetch(url.replace('ws://', 'http://'));
    expect(response.status).toBe(426);
    await response.text();
  });
});
