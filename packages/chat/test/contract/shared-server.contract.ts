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
  });
}
