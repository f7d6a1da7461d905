import { type AdapterNode, ErrorCode, InMemoryAdapter, type IncomingMessage, VolleyError } from '@volley/server';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, connectClient, connectionOf, deferred, later, record, rejectionOf, startServer } from '@volley/test-utils';

afterEach(cleanup);

/** One direction of a conversation: a side that sends requests and a side that answers them. */
interface Direction {
  send(name: string, payload?: unknown, timeout?: number): Promise<unknown>;
  sendWithoutResponse(name: string, payload?: unknown): Promise<void>;
  /** Registers a handler on the answering side. */
  handle(name: string, handler: (message: IncomingMessage<any, any>) => void): void;
  /** Local errors reported by the sending side. */
  senderErrors: VolleyError[];
  /** Local errors reported by the answering side. */
  answererErrors: VolleyError[];
  /** Requests the sending side still awaits. */
  pending(): number;
}

/** `responseTimeout` is the sending side's default timeout. */
type Setup = (options: { responseTimeout?: number }) => Promise<Direction>;

const clientToServer: Setup = async ({ responseTimeout }) => {
  const { server, url } = await startServer();
  const client = await connectClient(url, { responseTimeout });
  const connection = connectionOf(server, client);
  return {
    send: (name, payload, timeout) => client.send(name, payload, timeout),
    sendWithoutResponse: (name, payload) => client.sendWithoutResponse(name, payload),
    handle: (name, handler) => connection.on(name, handler),
    senderErrors: record(client, '_error'),
    answererErrors: record(connection, '_error'),
    pending: () => client.pendingRequests,
  };
};

const serverToClient: Setup = async ({ responseTimeout }) => {
  const { server, url } = await startServer({ responseTimeout });
  const client = await connectClient(url);
  const connection = connectionOf(server, client);
  return {
    send: (name, payload, timeout) => connection.send(name, payload, timeout),
    sendWithoutResponse: (name, payload) => connection.sendWithoutResponse(name, payload),
    handle: (name, handler) => client.on(name, handler),
    senderErrors: record(connection, '_error'),
    answererErrors: record(client, '_error'),
    pending: () => connection.pendingRequests,
  };
};

describe.each([
  ['client → server', clientToServer],
  ['server → client', serverToClient],
])('%s', (_direction, setup) => {
  it('resolves with the handler’s result, each concurrent request with its own', async () => {
    const side = await setup({});
    side.handle('sum', (message) => message.resolve(message.payload.a + message.payload.b));
    expect(await side.send('sum', { a: 1, b: 2 })).toBe(3);
    const results = await Promise.all([1, 2, 3, 4, 5].map((n) => side.send('sum', { a: n, b: 10 * n })));
    expect(results).toEqual([11, 22, 33, 44, 55]);
    expect(side.pending()).toBe(0);
  });

  it('rejects with MESSAGE_REJECTED carrying the handler’s error', async () => {
    const side = await setup({});
    side.handle('delete', (message) => message.reject(Object.assign(new Error('not allowed'), { code: 'E_PERM' })));
    const error = await rejectionOf(side.send('delete', { id: 7 }));
    expect(error).toBeInstanceOf(VolleyError);
    expect(error.code).toBe(ErrorCode.MESSAGE_REJECTED);
    expect(error.payload).toEqual({ name: 'Error', message: 'not allowed', code: 'E_PERM' });
  });

  it('rejects with MESSAGE_REJECTED when the handler throws, and reports the throw locally', async () => {
    const side = await setup({});
    side.handle('explode', () => {
      throw new Error('kaboom');
    });
    const error = await rejectionOf(side.send('explode'));
    expect(error.code).toBe(ErrorCode.MESSAGE_REJECTED);
    expect((error.payload as { message: string }).message).toBe('kaboom');
    expect(side.answererErrors.map((e) => e.message)).toEqual(['kaboom']);
  });

  it('delivers a fire-and-forget message, without an id', async () => {
    const side = await setup({});
    const arrived = deferred<IncomingMessage>();
    side.handle('note', (message) => arrived.resolve(message));
    await side.sendWithoutResponse('note', { text: 'hi' });
    const message = await arrived.promise;
    expect(message.payload).toEqual({ text: 'hi' });
    expect(message.id).toBeUndefined();
    expect(message.isRequest).toBe(false);
    expect(side.pending()).toBe(0);
  });

  it('times out with MESSAGE_TIMEOUT and ignores the late answer', async () => {
    const side = await setup({});
    const lateAnswerSent = deferred<boolean>();
    side.handle('slow', (message) => later(200, () => lateAnswerSent.resolve(message.resolve('late'))));
    const ownAnswer = deferred<void>();
    side.handle('wait', (message) => void ownAnswer.promise.then(() => message.resolve('own')));

    let settlements = 0;
    const slow = side.send('slow', undefined, 100).finally(() => settlements++);
    const error = await rejectionOf(slow);
    expect(error.code).toBe(ErrorCode.MESSAGE_TIMEOUT);

    // A request pending while the late answer arrives must not take it for its own.
    const waiting = side.send('wait', undefined, 0);
    expect(await lateAnswerSent.promise).toBe(true);
    ownAnswer.resolve();
    expect(await waiting).toBe('own');

    expect(settlements).toBe(1);
    expect(side.senderErrors).toEqual([]);
    expect(side.answererErrors).toEqual([]);
    expect(side.pending()).toBe(0);
  });

  it('applies a per-call timeout instead of the default, and 0 means none', async () => {
    const side = await setup({ responseTimeout: 100 });
    side.handle('slow', (message) => later(250, () => message.resolve('done')));
    const [byDefault, longer, none] = await Promise.allSettled([
      side.send('slow'),
      side.send('slow', undefined, 2000),
      side.send('slow', undefined, 0),
    ]);
    expect(byDefault.status === 'rejected' && (byDefault.reason as VolleyError).code).toBe(ErrorCode.MESSAGE_TIMEOUT);
    expect(longer).toEqual({ status: 'fulfilled', value: 'done' });
    expect(none).toEqual({ status: 'fulfilled', value: 'done' });
  });

  it('rejects at once with MESSAGE_REJECTED / NO_HANDLER when nobody handles the request', async () => {
    const side = await setup({ responseTimeout: 0 });
    const error = await rejectionOf(side.send('nobody'));
    expect(error.code).toBe(ErrorCode.MESSAGE_REJECTED);
    expect((error.payload as { code: string }).code).toBe(ErrorCode.NO_HANDLER);
  });
});

describe('server.send(connectionId, …)', () => {
  it('sends to a connection of this server by id, and rejects DISCONNECTED for an id it does not have', async () => {
    const { server, url } = await startServer();
    const client = await connectClient(url);
    client.on('confirm', (message) => message.resolve(`yes ${String(message.payload)}`));
    expect(await server.send(client.id!, 'confirm', 'ok?')).toBe('yes ok?');
    const error = await rejectionOf(server.send('nobody', 'confirm', 'ok?'));
    expect(error.code).toBe(ErrorCode.DISCONNECTED);
    expect(error.message).toContain('nobody');
  });
});

describe('what the server lends its adapter: node.request(id, …)', () => {
  it("sends to a connected connection of this node and answers with its client's answer; DISCONNECTED for an id not here", async () => {
    let node: AdapterNode | undefined;
    class CapturingAdapter extends InMemoryAdapter {
      override attach(attached: AdapterNode): void {
        super.attach(attached);
        node = attached;
      }
    }
    const { url } = await startServer({ adapter: new CapturingAdapter() });
    const client = await connectClient(url);
    client.on('confirm', (message) => message.resolve(`yes ${String(message.payload)}`));
    expect(await node!.request(client.id!, 'confirm', 'ok?', 1000)).toBe('yes ok?');
    const error = await rejectionOf(node!.request('nobody', 'confirm', 'ok?', 1000));
    expect(error.code).toBe(ErrorCode.DISCONNECTED);
    expect(error.message).toContain('"nobody" is not here');
  });
});
