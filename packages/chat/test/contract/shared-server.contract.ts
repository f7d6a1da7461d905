import { ChatServer } from '@volley/chat';
import { ChatClient } from '@volley/chat/client';
import { Server } from '@volley/server';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { Inbox, onCleanup, type StoreFactory } from '../helpers.js';

export default function sharedServerContract(createStore: StoreFactory): void {
  describe('chat on an application\'s own Volley server', () => {
    it('serves the chat beside the application\'s own messages, and stop() leaves the server to its owner', async () => {
      const store = await createStore();
      onCleanup(() => store.close());
      const volley = new Server({ port: 0, host: '127.0.0.1' });
      onCleanup(() => volley.stop());
      // The application's own message, handled for every connection.
      volley.handle('appTime', (message, connection) => message.resolve({ for: connection.id, at: 42 }));
      const chat = new ChatServer({ server: volley, store });
      const listening: (number | undefined)[] = [];
      chat.on('listen', (port) => listening.push(port));
      await chat.start();
      expect(volley.state).toBe('started');
      expect(listening).toEqual([volley.port]);
      await chat.addRoom('lobby');

      const ann = new ChatClient(`ws://127.0.0.1:${volley.port}`, { WebSocket, auth: { userName: 'ann' }, reconnect: false, pingInterval: 0 });
      onCleanup(() => ann.disconnect());
      const inbox = new Inbox(ann);
      const login = await ann.connect();
      expect(await ann.client.send('appTime')).toEqual({ for: login.authData.id, at: 42 });
      expect(await ann.roomJoin('lobby')).toBe(1);
      expect(await ann.roomMessage('lobby', { textMessage: 'hi' })).toBe(1);
      expect((await inbox.next('roomMessage'))[1].textMessage).toBe('hi');

      const closed: unknown[] = [];
      chat.on('close', () => closed.push('close'));
      await chat.stop();
      expect(closed).toEqual(['close']);
      // The Volley server and its connection are the application's: still up.
      expect(volley.state).toBe('started');
      expect(await ann.client.send('appTime')).toEqual({ for: login.authData.id, at: 42 });
      // The chat has left it: its commands are no longer handled there.
      await expect(ann.roomList()).rejects.toMatchObject({ code: 'MESSAGE_REJECTED', payload: { code: 'NO_HANDLER' } });
    });

    it('a connection the application let in without a chat login gets noLogin for chat commands and chat-handled messages', async () => {
      const store = await createStore();
      onCleanup(() => store.close());
      const volley = new Server({ port: 0, host: '127.0.0.1' });
      onCleanup(() => volley.stop());
      // Registered before the chat: the application lets its own services in, whom the chat
      // cannot log in (no user name) and so refuses too late: the handshake has ended.
      volley.on('handshake', (_connection, handshake) => {
        if ((handshake.payload as { service?: boolean } | undefined)?.service === true) handshake.resolve({ service: true });
      });
      const chat = new ChatServer({ server: volley, store });
      const reported: unknown[] = [];
      chat.on('error', (error) => reported.push(error));
      chat.handle('appPing', () => 'pong');
      await chat.start();
      await chat.addRoom('lobby');

      const service = new ChatClient(`ws://127.0.0.1:${volley.port}`, { WebSocket, auth: { service: true }, reconnect: false, pingInterval: 0 });
      onCleanup(() => service.disconnect());
      await service.client.connect();
      for (const attempt of [service.roomList(), service.send('appPing')]) {
        await expect(attempt).rejects.toMatchObject({ code: 'noLogin' });
      }
      // A user logged in beside it is served as usual.
      const ann = new ChatClient(`ws://127.0.0.1:${volley.port}`, { WebSocket, auth: { userName: 'ann' }, reconnect: false, pingInterval: 0 });
      onCleanup(() => ann.disconnect());
      await ann.connect();
      expect(await ann.send('appPing')).toBe('pong');
      expect(await ann.roomJoin('lobby')).toBe(1);
      expect(reported).toEqual([]);
    });
  });
}
