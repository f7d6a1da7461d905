import { describe, expect, it } from 'vitest';
import { type StoreFactory, startChat, type TestUser } from '../helpers.js';
import { recordServerEvents } from './server-events.js';

/** `listOwnSockets` with each connection's rooms sorted (a store need not keep join order). */
function sortedSockets(sockets: Record<string, string[]>): Record<string, string[]> {
  return Object.fromEntries(Object.entries(sockets).map(([id, rooms]) => [id, [...rooms].sort()]));
}

export default function connectionsContract(createStore: StoreFactory): void {
  describe('chat connections', () => {
    it('opening a connection sends socketConnectEcho with the connection count to the user\'s other connections only', async () => {
      const harness = await startChat(createStore);
      const bob = await harness.login('bob');
      const a1 = await harness.login('alice');
      const a2 = await harness.login('alice');
      expect(await a1.inbox.next('socketConnectEcho')).toEqual([a2.id, 2]);
      const a3 = await harness.login('alice');
      expect(await a1.inbox.next('socketConnectEcho')).toEqual([a3.id, 3]);
      expect(await a2.inbox.next('socketConnectEcho')).toEqual([a3.id, 3]);
      // The echoes have gone out (a1 and a2 have them): now the opener and bob must have nothing.
      for (const user of [a1, a2, a3, bob]) await user.inbox.flush();
      expect(a1.inbox.all('socketConnectEcho')).toEqual([
        [a2.id, 2],
        [a3.id, 3],
      ]);
      expect(a2.inbox.all('socketConnectEcho')).toEqual([[a3.id, 3]]);
      expect(a3.inbox.count('socketConnectEcho')).toBe(0);
      expect(bob.inbox.count('socketConnectEcho')).toBe(0);
      expect(harness.errors).toEqual([]);
    });

    it('the first connection of a user gets no socketConnectEcho', async () => {
      const harness = await startChat(createStore);
      const alice = await harness.login('alice');
      const bob = await harness.login('bob');
      // A login's echo goes out right after its handshake answer, before the server reads that
      // client's next frame: once both have flushed, a wrongly addressed echo would be here.
      await alice.inbox.flush();
      await bob.inbox.flush();
      expect(alice.inbox.count('socketConnectEcho')).toBe(0);
      expect(bob.inbox.count('socketConnectEcho')).toBe(0);
    });

    it('closing a connection sends socketDisconnectEcho with the remaining count to the user\'s other connections only', async () => {
      const harness = await startChat(createStore);
      const bob = await harness.login('bob');
      const a1 = await harness.login('alice');
      const a2 = await harness.login('alice');
      const a3 = await harness.login('alice');
      await a1.inbox.next('socketConnectEcho', (id) => id === a3.id);
      await a2.inbox.next('socketConnectEcho', (id) => id === a3.id);
      await a3.chat.disconnect();
      expect(await a1.inbox.next('socketDisconnectEcho')).toEqual([a3.id, 2]);
      expect(await a2.inbox.next('socketDisconnectEcho')).toEqual([a3.id, 2]);
      await a2.chat.disconnect();
      expect(await a1.inbox.next('socketDisconnectEcho')).toEqual([a2.id, 1]);
      await a1.inbox.flush();
      await bob.inbox.flush();
      expect(a1.inbox.all('socketDisconnectEcho')).toEqual([
        [a3.id, 2],
        [a2.id, 1],
      ]);
      expect(a2.inbox.all('socketDisconnectEcho')).toEqual([[a3.id, 2]]);
      expect(a3.inbox.count('socketDisconnectEcho')).toBe(0);
      expect(bob.inbox.count('socketDisconnectEcho')).toBe(0);
      expect(bob.inbox.count('socketConnectEcho')).toBe(0);
      expect(harness.errors).toEqual([]);
    });

    it('listOwnSockets returns exactly the user\'s connections with the rooms each is joined to', async () => {
      const harness = await startChat(createStore);
      await harness.chat.addRoom('r1');
      await harness.chat.addRoom('r2');
      const a1 = await harness.login('alice');
      const a2 = await harness.login('alice');
      const a3 = await harness.login('alice');
      const bob = await harness.login('bob');
      await a1.chat.roomJoin('r1');
      await a1.chat.roomJoin('r2');
      await a2.chat.roomJoin('r1');
      await bob.chat.roomJoin('r2');
      const expected = { [a1.id]: ['r1', 'r2'], [a2.id]: ['r1'], [a3.id]: [] };
      for (const user of [a1, a2, a3]) expect(sortedSockets(await user.chat.listOwnSockets())).toEqual(expected);
      expect(await bob.chat.listOwnSockets()).toEqual({ [bob.id]: ['r2'] });
      await a1.chat.roomLeave('r2');
      expect(sortedSockets(await a3.chat.listOwnSockets())).toEqual({ [a1.id]: ['r1'], [a2.id]: ['r1'], [a3.id]: [] });
      await a2.chat.disconnect();
      await a1.inbox.next('socketDisconnectEcho', (id) => id === a2.id);
      expect(sortedSockets(await a1.chat.listOwnSockets())).toEqual({ [a1.id]: ['r1'], [a3.id]: [] });
    });

    it('systemMessage reaches the user\'s other connections only, with the data unchanged', async () => {
      const harness = await startChat(createStore);
      const a1 = await harness.login('alice');
      const a2 = await harness.login('alice');
      const a3 = await harness.login('alice');
      const bob = await harness.login('bob');
      const data = { kind: 'sync', values: [1, 'two', null, { deep: true }] };
      expect(await a1.chat.systemMessage(data)).toBeUndefined();
      expect(await a2.inbox.next('systemMessage')).toEqual([data]);
      expect(await a3.inbox.next('systemMessage')).toEqual([data]);
      await a1.inbox.flush();
      await bob.inbox.flush();
      expect(a1.inbox.count('systemMessage')).toBe(0);
      expect(bob.inbox.count('systemMessage')).toBe(0);
      // Any JSON value is relayed, a string as well as an object.
      await a3.chat.systemMessage('plain');
      expect(await a1.inbox.next('systemMessage')).toEqual(['plain']);
      expect(await a2.inbox.next('systemMessage')).toEqual(['plain']);
      await a3.inbox.flush();
      expect(a3.inbox.all('systemMessage')).toEqual([[data]]);
      expect(harness.errors).toEqual([]);
    });

    it('systemMessage from a user\'s only connection goes nowhere', async () => {
      const harness = await startChat(createStore);
      const alice = await harness.login('alice');
      const bob = await harness.login('bob');
      await alice.chat.systemMessage({ x: 1 });
      await alice.inbox.flush();
      await bob.inbox.flush();
      expect(alice.inbox.count('systemMessage')).toBe(0);
      expect(bob.inbox.count('systemMessage')).toBe(0);
    });

    it('closing a connection leaves its rooms: roomLeftEcho to the user\'s other connections, roomUserLeft only after the last one', async () => {
      const harness = await startChat(createStore, { enableUserlistUpdates: true });
      await harness.chat.addRoom('r');
      await harness.chat.addRoom('s');
      const bob = await harness.login('bob');
      await bob.chat.roomJoin('r');
      const a1 = await harness.login('alice');
      const a2 = await harness.login('alice');
      expect(await a1.chat.roomJoin('r')).toBe(1);
      expect(await a2.chat.roomJoin('r')).toBe(2);
      expect(await a2.chat.roomJoin('s')).toBe(1);
      await bob.inbox.next('roomUserJoined');
      await a2.chat.disconnect();
      // removeConnection answers per room; echo order across rooms is not part of the contract.
      const echoes = [await a1.inbox.next('roomLeftEcho'), await a1.inbox.next('roomLeftEcho')];
      expect(echoes.sort((x, y) => x[0].localeCompare(y[0]))).toEqual([
        ['r', a2.id, 1],
        ['s', a2.id, 0],
      ]);
      expect(await a1.inbox.next('socketDisconnectEcho')).toEqual([a2.id, 1]);
      await bob.inbox.flush();
      expect(bob.inbox.count('roomUserLeft')).toBe(0);
      expect((await bob.chat.roomGetAccessList('r', 'userlist')).sort()).toEqual(['alice', 'bob']);
      expect(await harness.store.getRoomList('s', 'userlist')).toEqual([]);
      await a1.chat.disconnect();
      expect(await bob.inbox.next('roomUserLeft')).toEqual(['r', 'alice']);
      expect(await bob.chat.roomGetAccessList('r', 'userlist')).toEqual(['bob']);
      expect(await harness.store.getConnectionRooms(a1.id)).toEqual([]);
      expect(await harness.store.getConnectionRooms(a2.id)).toEqual([]);
      expect(bob.inbox.all('roomUserLeft')).toEqual([['r', 'alice']]);
      expect(harness.errors).toEqual([]);
    });

    it('closing the last joined connection sends no roomUserLeft when userlist updates are off', async () => {
      const harness = await startChat(createStore);
      await harness.chat.addRoom('r');
      const bob = await harness.login('bob');
      await bob.chat.roomJoin('r');
      const alice = await harness.login('alice');
      const events = recordServerEvents(harness.chat);
      await alice.chat.roomJoin('r');
      await alice.chat.disconnect();
      await events.next('unlink');
      expect(await bob.chat.roomGetAccessList('r', 'userlist')).toEqual(['bob']);
      await bob.inbox.flush();
      expect(bob.inbox.count('roomUserLeft')).toBe(0);
      expect(bob.inbox.count('roomUserJoined')).toBe(0);
    });

    it('the disconnect hook runs once per closed connection with the user name and connection id, after its rooms were left', async () => {
      const calls: [string, string, string[]][] = [];
      let store: { getConnectionRooms(id: string): Promise<string[]> } | undefined;
      const harness = await startChat(createStore, {
        hooks: {
          async disconnect(userName, connectionId) {
            calls.push([userName, connectionId, await store!.getConnectionRooms(connectionId)]);
          },
        },
      });
      store = harness.store;
      const events = recordServerEvents(harness.chat);
      await harness.chat.addRoom('r');
      const a1 = await harness.login('alice');
      const a2 = await harness.login('alice');
      const bob = await harness.login('bob');
      await a1.chat.roomJoin('r');
      await a1.chat.disconnect();
      await events.next('unlink', (_user, id) => id === a1.id);
      expect(calls).toEqual([['alice', a1.id, []]]);
      await bob.chat.disconnect();
      await events.next('unlink', (_user, id) => id === bob.id);
      expect(calls).toEqual([
        ['alice', a1.id, []],
        ['bob', bob.id, []],
      ]);
      await a2.chat.disconnect();
      await events.next('unlink', (_user, id) => id === a2.id);
      expect(calls.map(([userName, id]) => [userName, id])).toEqual([
        ['alice', a1.id],
        ['bob', bob.id],
        ['alice', a2.id],
      ]);
      expect(harness.errors).toEqual([]);
    });

    it('a throwing disconnect hook is reported as a server error and the connection is still released', async () => {
      const failure = new Error('disconnect hook failed');
      const harness = await startChat(createStore, {
        hooks: {
          disconnect() {
            throw failure;
          },
        },
      });
      const events = recordServerEvents(harness.chat);
      const alice = await harness.login('alice');
      await alice.chat.disconnect();
      expect(await events.next('unlink')).toEqual(['alice', alice.id]);
      expect(harness.errors).toEqual([failure]);
      expect(await harness.chat.getUserConnections('alice')).toEqual([]);
    });

    it('getUserConnections lists the user\'s open connections; the user stays known with none', async () => {
      const harness = await startChat(createStore);
      const events = recordServerEvents(harness.chat);
      expect(await harness.chat.getUserConnections('alice')).toEqual([]);
      const a1 = await harness.login('alice');
      const a2 = await harness.login('alice');
      const a3 = await harness.login('alice');
      const bob = await harness.login('bob');
      expect((await harness.chat.getUserConnections('alice')).sort()).toEqual([a1.id, a2.id, a3.id].sort());
      expect(await harness.chat.getUserConnections('bob')).toEqual([bob.id]);
      await a2.chat.disconnect();
      await events.next('unlink', (_user, id) => id === a2.id);
      expect((await harness.chat.getUserConnections('alice')).sort()).toEqual([a1.id, a3.id].sort());
      for (const user of [a1, a3] as TestUser[]) await user.chat.disconnect();
      await events.next('unlink', (_user, id) => id === a1.id);
      await events.next('unlink', (_user, id) => id === a3.id);
      expect(await harness.chat.getUserConnections('alice')).toEqual([]);
      expect(await harness.chat.hasUser('alice')).toBe(true);
      expect(await harness.chat.getUserConnections('nobody')).toEqual([]);
    });

    it('disconnectUser closes every connection of the user and only those', async () => {
      const harness = await startChat(createStore);
      const events = recordServerEvents(harness.chat);
      const a1 = await harness.login('alice');
      const a2 = await harness.login('alice');
      const bob = await harness.login('bob');
      await harness.chat.disconnectUser('alice');
      await events.next('unlink', (_user, id) => id === a1.id);
      await events.next('unlink', (_user, id) => id === a2.id);
      expect(await harness.chat.getUserConnections('alice')).toEqual([]);
      expect(await harness.chat.getUserConnections('bob')).toEqual([bob.id]);
      expect(await bob.chat.listOwnSockets()).toEqual({ [bob.id]: [] });
      expect(events.of('unlink').map(([userName]) => userName)).toEqual(['alice', 'alice']);
    });
  });
}
