import { once } from 'node:events';
import { corkableOf } from '@volley/session/node';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { cleanup, onCleanup } from '@volley/test-utils';

/*
 * A canary for every part of ws that Volley relies on beyond its documented API (own framing,
 * write batching, the upgrade handshake, control-frame counting, reading no more from an abusive
 * peer). If a ws release changes one of them, this file fails and names it, rather than a
 * feature failing in some other test, or silently.
 */

afterEach(cleanup);

/** A ws server on 127.0.0.1:0 built with `options`, and a connected ws client. */
async function pair(options: ConstructorParameters<typeof WebSocketServer>[0] = {}): Promise<{ server: WebSocket; client: WebSocket }> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', ...options });
  onCleanup(() => new Promise((resolve) => wss.close(resolve)));
  await once(wss, 'listening');
  const accepted = once(wss, 'connection') as Promise<[WebSocket]>;
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as { port: number }).port}`);
  onCleanup(() => client.terminate());
  await once(client, 'open');
  const [server] = await accepted;
  onCleanup(() => server.terminate());
  return { server, client };
}

describe('the ws internals Volley relies on', () => {
  it('the WebSocket option: ws builds each server socket from the class given, as new Class(null, undefined, options)', async () => {
    const calls: unknown[][] = [];
    class Recording extends WebSocket {
      constructor(...args: unknown[]) {
        super(...(args as ConstructorParameters<typeof WebSocket>));
        calls.push(args);
      }
    }
    const { server } = await pair({ WebSocket: Recording as unknown as typeof WebSocket });
    expect(server).toBeInstanceOf(Recording);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.slice(0, 2)).toEqual([null, undefined]);
  });

  it('control frames: ws announces each received ping and pong through the socket\'s own emit', async () => {
    const announced: string[] = [];
    class Announcing extends WebSocket {
      override emit(event: string | symbol, ...args: unknown[]): boolean {
        if (event === 'ping' || event === 'pong') announced.push(event);
        return super.emit(event, ...args);
      }
    }
    const { client } = await pair({ WebSocket: Announcing as unknown as typeof WebSocket });
    client.ping();
    client.pong();
    // The server's automatic pong to the ping comes back after ws has emitted the ping.
    await once(client, 'pong');
    expect(announced).toEqual(['ping', 'pong']);
  });

  it('_socket: the TCP socket under an open WebSocket is corkable and takes raw frames', async () => {
    const { server, client } = await pair();
    const raw = corkableOf(server) as NonNullable<ReturnType<typeof corkableOf>> & { write(chunk: Uint8Array): boolean };
    expect(raw).toBeDefined();
    expect(raw.writableCorked).toBe(0);
    const received = once(client, 'message') as Promise<[Buffer, boolean]>;
    // An unmasked server text frame written past ws's sender, as own framing does.
    raw.cork();
    raw.write(Buffer.from([0x81, 0x02, 0x68, 0x69]));
    expect(raw.writableCorked).toBe(1);
    raw.uncork();
    const [data, isBinary] = await received;
    expect([data.toString(), isBinary]).toEqual(['hi', false]);
  });

  it('bufferedAmount counts bytes written straight to _socket, so the backpressure check sees own-framed writes', async () => {
    const { server } = await pair();
    const raw = corkableOf(server) as NonNullable<ReturnType<typeof corkableOf>> & { write(chunk: Uint8Array): boolean };
    raw.cork();
    raw.write(Buffer.alloc(1000));
    expect(server.bufferedAmount).toBeGreaterThanOrEqual(1000);
    raw.uncork();
  });

  it('pause() stops reading the TCP socket, so nothing more of an abusive peer is parsed', async () => {
    const { server, client } = await pair();
    const seen: string[] = [];
    server.on('message', (data: Buffer) => seen.push(data.toString()));
    server.pause();
    expect(server.isPaused).toBe(true);
    expect((server as unknown as { _socket: { isPaused(): boolean } })._socket.isPaused()).toBe(true);
    // Written: on loopback the bytes wait in the server's receive buffer, unread.
    await new Promise<void>((resolve, reject) => client.send('after the pause', (error) => (error ? reject(error) : resolve())));
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual([]);
    server.resume();
    await once(server, 'message');
    expect(seen).toEqual(['after the pause']);
  });

  it('the error codes Volley maps: an over-long frame is WS_ERR_UNSUPPORTED_MESSAGE_LENGTH with 1009', async () => {
    const { server, client } = await pair({ maxPayload: 4 });
    const failed = once(server, 'error') as Promise<[Error & { code?: string }]>;
    client.send('longer than four');
    const [error] = await failed;
    expect(error.code).toBe('WS_ERR_UNSUPPORTED_MESSAGE_LENGTH');
    const [code] = (await once(client, 'close')) as [number];
    expect(code).toBe(1009);
  });
});
