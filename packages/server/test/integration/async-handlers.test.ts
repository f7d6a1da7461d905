import { ClientEvent } from '@volley/client';
import { ConnectionEvent, ErrorCode, type VolleyError } from '@volley/server';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, connectClient, connectionOf, makeClient, rejectionOf, startServer, waitFor } from '@volley/test-utils';

afterEach(cleanup);

describe('async handlers', () => {
  it('rejects the request when an async server handler rejects, and reports the error', async () => {
    const { server, url } = await startServer({}, (s) =>
      s.on('connection', (connection) => {
        connection.on('fail', async () => {
          await Promise.resolve();
          throw new Error('async boom');
        });
      }),
    );
    const client = await connectClient(url);
    const reported = waitFor<VolleyError>(connectionOf(server, client), ConnectionEvent.ERROR);
    const error = await rejectionOf(client.send('fail'));
    expect(error.code).toBe(ErrorCode.MESSAGE_REJECTED);
    expect((error.payload as { message: string }).message).toBe('async boom');
    expect((await reported).message).toBe('async boom');
  });

  it('rejects the server request when an async client handler rejects', async () => {
    const { server, url } = await startServer();
    const client = await connectClient(url);
    client.on('ask', async () => {
      throw new Error('client says no');
    });
    const reported = waitFor<VolleyError>(client, ClientEvent.ERROR);
    const error = await rejectionOf(connectionOf(server, client).send('ask'));
    expect(error.code).toBe(ErrorCode.MESSAGE_REJECTED);
    expect((error.payload as { message: string }).message).toBe('client says no');
    expect((await reported).message).toBe('client says no');
  });

  it('keeps an async handler that answers itself working, and off() removes it', async () => {
    const { server, url } = await startServer();
    const client = await connectClient(url);
    const handler = async (message: { resolve(value: unknown): boolean }): Promise<void> => {
      await Promise.resolve();
      message.resolve('late but fine');
    };
    const connection = connectionOf(server, client);
    connection.on('work', handler);
    expect(await client.send('work')).toBe('late but fine');
    connection.off('work', handler);
    expect((await rejectionOf(client.send('work'))).payload).toMatchObject({ code: ErrorCode.NO_HANDLER });
  });

  it('rejects the handshake when an async handshake listener rejects, and emits a server error', async () => {
    const { server, url } = await startServer({}, (s) =>
      s.on('handshake', async () => {
        await Promise.resolve();
        throw new Error('database down');
      }),
    );
    const serverError = waitFor<VolleyError>(server, 'error');
    const client = makeClient(url, { reconnect: true, reconnectOptions: { initialDelay: 10, maxDelay: 20 } });
    const error = await rejectionOf(client.connect());
    expect(error.code).toBe(ErrorCode.HANDSHAKE_REJECTED);
    expect((error.payload as { message: string }).message).toBe('database down');
    expect((await serverError).message).toContain('database down');
  });
});
