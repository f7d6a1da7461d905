import { ErrorCode, type ServerConnection, VolleyError } from '@volley/server';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, connectClient, connectionOf, record, rejectionOf, startServer } from '@volley/test-utils';

afterEach(cleanup);

describe('server.handle: one handler for every connection', () => {
  it('answers requests of every connection and gets the connection that sent each', async () => {
    const senders: string[] = [];
    const { server, url } = await startServer({}, (server) =>
      server.handle('whoami', (message, connection) => {
        senders.push(connection.id);
        message.resolve({ id: connection.id, payload: message.payload });
      }),
    );
    const first = await connectClient(url);
    const second = await connectClient(url);
    expect(await first.send('whoami', 1)).toEqual({ id: first.id, payload: 1 });
    expect(await second.send('whoami', 2)).toEqual({ id: second.id, payload: 2 });
    expect(senders).toEqual([first.id, second.id]);
    expect(connectionOf(server, first)).toBeDefined();
  });

  it('a connection\'s own handler takes precedence; without either the request gets NO_HANDLER', async () => {
    const { server, url } = await startServer({}, (server) => server.handle('greet', (message) => message.resolve('shared')));
    const own = await connectClient(url);
    const plain = await connectClient(url);
    connectionOf(server, own).on('greet', (message) => message.resolve('own'));
    expect(await own.send('greet')).toBe('own');
    expect(await plain.send('greet')).toBe('shared');
    const missing = await rejectionOf(plain.send('nothing'));
    expect(missing.code).toBe(ErrorCode.MESSAGE_REJECTED);
    expect(missing.payload).toMatchObject({ code: ErrorCode.NO_HANDLER });
  });

  it('a rejected async handler rejects the request and reports on the connection, like connection.on', async () => {
    const { server, url } = await startServer({}, (server) =>
      server.handle('fail', async () => {
        throw new VolleyError(ErrorCode.INVALID_STATE, 'not now');
      }),
    );
    const client = await connectClient(url);
    const errors = record<VolleyError>(connectionOf(server, client), '_error');
    const failure = await rejectionOf(client.send('fail'));
    expect(failure.code).toBe(ErrorCode.MESSAGE_REJECTED);
    expect(failure.payload).toMatchObject({ code: ErrorCode.INVALID_STATE, message: 'not now' });
    expect(errors.map((error) => error.message)).toEqual(['not now']);
    // The connection goes on.
    server.handle('ok', (message) => message.resolve(true));
    expect(await client.send('ok')).toBe(true);
  });

  it('fire-and-forget messages reach it too, and unhandle removes one handler or all of a name', async () => {
    const seen: unknown[] = [];
    const first = (message: { payload: unknown }): void => void seen.push(['first', message.payload]);
    const second = (message: { payload: unknown }, connection: ServerConnection): void => void seen.push(['second', message.payload, connection.state]);
    const { server, url } = await startServer({}, (server) => server.handle('note', first).handle('note', second));
    const client = await connectClient(url);
    await client.sendWithoutResponse('note', 1);
    server.handle('sync', (message) => message.resolve());
    await client.send('sync');
    server.unhandle('note', first);
    await client.sendWithoutResponse('note', 2);
    await client.send('sync');
    server.unhandle('note');
    const gone = await rejectionOf(client.send('note', 3));
    expect(gone.payload).toMatchObject({ code: ErrorCode.NO_HANDLER });
    expect(seen).toEqual([
      ['first', 1],
      ['second', 1, 'connected'],
      ['second', 2, 'connected'],
    ]);
  });

  it('refuses reserved and empty names', async () => {
    const { server } = await startServer();
    for (const name of ['', '_h', '_anything']) {
      expect(() => server.handle(name, () => undefined)).toThrow(VolleyError);
    }
  });
});
