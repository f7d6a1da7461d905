import { ChatServer } from '@volley/chat';
import { ChatClient } from '@volley/chat/client';
import { ErrorCode, VolleyError } from '@volley/client';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { Inbox, onCleanup, type StoreFactory, startChat, unlinked } from '../helpers.js';

/** Reconnects at once: these tests are about what happens after, not about the backoff. */
const fastReconnect = { reconnect: true, reconnectOptions: { initialDelay: 1, maxDelay: 5, jitter: 0 } } as const;

export default function reconnectContract(createStore: StoreFactory): void {
  describe('chat client reconnection', () => {
    it('after a drop the client logs in again and rejoins the rooms it had joined (with their token), not those it left', async () => {
      const harness = await startChat(createStore, { enableUserlistUpdates: true });
      await harness.chat.addRoom('lobby');
      await harness.chat.addRoom('vault', { owner: 'bob', whitelistOnly: true });
      await harness.chat.addRoom('gone');
      const bob = await harness.login('bob');
      await bob.chat.roomSetAccessToken('vault', 'sesame');
      await bob.chat.roomJoin('lobby');
      const alice = await harness.login('alice', fastReconnect);
      const logins: string[] = [];
      alice.chat.on('loginConfirmed', (_userName, authData) => logins.push(authData.id));
      expect(await alice.chat.roomJoin('lobby')).toBe(1);
      expect(await alice.chat.roomJoin('vault', 'sesame')).toBe(1);
      expect(await alice.chat.roomJoin('gone')).toBe(1);
      expect(await alice.chat.roomLeave('gone')).toBe(0);

      // The server drops the connection (say, a proxy restarted).
      const relogged = new Promise<string>((resolve) => alice.chat.once('loginConfirmed', (_userName, authData) => resolve(authData.id)));
      await harness.chat.volley.getConnectionById(alice.id)!.close(1012, 'restarting');
      const newId = await relogged;
      expect(newId).not.toBe(alice.id);
      expect(alice.chat.authData?.id).toBe(newId);
      // The rejoin is visible to the others, and the rooms are exactly the ones held before.
      expect(await bob.inbox.next('roomUserJoined', (room, user) => room === 'lobby' && user === 'alice')).toEqual(['lobby', 'alice']);
      const sockets = await waitForRooms(alice.chat, newId, ['lobby', 'vault']);
      expect(sockets).toEqual({ [newId]: ['lobby', 'vault'] });
      expect(logins).toEqual([newId]);

      await bob.chat.roomMessage('lobby', { textMessage: 'welcome back' });
      const [, message] = await alice.inbox.next('roomMessage');
      expect(message.textMessage).toBe('welcome back');
      expect(harness.errors).toEqual([]);
    });

    it('a room that refuses the rejoin is dropped and reported on the error event; the others are rejoined', async () => {
      const harness = await startChat(createStore);
      await harness.chat.addRoom('lobby');
      await harness.chat.addRoom('club', { owner: 'bob' });
      const bob = await harness.login('bob');
      const alice = await harness.login('alice', fastReconnect);
      await alice.chat.roomJoin('lobby');
      await alice.chat.roomJoin('club');
      const errors: Error[] = [];
      const reported = new Promise<void>((resolve) => alice.chat.on('error', (error) => (errors.push(error), resolve())));

      // Bob bans alice while she is away: her connection drops first, then the blacklist changes.
      const gone = unlinked(harness, 'alice');
      const relogged = new Promise<string>((resolve) => alice.chat.once('loginConfirmed', (_userName, authData) => resolve(authData.id)));
      harness.chat.once('unlink', () => void bob.chat.roomAddToList('club', 'blacklist', ['alice']));
      await harness.chat.volley.getConnectionById(alice.id)!.close(1012);
      await gone;
      const newId = await relogged;
      await reported;
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ code: 'notAllowed', args: ['club'] });
      expect(await waitForRooms(alice.chat, newId, ['lobby'])).toEqual({ [newId]: ['lobby'] });
      expect(harness.errors).toEqual([]);
    });

    it('with rejoin off, a reconnected client is logged in but in no room', async () => {
      const harness = await startChat(createStore);
      await harness.chat.addRoom('lobby');
      const alice = await harness.login('alice', { ...fastReconnect, rejoin: false });
      await alice.chat.roomJoin('lobby');
      const relogged = new Promise<string>((resolve) => alice.chat.once('loginConfirmed', (_userName, authData) => resolve(authData.id)));
      await harness.chat.volley.getConnectionById(alice.id)!.close(1012);
      const newId = await relogged;
      expect(await alice.chat.listOwnSockets()).toEqual({ [newId]: [] });
    });

    it('a chat server restarted over the same store: pending commands reject DISCONNECTED, the client comes back to its rooms and history', async () => {
      const store = await createStore();
      onCleanup(() => store.close());
      const first = new ChatServer({ port: 0, host: '127.0.0.1', store, hooks: { before: { roomList: () => new Promise<never>(() => {}) } } });
      await first.start();
      const port = first.port!;
      const url = `ws://127.0.0.1:${port}`;
      await first.addRoom('lobby');
      const alice = new ChatClient(url, { WebSocket, auth: { userName: 'alice' }, pingInterval: 0, ...fastReconnect });
      onCleanup(() => alice.disconnect());
      const inbox = new Inbox(alice);
      await alice.connect();
      await alice.roomJoin('lobby');
      expect(await alice.roomMessage('lobby', { textMessage: 'before' })).toBe(1);

      // A command the server never answers, in flight when it stops.
      // Its outcome is taken at once: it rejects while stop() is still logging the connection out.
      const pending = alice.roomList().then(
        () => undefined,
        (error: unknown) => error,
      );
      const disconnected = new Promise<void>((resolve) => alice.once('disconnected', () => resolve()));
      await first.stop();
      const failure = await pending;
      expect(failure).toBeInstanceOf(VolleyError);
      expect((failure as VolleyError).code).toBe(ErrorCode.DISCONNECTED);
      await disconnected;

      const second = new ChatServer({ port, host: '127.0.0.1', store });
      const relogged = new Promise<string>((resolve) => alice.once('loginConfirmed', (_userName, authData) => resolve(authData.id)));
      await second.start();
      onCleanup(() => second.stop());
      const newId = await relogged;
      expect(await waitForRooms(alice, newId, ['lobby'])).toEqual({ [newId]: ['lobby'] });
      // State survived in the store: the history goes on from id 1.
      expect(await alice.roomMessage('lobby', { textMessage: 'after' })).toBe(2);
      expect((await alice.roomRecentHistory('lobby')).map((message) => message.textMessage)).toEqual(['after', 'before']);
      await inbox.next('roomMessage', (_room, message) => message.textMessage === 'after');
    });
  });
}

/**
 * `listOwnSockets` once this connection is in `rooms`. The rejoin runs right after the login
 * confirmation, so the answer may come before it finished: ask again until it has (each ask is a
 * round trip, no timer), at most 50 times.
 */
async function waitForRooms(chat: ChatClient, id: string, rooms: string[]): Promise<Record<string, string[]>> {
  let sockets: Record<string, string[]> = {};
  for (let attempt = 0; attempt < 50; attempt++) {
    sockets = await chat.listOwnSockets();
    if (JSON.stringify([...(sockets[id] ?? [])].sort()) === JSON.stringify(rooms)) return { [id]: [...sockets[id]!].sort() };
  }
  return sockets;
}
