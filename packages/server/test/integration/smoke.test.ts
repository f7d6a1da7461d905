import { Client } from '@volley/client';
import { Server } from '@volley/server';
import { afterEach, expect, it } from 'vitest';
import { WebSocket } from 'ws';

let server: Server | undefined;
let client: Client | undefined;
afterEach(async () => {
  await client?.disconnect();
  await server?.stop();
});

it('handshakes and answers a request both ways', async () => {
  server = new Server({ port: 0, host: '127.0.0.1' });
  server.on('handshake', (connection, handshake) => {
    connection.setId('ann');
    handshake.resolve({ hello: handshake.payload });
  });
  server.on('connection', (connection) => {
    connection.on('sum', (m) => m.resolve(m.payload.a + m.payload.b));
  });
  await server.start();
  client = new Client(`ws://127.0.0.1:${server.port}`, { WebSocket, handshake: { payload: 't' } });
  client.on('confirm', (m) => m.resolve(m.payload === 'ok?'));
  expect(await client.connect()).toEqual({ hello: 't' });
  expect(client.id).toBe('ann');
  expect(await client.send('sum', { a: 1, b: 2 })).toBe(3);
  expect(await server.getConnectionById('ann')!.send('confirm', 'ok?')).toBe(true);
});
