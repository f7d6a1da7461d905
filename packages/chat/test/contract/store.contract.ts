/**
 * The `ChatStore` seam's own contract (see the comment of `src/chat-store.ts`), checked by calling
 * the store directly, without sockets. The atomicity tests fire many calls at once with
 * `Promise.all`: a store that reads, computes and writes in separate steps (a naive Redis store)
 * interleaves them and breaks the invariants checked here; one that is atomic cannot.
 *
 * Stores need not keep insertion order in sets, so lists are compared sorted.
 */
import { ChatErrorCode } from '@volley/chat';
import { describe, expect, it } from 'vitest';
import { roomState, sorted, type StoreFactory } from '../helpers.js';
import { chatErrorOrNothing, message, range, storeKit } from './store-kit.js';

// Users, direct lists and rooms; connections are in store-connections.contract.ts, room lists,
// membership and history in store-rooms.contract.ts.
export default function storeContract(createStore: StoreFactory): void {
  const { open, readRecent, history, roomNames } = storeKit(createStore);

  describe('chat store: users', () => {
    it('addUser creates once: true, then false; hasUser and deleteUser follow', async () => {
      const store = await open();
      expect(await store.hasUser('alice')).toBe(false);
      expect(await store.addUser('alice')).toBe(true);
      expect(await store.addUser('alice')).toBe(false);
      expect(await store.hasUser('alice')).toBe(true);
      expect(await store.deleteUser('alice')).toBe(true);
      expect(await store.hasUser('alice')).toBe(false);
      expect(await store.deleteUser('alice')).toBe(false);
      expect(await store.addUser('alice')).toBe(true);
    });

    it('listUsers pages the users in name order with their connection counts', async () => {
      const store = await open();
      expect(await store.listUsers(undefined, 10)).toEqual([]);
      for (const name of ['carol', 'alice', 'dave', 'bob']) await store.addUser(name);
      await store.addConnection('bob', 'c1');
      await store.addConnection('bob', 'c2');
      await store.addConnection('erin', 'c3'); // creates erin
      expect(await store.listUsers(undefined, 10)).toEqual([
        { userName: 'alice', connections: 0 },
        { userName: 'bob', connections: 2 },
        { userName: 'carol', connections: 0 },
        { userName: 'dave', connections: 0 },
        { userName: 'erin', connections: 1 },
      ]);
      expect((await store.listUsers(undefined, 2)).map((user) => user.userName)).toEqual(['alice', 'bob']);
      expect((await store.listUsers('bob', 2)).map((user) => user.userName)).toEqual(['carol', 'dave']);
      expect((await store.listUsers('bz', 10)).map((user) => user.userName)).toEqual(['carol', 'dave', 'erin']);
      await store.removeConnection('bob', 'c1', 1_000);
      await store.deleteUser('carol');
      expect(await store.listUsers('alice', 2)).toEqual([
        { userName: 'bob', connections: 1 },
        { userName: 'dave', connections: 0 },
      ]);
      expect(await store.listUsers('erin', 10)).toEqual([]);
    });

    it('concurrent addUser of one name: exactly one call creates it', async () => {
      const store = await open();
      const results = await Promise.all(range(20).map(() => store.addUser('alice')));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await store.hasUser('alice')).toBe(true);
    });

    it('user info is stored, {} when none, and read as a copy', async () => {
      const store = await open();
      expect(await store.getUserInfo('nobody')).toEqual({});
      await store.addUser('alice');
      expect(await store.getUserInfo('alice')).toEqual({});
      await store.setUserInfo('alice', { role: 'TEACHER', displayName: 'Alice A.' });
      const info = await store.getUserInfo('alice');
      expect(info).toEqual({ role: 'TEACHER', displayName: 'Alice A.' });
      info.role = 'STUDENT';
      expect(await store.getUserInfo('alice')).toEqual({ role: 'TEACHER', displayName: 'Alice A.' });
    });

    it('deleteUser drops the lists, the mode and the info', async () => {
      const store = await open();
      await store.addUser('alice');
      await store.setUserInfo('alice', { role: 'ADMIN' });
      await store.addToDirectList('alice', 'blacklist', ['bob'], 10);
      await store.setDirectWhitelistMode('alice', true);
      expect(await store.deleteUser('alice')).toBe(true);
      expect(await store.getUserInfo('alice')).toEqual({});
      expect(await store.getDirectList('alice', 'blacklist')).toEqual([]);
      expect(await store.isInDirectList('alice', 'blacklist', 'bob')).toBe(false);
      expect(await store.getDirectWhitelistMode('alice')).toBe(false);
    });
  });

  describe('chat store: direct lists', () => {
    it('adds, reads, checks and removes names; duplicates and absent names are fine', async () => {
      const store = await open();
      await store.addUser('alice');
      await store.addToDirectList('alice', 'blacklist', ['bob', 'carol', 'bob'], 10);
      await store.addToDirectList('alice', 'blacklist', ['bob'], 10);
      expect(sorted(await store.getDirectList('alice', 'blacklist'))).toEqual(['bob', 'carol']);
      expect(await store.getDirectList('alice', 'whitelist')).toEqual([]);
      expect(await store.isInDirectList('alice', 'blacklist', 'bob')).toBe(true);
      expect(await store.isInDirectList('alice', 'whitelist', 'bob')).toBe(false);
      await store.removeFromDirectList('alice', 'blacklist', ['bob', 'dave']);
      expect(await store.getDirectList('alice', 'blacklist')).toEqual(['carol']);
      expect(await store.isInDirectList('alice', 'blacklist', 'bob')).toBe(false);
    });

    it('past the limit nothing is added and listLimitExceeded is thrown; names already present do not count', async () => {
      const store = await open();
      await store.addUser('alice');
      await store.addToDirectList('alice', 'whitelist', ['a', 'b'], 3);
      const error = await chatErrorOrNothing(store.addToDirectList('alice', 'whitelist', ['c', 'd'], 3));
      expect(error?.code).toBe(ChatErrorCode.LIST_LIMIT_EXCEEDED);
      expect(sorted(await store.getDirectList('alice', 'whitelist'))).toEqual(['a', 'b']);
      // 'a' is there already: only 'c' is new, which reaches the limit exactly.
      await store.addToDirectList('alice', 'whitelist', ['a', 'c', 'c'], 3);
      expect(sorted(await store.getDirectList('alice', 'whitelist'))).toEqual(['a', 'b', 'c']);
    });

    it('the whitelist-only mode is stored, false for unknown users', async () => {
      const store = await open();
      expect(await store.getDirectWhitelistMode('nobody')).toBe(false);
      await store.addUser('alice');
      expect(await store.getDirectWhitelistMode('alice')).toBe(false);
      await store.setDirectWhitelistMode('alice', true);
      expect(await store.getDirectWhitelistMode('alice')).toBe(true);
      await store.setDirectWhitelistMode('alice', false);
      expect(await store.getDirectWhitelistMode('alice')).toBe(false);
    });

    it('unknown users have empty lists, and removing from them does not throw', async () => {
      const store = await open();
      expect(await store.getDirectList('nobody', 'blacklist')).toEqual([]);
      expect(await store.isInDirectList('nobody', 'whitelist', 'bob')).toBe(false);
      await expect(store.removeFromDirectList('nobody', 'blacklist', ['bob'])).resolves.toBeUndefined();
    });

    it('concurrent adds racing to the limit: each call adds all its names or throws and adds none', async () => {
      const store = await open();
      await store.addUser('alice');
      const batches = range(20).map((batch) => [`u${batch}a`, `u${batch}b`, `u${batch}c`]);
      const outcomes = await Promise.all(batches.map((names) => chatErrorOrNothing(store.addToDirectList('alice', 'blacklist', names, 10))));
      const list = await store.getDirectList('alice', 'blacklist');
      // Batches of 3 against a limit of 10: exactly three fit, whatever the order.
      expect(outcomes.filter((outcome) => outcome === undefined)).toHaveLength(3);
      expect(list).toHaveLength(9);
      batches.forEach((names, index) => {
        const present = names.filter((name) => list.includes(name)).length;
        if (outcomes[index] === undefined) expect(present).toBe(3);
        else {
          expect(outcomes[index]!.code).toBe(ChatErrorCode.LIST_LIMIT_EXCEEDED);
          expect(present).toBe(0);
        }
      });
    });

    it('concurrent single-name adds and removes lose no update', async () => {
      const store = await open();
      await store.addUser('alice');
      const old = range(15).map((index) => `old${index}`);
      await store.addToDirectList('alice', 'whitelist', old, 1_000);
      const added = range(15).map((index) => `new${index}`);
      await Promise.all([
        ...added.map((name) => store.addToDirectList('alice', 'whitelist', [name], 1_000)),
        ...old.map((name) => store.removeFromDirectList('alice', 'whitelist', [name])),
      ]);
      expect(sorted(await store.getDirectList('alice', 'whitelist'))).toEqual(sorted(added));
    });

    it('a returned list is a copy', async () => {
      const store = await open();
      await store.addToDirectList('alice', 'blacklist', ['bob'], 10);
      const list = await store.getDirectList('alice', 'blacklist');
      list.push('mallory');
      list.splice(0, 1);
      expect(await store.getDirectList('alice', 'blacklist')).toEqual(['bob']);
    });
  });

  describe('chat store: rooms', () => {
    it('createRoom stores the settings once: a second create is false and changes nothing', async () => {
      const store = await open();
      const state = roomState('lobby', { owner: 'alice', whitelistOnly: true, visible: true, accessToken: 'secret', data: { topic: 'hi' } });
      expect(await store.createRoom(state)).toBe(true);
      expect(await store.createRoom(roomState('lobby', { owner: 'bob' }))).toBe(false);
      expect(await store.getRoom('lobby')).toEqual(state);
      expect(await roomNames(store)).toEqual(['lobby']);
    });

    it('concurrent createRoom of one name: exactly one call creates it, with its own settings', async () => {
      const store = await open();
      const owners = range(20).map((index) => `owner${index}`);
      const results = await Promise.all(owners.map((owner) => store.createRoom(roomState('lobby', { owner }))));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await store.getRoom('lobby'))?.owner).toBe(owners[results.indexOf(true)]);
      expect(await roomNames(store)).toEqual(['lobby']);
    });

    it('listRooms lists every room', async () => {
      const store = await open();
      expect(await roomNames(store)).toEqual([]);
      for (const name of ['b', 'a', 'c']) await store.createRoom(roomState(name));
      expect(sorted(await roomNames(store))).toEqual(['a', 'b', 'c']);
      const rooms = await roomNames(store);
      rooms.length = 0;
      expect(await roomNames(store)).toHaveLength(3);
    });

    it('getRoom returns a copy, down to nested data', async () => {
      const store = await open();
      await store.createRoom(roomState('lobby', { data: { topic: 'hi', nested: { tags: ['a'] } } }));
      const room = (await store.getRoom('lobby'))!;
      room.owner = 'mallory';
      room.data.topic = 'changed';
      (room.data.nested as { tags: string[] }).tags.push('b');
      expect(await store.getRoom('lobby')).toEqual(roomState('lobby', { data: { topic: 'hi', nested: { tags: ['a'] } } }));
    });

    it('updateRoom changes the given settings and ignores undefined values', async () => {
      const store = await open();
      await store.createRoom(roomState('lobby', { owner: 'alice', accessToken: 'secret' }));
      expect(
        await store.updateRoom('lobby', {
          owner: 'bob',
          whitelistOnly: true,
          visible: true,
          presence: true,
          enableUserlistUpdates: true,
          enableAccessListsUpdates: true,
          accessToken: undefined,
        }),
      ).toBe(true);
      expect(await store.getRoom('lobby')).toEqual(
        roomState('lobby', {
          owner: 'bob',
          whitelistOnly: true,
          visible: true,
          presence: true,
          enableUserlistUpdates: true,
          enableAccessListsUpdates: true,
          accessToken: 'secret',
        }),
      );
      // null is a value (no owner, no token), unlike undefined.
      expect(await store.updateRoom('lobby', { owner: null, accessToken: null })).toBe(true);
      expect(await store.getRoom('lobby')).toMatchObject({ owner: null, accessToken: null, whitelistOnly: true });
    });

    it('mergeRoomData merges shallowly, deletes keys given as undefined and returns a copy of the result', async () => {
      const store = await open();
      await store.createRoom(roomState('lobby', { data: { topic: 'hi', keep: 1, drop: true } }));
      const merged = await store.mergeRoomData('lobby', { topic: 'new', drop: undefined, extra: { deep: [1] } });
      expect(merged).toEqual({ topic: 'new', keep: 1, extra: { deep: [1] } });
      expect(Object.keys(merged!)).not.toContain('drop');
      merged!.topic = 'mutated';
      (merged!.extra as { deep: number[] }).deep.push(2);
      expect((await store.getRoom('lobby'))!.data).toEqual({ topic: 'new', keep: 1, extra: { deep: [1] } });
      // The merged-in value is copied too: mutating the caller's object later changes nothing.
      const fields = { list: ['a'] };
      await store.mergeRoomData('lobby', fields);
      fields.list.push('b');
      expect((await store.getRoom('lobby'))!.data.list).toEqual(['a']);
    });

    it('deleteRoom returns who was joined, removes the room everywhere, and a new room of that name starts empty', async () => {
      const store = await open();
      await store.createRoom(roomState('lobby', { historyMaxSize: 10 }));
      await store.createRoom(roomState('other'));
      await store.joinRoom('lobby', 'alice', 'a1', 1_000);
      await store.joinRoom('lobby', 'alice', 'a2', 1_000);
      await store.joinRoom('lobby', 'bob', 'b1', 1_000);
      await store.joinRoom('other', 'bob', 'b1', 1_000);
      await store.addToRoomList('lobby', 'blacklist', ['mallory'], 10);
      await store.addToRoomList('lobby', 'tokenholders', ['carol'], 10);
      await store.addMessage('lobby', message('hi'));

      const joined = await store.deleteRoom('lobby');
      expect(joined).toBeInstanceOf(Map);
      expect([...joined!.entries()].map(([user, connections]) => [user, sorted(connections)]).sort()).toEqual([
        ['alice', ['a1', 'a2']],
        ['bob', ['b1']],
      ]);
      expect(await store.getRoom('lobby')).toBeUndefined();
      expect(await roomNames(store)).toEqual(['other']);
      expect(await store.getConnectionRooms('a1')).toEqual([]);
      expect(await store.getConnectionRooms('b1')).toEqual(['other']);
      expect(await store.deleteRoom('lobby')).toBeUndefined();

      expect(await store.createRoom(roomState('lobby'))).toBe(true);
      expect(await store.getRoomList('lobby', 'blacklist')).toEqual([]);
      expect(await store.getRoomList('lobby', 'tokenholders')).toEqual([]);
      expect(await store.getRoomList('lobby', 'userlist')).toEqual([]);
      expect(await store.getJoinedConnections('lobby', 'alice')).toEqual([]);
      expect(await store.getUserSeen('lobby', 'alice')).toEqual({ joined: false, timestamp: null });
      expect(await store.getHistorySize('lobby')).toBe(0);
      expect((await store.addMessage('lobby', message('again')))?.id).toBe(1);
    });

    it('deleteRoom of a room nobody joined returns an empty map', async () => {
      const store = await open();
      await store.createRoom(roomState('lobby'));
      const joined = await store.deleteRoom('lobby');
      expect(joined).toBeInstanceOf(Map);
      expect(joined!.size).toBe(0);
    });
  });

  describe('chat store: a room that does not exist', () => {
    it('every room operation returns undefined, false or empty without throwing, and creates nothing', async () => {
      const store = await open();
      expect(await store.getRoom('ghost')).toBeUndefined();
      expect(await store.deleteRoom('ghost')).toBeUndefined();
      expect(await store.updateRoom('ghost', { owner: 'alice' })).toBe(false);
      expect(await store.mergeRoomData('ghost', { topic: 'x' })).toBeUndefined();
      expect(await store.setHistoryMaxSize('ghost', 5)).toBe(false);
      await expect(store.addToRoomList('ghost', 'whitelist', ['bob'], 10)).resolves.toBeUndefined();
      await expect(store.removeFromRoomList('ghost', 'whitelist', ['bob'])).resolves.toBeUndefined();
      await expect(store.clearRoomList('ghost', 'blacklist')).resolves.toBeUndefined();
      expect(await store.getRoomList('ghost', 'whitelist')).toEqual([]);
      expect(await store.getRoomList('ghost', 'userlist')).toEqual([]);
      expect(await store.isInRoomList('ghost', 'whitelist', 'bob')).toBe(false);
      expect(await store.isInRoomList('ghost', 'userlist', 'bob')).toBe(false);
      expect(await store.joinRoom('ghost', 'alice', 'a1', 1_000)).toEqual({ changed: false, njoined: 0 });
      expect(await store.leaveRoom('ghost', 'alice', 'a1', 1_000)).toEqual({ changed: false, njoined: 0 });
      expect(await store.removeUserFromRoom('ghost', 'alice', 1_000)).toEqual([]);
      expect(await store.getJoinedConnections('ghost', 'alice')).toEqual([]);
      expect(await store.getUserSeen('ghost', 'alice')).toEqual({ joined: false, timestamp: null });
      expect(await store.addMessage('ghost', message('hi'))).toBeUndefined();
      expect(await readRecent(store, 'ghost', 10)).toEqual([]);
      expect(await history(store, 'ghost', 0, 10)).toEqual([]);
      expect(await store.getHistorySize('ghost')).toBe(0);

      expect(await roomNames(store)).toEqual([]);
      expect(await store.getConnectionRooms('a1')).toEqual([]);
      // Nothing was left behind under that name: a new room starts empty.
      expect(await store.createRoom(roomState('ghost'))).toBe(true);
      expect(await store.getRoomList('ghost', 'whitelist')).toEqual([]);
      expect(await store.getHistorySize('ghost')).toBe(0);
      expect((await store.getRoom('ghost'))?.lastMessageId).toBe(0);
    });
  });
}
