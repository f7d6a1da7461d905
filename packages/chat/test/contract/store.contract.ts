/**
 * The `ChatStore` seam's own contract (see the comment of `src/chat-store.ts`), checked by calling
 * the store directly, without sockets. The atomicity tests fire many calls at once with
 * `Promise.all`: a store that reads, computes and writes in separate steps (a naive Redis store)
 * interleaves them and breaks the invariants checked here; one that is atomic cannot.
 *
 * Stores need not keep insertion order in sets, so lists are compared sorted.
 */
import { ChatError, ChatErrorCode, type ChatStore, type ProcessedMessage, type RoomState } from '@volley/chat';
import { describe, expect, it } from 'vitest';
import { onCleanup, roomState, sorted, type StoreFactory } from '../helpers.js';

function message(text: string, timestamp = 1_000): ProcessedMessage {
  return { textMessage: text, author: 'alice', timestamp };
}

function ids(messages: ProcessedMessage[]): (number | undefined)[] {
  return messages.map((entry) => entry.id);
}

/** 1 … n. */
function range(n: number, from = 1): number[] {
  return Array.from({ length: n }, (_, index) => from + index);
}

/** Resolves with the ChatError `promise` rejects with, or undefined when it resolves. */
async function chatErrorOrNothing(promise: Promise<unknown>): Promise<ChatError | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    if (error instanceof ChatError) return error;
    throw error;
  }
}

export default function storeContract(createStore: StoreFactory): void {
  async function open(): Promise<ChatStore> {
    const store = await createStore();
    onCleanup(() => store.close());
    return store;
  }

  /** A store holding `roomName` with `count` messages (ids 1 … count). */
  async function withMessages(roomName: string, count: number, historyMaxSize = 100): Promise<ChatStore> {
    const store = await open();
    expect(await store.createRoom(roomState(roomName, { historyMaxSize }))).toBe(true);
    for (let index = 1; index <= count; index++) await store.addMessage(roomName, message(`m${index}`, index));
    return store;
  }

  /** The messages of a history read without a byte budget. */
  async function readRecent(store: ChatStore, roomName: string, limit: number): Promise<ProcessedMessage[]> {
    return (await store.getRecentHistory(roomName, limit, Infinity)).messages;
  }

  async function history(store: ChatStore, roomName: string, afterId: number, limit: number): Promise<ProcessedMessage[]> {
    return (await store.getHistory(roomName, afterId, limit, Infinity)).messages;
  }

  /** Every room's name, as the server API lists them (no viewer). */
  async function roomNames(store: ChatStore): Promise<string[]> {
    return (await store.listRooms(undefined, undefined, 1000)).map((room) => room.name);
  }

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

  describe('chat store: connections', () => {
    it('addConnection binds to the user (creating it) and returns the count after', async () => {
      const store = await open();
      expect(await store.addConnection('alice', 'c1')).toBe(1);
      expect(await store.hasUser('alice')).toBe(true);
      expect(await store.addConnection('alice', 'c2')).toBe(2);
      expect(sorted(await store.getConnections('alice'))).toEqual(['c1', 'c2']);
      expect(await store.getConnections('bob')).toEqual([]);
    });

    it('concurrent addConnection of N connections: counts are exactly 1 … N', async () => {
      const store = await open();
      const counts = await Promise.all(range(20).map((index) => store.addConnection('alice', `c${index}`)));
      expect([...counts].sort((a, b) => a - b)).toEqual(range(20));
      expect(await store.getConnections('alice')).toHaveLength(20);
    });

    it('removeConnection unbinds, leaves every room and returns the joined counts after', async () => {
      const store = await open();
      await store.createRoom(roomState('r1'));
      await store.createRoom(roomState('r2'));
      await store.createRoom(roomState('r3'));
      await store.addConnection('alice', 'c1');
      await store.addConnection('alice', 'c2');
      await store.joinRoom('r1', 'alice', 'c1', 1_000);
      await store.joinRoom('r2', 'alice', 'c1', 1_000);
      await store.joinRoom('r2', 'alice', 'c2', 1_000);
      await store.joinRoom('r3', 'alice', 'c2', 1_000);

      const removal = await store.removeConnection('alice', 'c1', 5_000);
      expect(removal.nconnected).toBe(1);
      expect([...removal.rooms].sort((a, b) => a.roomName.localeCompare(b.roomName))).toEqual([
        { roomName: 'r1', njoined: 0 },
        { roomName: 'r2', njoined: 1 },
      ]);
      expect(await store.getConnections('alice')).toEqual(['c2']);
      expect(await store.getConnectionRooms('c1')).toEqual([]);
      expect(await store.getJoinedConnections('r1', 'alice')).toEqual([]);
      expect(await store.getJoinedConnections('r2', 'alice')).toEqual(['c2']);
      expect(await store.getRoomList('r1', 'userlist')).toEqual([]);
      expect(await store.getRoomList('r2', 'userlist')).toEqual(['alice']);
      // The last connection leaving r1 is a leave: it is recorded as last seen.
      expect(await store.getUserSeen('r1', 'alice')).toEqual({ joined: false, timestamp: 5_000 });
      expect(await store.getUserSeen('r2', 'alice')).toEqual({ joined: true, timestamp: 1_000 });

      const last = await store.removeConnection('alice', 'c2', 6_000);
      expect(last.nconnected).toBe(0);
      expect([...last.rooms].sort((a, b) => a.roomName.localeCompare(b.roomName))).toEqual([
        { roomName: 'r2', njoined: 0 },
        { roomName: 'r3', njoined: 0 },
      ]);
      expect(await store.getConnections('alice')).toEqual([]);
      expect(await store.getConnectionRooms('c2')).toEqual([]);
    });

    it('removeConnection of a connection in no room, and of an unknown one, returns no rooms', async () => {
      const store = await open();
      await store.addConnection('alice', 'c1');
      expect(await store.removeConnection('alice', 'c1', 1_000)).toEqual({ nconnected: 0, rooms: [] });
      expect(await store.getConnections('alice')).toEqual([]);
      expect(await store.removeConnection('ghost', 'c9', 1_000)).toEqual({ nconnected: 0, rooms: [] });
    });

    it('concurrent removeConnection of N joined connections: counts are exactly 0 … N-1', async () => {
      const store = await open();
      const n = 12;
      await store.createRoom(roomState('lobby'));
      for (const index of range(n)) {
        await store.addConnection('alice', `c${index}`);
        await store.joinRoom('lobby', 'alice', `c${index}`, 1_000);
      }
      const removals = await Promise.all(range(n).map((index) => store.removeConnection('alice', `c${index}`, 2_000)));
      expect(removals.map((removal) => removal.nconnected).sort((a, b) => a - b)).toEqual(range(n, 0));
      expect(removals.map((removal) => removal.rooms.length)).toEqual(removals.map(() => 1));
      expect(removals.map((removal) => removal.rooms[0]!.njoined).sort((a, b) => a - b)).toEqual(range(n, 0));
      expect(await store.getConnections('alice')).toEqual([]);
      expect(await store.getRoomList('lobby', 'userlist')).toEqual([]);
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

  describe('chat store: room lists', () => {
    it('adds, reads, checks, removes and clears each stored list independently', async () => {
      const store = await open();
      await store.createRoom(roomState('lobby'));
      await store.addToRoomList('lobby', 'adminlist', ['ann'], 10);
      await store.addToRoomList('lobby', 'blacklist', ['bob', 'bea', 'bob'], 10);
      await store.addToRoomList('lobby', 'whitelist', ['wes'], 10);
      await store.addToRoomList('lobby', 'tokenholders', ['tom'], 10);
      expect(await store.getRoomList('lobby', 'adminlist')).toEqual(['ann']);
      expect(sorted(await store.getRoomList('lobby', 'blacklist'))).toEqual(['bea', 'bob']);
      expect(await store.getRoomList('lobby', 'whitelist')).toEqual(['wes']);
      expect(await store.getRoomList('lobby', 'tokenholders')).toEqual(['tom']);
      expect(await store.isInRoomList('lobby', 'blacklist', 'bob')).toBe(true);
      expect(await store.isInRoomList('lobby', 'whitelist', 'bob')).toBe(false);

      await store.removeFromRoomList('lobby', 'blacklist', ['bob', 'absent']);
      expect(await store.getRoomList('lobby', 'blacklist')).toEqual(['bea']);
      expect(await store.isInRoomList('lobby', 'blacklist', 'bob')).toBe(false);

      await store.clearRoomList('lobby', 'tokenholders');
      expect(await store.getRoomList('lobby', 'tokenholders')).toEqual([]);
      expect(await store.getRoomList('lobby', 'adminlist')).toEqual(['ann']);
      expect(await store.getRoomList('lobby', 'whitelist')).toEqual(['wes']);
    });

    it('userlist is the users with at least one joined connection', async () => {
      const store = await open();
      await store.createRoom(roomState('lobby'));
      await store.joinRoom('lobby', 'alice', 'a1', 1_000);
      await store.joinRoom('lobby', 'alice', 'a2', 1_000);
      await store.joinRoom('lobby', 'bob', 'b1', 1_000);
      expect(sorted(await store.getRoomList('lobby', 'userlist'))).toEqual(['alice', 'bob']);
      await store.leaveRoom('lobby', 'alice', 'a1', 2_000);
      expect(await store.isInRoomList('lobby', 'userlist', 'alice')).toBe(true);
      await store.leaveRoom('lobby', 'alice', 'a2', 2_000);
      expect(await store.isInRoomList('lobby', 'userlist', 'alice')).toBe(false);
      expect(await store.getRoomList('lobby', 'userlist')).toEqual(['bob']);
    });

    it('past the limit nothing is added and listLimitExceeded is thrown', async () => {
      const store = await open();
      await store.createRoom(roomState('lobby'));
      await store.addToRoomList('lobby', 'whitelist', ['a', 'b'], 3);
      const error = await chatErrorOrNothing(store.addToRoomList('lobby', 'whitelist', ['c', 'd'], 3));
      expect(error).toBeInstanceOf(ChatError);
      expect(error?.code).toBe(ChatErrorCode.LIST_LIMIT_EXCEEDED);
      expect(sorted(await store.getRoomList('lobby', 'whitelist'))).toEqual(['a', 'b']);
      await store.addToRoomList('lobby', 'whitelist', ['b', 'c'], 3);
      expect(sorted(await store.getRoomList('lobby', 'whitelist'))).toEqual(['a', 'b', 'c']);
    });

    it('concurrent adds racing to the limit: the list never exceeds it; each call adds all its names or throws and adds none', async () => {
      const store = await open();
      await store.createRoom(roomState('lobby'));
      const batches = range(30).map((batch) => [`u${batch}a`, `u${batch}b`, `u${batch}c`]);
      const outcomes = await Promise.all(batches.map((names) => chatErrorOrNothing(store.addToRoomList('lobby', 'blacklist', names, 10))));
      const list = await store.getRoomList('lobby', 'blacklist');
      expect(outcomes.filter((outcome) => outcome === undefined)).toHaveLength(3);
      expect(list).toHaveLength(9);
      expect(new Set(list).size).toBe(9);
      batches.forEach((names, index) => {
        const present = names.filter((name) => list.includes(name)).length;
        if (outcomes[index] === undefined) expect(present).toBe(3);
        else {
          expect(outcomes[index]!.code).toBe(ChatErrorCode.LIST_LIMIT_EXCEEDED);
          expect(present).toBe(0);
        }
      });
    });

    it('concurrent single-name adds racing to the limit: exactly the limit is reached', async () => {
      const store = await open();
      await store.createRoom(roomState('lobby'));
      const outcomes = await Promise.all(range(25).map((index) => chatErrorOrNothing(store.addToRoomList('lobby', 'whitelist', [`u${index}`], 10))));
      expect(outcomes.filter((outcome) => outcome === undefined)).toHaveLength(10);
      expect(outcomes.filter((outcome) => outcome?.code === ChatErrorCode.LIST_LIMIT_EXCEEDED)).toHaveLength(15);
      expect(await store.getRoomList('lobby', 'whitelist')).toHaveLength(10);
    });

    it('concurrent single-name adds and removes lose no update', async () => {
      const store = await open();
      await store.createRoom(roomState('lobby'));
      const old = range(15).map((index) => `old${index}`);
      await store.addToRoomList('lobby', 'adminlist', old, 1_000);
      const added = range(15).map((index) => `new${index}`);
      await Promise.all([
        ...added.map((name) => store.addToRoomList('lobby', 'adminlist', [name], 1_000)),
        ...old.map((name) => store.removeFromRoomList('lobby', 'adminlist', [name])),
      ]);
      expect(sorted(await store.getRoomList('lobby', 'adminlist'))).toEqual(sorted(added));
    });

    it('a returned list is a copy', async () => {
      const store = await open();
      await store.createRoom(roomState('lobby'));
      await store.addToRoomList('lobby', 'whitelist', ['wes'], 10);
      await store.joinRoom('lobby', 'alice', 'a1', 1_000);
      const whitelist = await store.getRoomList('lobby', 'whitelist');
      whitelist.push('mallory');
      const userlist = await store.getRoomList('lobby', 'userlist');
      userlist.push('mallory');
      expect(await store.getRoomList('lobby', 'whitelist')).toEqual(['wes']);
      expect(await store.getRoomList('lobby', 'userlist')).toEqual(['alice']);
      expect(await store.isInRoomList('lobby', 'whitelist', 'mallory')).toBe(false);
    });
  });

  describe('chat store: membership', () => {
    it('joinRoom counts the user’s joined connections; a duplicate join changes nothing', async () => {
      const store = await open();
      await store.createRoom(roomState('lobby'));
      expect(await store.joinRoom('lobby', 'alice', 'a1', 1_000)).toEqual({ changed: true, njoined: 1 });
      expect(await store.joinRoom('lobby', 'alice', 'a2', 2_000)).toEqual({ changed: true, njoined: 2 });
      expect(await store.joinRoom('lobby', 'alice', 'a1', 3_000)).toEqual({ changed: false, njoined: 2 });
      expect(await store.joinRoom('lobby', 'bob', 'b1', 3_000)).toEqual({ changed: true, njoined: 1 });
      expect(sorted(await store.getJoinedConnections('lobby', 'alice'))).toEqual(['a1', 'a2']);
      expect(await store.getConnectionRooms('a1')).toEqual(['lobby']);
    });

    it('leaveRoom counts down; leaving when not joined changes nothing', async () => {
      const store = await open();
      await store.createRoom(roomState('lobby'));
      await store.joinRoom('lobby', 'alice', 'a1', 1_000);
      await store.joinRoom('lobby', 'alice', 'a2', 1_000);
      expect(await store.leaveRoom('lobby', 'alice', 'a3', 2_000)).toEqual({ changed: false, njoined: 2 });
      expect(await store.leaveRoom('lobby', 'alice', 'a1', 2_000)).toEqual({ changed: true, njoined: 1 });
      expect(await store.leaveRoom('lobby', 'alice', 'a1', 2_000)).toEqual({ changed: false, njoined: 1 });
      expect(await store.getConnectionRooms('a1')).toEqual([]);
      expect(await store.leaveRoom('lobby', 'alice', 'a2', 2_000)).toEqual({ changed: true, njoined: 0 });
      expect(await store.leaveRoom('lobby', 'bob', 'b1', 2_000)).toEqual({ changed: false, njoined: 0 });
      expect(await store.getJoinedConnections('lobby', 'alice')).toEqual([]);
    });

    it('getConnectionRooms lists every room of a connection, as a copy', async () => {
      const store = await open();
      await store.createRoom(roomState('r1'));
      await store.createRoom(roomState('r2'));
      await store.joinRoom('r1', 'alice', 'a1', 1_000);
      await store.joinRoom('r2', 'alice', 'a1', 1_000);
      const rooms = await store.getConnectionRooms('a1');
      expect(sorted(rooms)).toEqual(['r1', 'r2']);
      rooms.length = 0;
      const joined = await store.getJoinedConnections('r1', 'alice');
      joined.push('forged');
      expect(sorted(await store.getConnectionRooms('a1'))).toEqual(['r1', 'r2']);
      expect(await store.getJoinedConnections('r1', 'alice')).toEqual(['a1']);
      expect(await store.getConnectionRooms('never')).toEqual([]);
    });

    it('getUserSeen: null before any join; the first join and the last leave set the time', async () => {
      const store = await open();
      await store.createRoom(roomState('lobby'));
      expect(await store.getUserSeen('lobby', 'alice')).toEqual({ joined: false, timestamp: null });
      await store.joinRoom('lobby', 'alice', 'a1', 1_000);
      expect(await store.getUserSeen('lobby', 'alice')).toEqual({ joined: true, timestamp: 1_000 });
      // Neither a second connection joining nor a non-last one leaving is a join or leave of the user.
      await store.joinRoom('lobby', 'alice', 'a2', 2_000);
      await store.leaveRoom('lobby', 'alice', 'a1', 3_000);
      expect(await store.getUserSeen('lobby', 'alice')).toEqual({ joined: true, timestamp: 1_000 });
      await store.leaveRoom('lobby', 'alice', 'a2', 4_000);
      expect(await store.getUserSeen('lobby', 'alice')).toEqual({ joined: false, timestamp: 4_000 });
      await store.joinRoom('lobby', 'alice', 'a3', 5_000);
      expect(await store.getUserSeen('lobby', 'alice')).toEqual({ joined: true, timestamp: 5_000 });
    });

    it('removeUserFromRoom removes every connection of the user, returns their ids and records the time', async () => {
      const store = await open();
      await store.createRoom(roomState('lobby'));
      await store.createRoom(roomState('other'));
      await store.joinRoom('lobby', 'alice', 'a1', 1_000);
      await store.joinRoom('lobby', 'alice', 'a2', 1_000);
      await store.joinRoom('other', 'alice', 'a1', 1_000);
      await store.joinRoom('lobby', 'bob', 'b1', 1_000);
      expect(sorted(await store.removeUserFromRoom('lobby', 'alice', 7_000))).toEqual(['a1', 'a2']);
      expect(await store.getJoinedConnections('lobby', 'alice')).toEqual([]);
      expect(await store.getRoomList('lobby', 'userlist')).toEqual(['bob']);
      expect(await store.getConnectionRooms('a1')).toEqual(['other']);
      expect(await store.getConnectionRooms('a2')).toEqual([]);
      expect(await store.getUserSeen('lobby', 'alice')).toEqual({ joined: false, timestamp: 7_000 });
      expect(await store.removeUserFromRoom('lobby', 'alice', 8_000)).toEqual([]);
      // A user never joined is not "seen" by the removal.
      expect(await store.removeUserFromRoom('lobby', 'carol', 8_000)).toEqual([]);
      expect(await store.getUserSeen('lobby', 'carol')).toEqual({ joined: false, timestamp: null });
    });

    it('concurrent joins of N connections of one user: njoined is exactly 1 … N, and one call saw 1', async () => {
      const store = await open();
      await store.createRoom(roomState('lobby'));
      const n = 25;
      const changes = await Promise.all(range(n).map((index) => store.joinRoom('lobby', 'alice', `a${index}`, 1_000)));
      expect(changes.every((change) => change.changed)).toBe(true);
      expect(changes.map((change) => change.njoined).sort((a, b) => a - b)).toEqual(range(n));
      expect(changes.filter((change) => change.njoined === 1)).toHaveLength(1);
      expect(await store.getJoinedConnections('lobby', 'alice')).toHaveLength(n);
    });

    it('concurrent duplicate joins of one connection: exactly one changes anything', async () => {
      const store = await open();
      await store.createRoom(roomState('lobby'));
      const changes = await Promise.all(range(10).map(() => store.joinRoom('lobby', 'alice', 'a1', 1_000)));
      expect(changes.filter((change) => change.changed)).toHaveLength(1);
      expect(changes.map((change) => change.njoined)).toEqual(changes.map(() => 1));
      expect(await store.getJoinedConnections('lobby', 'alice')).toEqual(['a1']);
    });

    it('concurrent leaves of N connections: njoined is exactly 0 … N-1, and one call saw 0', async () => {
      const store = await open();
      await store.createRoom(roomState('lobby'));
      const n = 25;
      for (const index of range(n)) await store.joinRoom('lobby', 'alice', `a${index}`, 1_000);
      const changes = await Promise.all(range(n).map((index) => store.leaveRoom('lobby', 'alice', `a${index}`, 2_000)));
      expect(changes.every((change) => change.changed)).toBe(true);
      expect(changes.map((change) => change.njoined).sort((a, b) => a - b)).toEqual(range(n, 0));
      expect(changes.filter((change) => change.njoined === 0)).toHaveLength(1);
      expect(await store.getUserSeen('lobby', 'alice')).toEqual({ joined: false, timestamp: 2_000 });
    });

    it('concurrent joins and leaves of different connections keep an exact count', async () => {
      const store = await open();
      await store.createRoom(roomState('lobby'));
      for (const index of range(10)) await store.joinRoom('lobby', 'alice', `old${index}`, 1_000);
      await Promise.all([
        ...range(10).map((index) => store.leaveRoom('lobby', 'alice', `old${index}`, 2_000)),
        ...range(15).map((index) => store.joinRoom('lobby', 'alice', `new${index}`, 2_000)),
      ]);
      expect(sorted(await store.getJoinedConnections('lobby', 'alice'))).toEqual(sorted(range(15).map((index) => `new${index}`)));
      expect(await store.getConnectionRooms('old1')).toEqual([]);
      expect(await store.getConnectionRooms('new1')).toEqual(['lobby']);
    });
  });

  describe('chat store: history', () => {
    it('addMessage gives sequential ids from 1, replacing any id the message had, and advances lastMessageId', async () => {
      const store = await open();
      await store.createRoom(roomState('lobby'));
      const first = await store.addMessage('lobby', { ...message('one'), id: 99 });
      expect(first).toEqual({ textMessage: 'one', author: 'alice', timestamp: 1_000, id: 1 });
      expect((await store.addMessage('lobby', message('two')))?.id).toBe(2);
      expect((await store.getRoom('lobby'))?.lastMessageId).toBe(2);
      expect(await store.getHistorySize('lobby')).toBe(2);
    });

    it('ids continue from the lastMessageId the room was created with', async () => {
      const store = await open();
      await store.createRoom(roomState('lobby', { lastMessageId: 41 }));
      expect((await store.addMessage('lobby', message('next')))?.id).toBe(42);
    });

    it('getRecentHistory returns the newest messages, newest first, as copies', async () => {
      const store = await withMessages('lobby', 5);
      expect(ids(await readRecent(store, 'lobby', 3))).toEqual([5, 4, 3]);
      expect(ids(await readRecent(store, 'lobby', 100))).toEqual([5, 4, 3, 2, 1]);
      expect(await readRecent(store, 'lobby', 0)).toEqual([]);
      const recent = await readRecent(store, 'lobby', 1);
      expect(recent).toEqual([{ textMessage: 'm5', author: 'alice', timestamp: 5, id: 5 }]);
      recent[0]!.textMessage = 'forged';
      recent.push(message('extra'));
      expect(await readRecent(store, 'lobby', 2)).toEqual([
        { textMessage: 'm5', author: 'alice', timestamp: 5, id: 5 },
        { textMessage: 'm4', author: 'alice', timestamp: 4, id: 4 },
      ]);
    });

    it('the stored message is a copy of what was added and of what addMessage returned', async () => {
      const store = await open();
      await store.createRoom(roomState('lobby'));
      const sent = { ...message('hi'), extra: { list: [1] } };
      const stored = (await store.addMessage('lobby', sent))!;
      sent.textMessage = 'changed';
      sent.extra.list.push(2);
      stored.author = 'mallory';
      expect(await readRecent(store, 'lobby', 1)).toEqual([{ textMessage: 'hi', author: 'alice', timestamp: 1_000, extra: { list: [1] }, id: 1 }]);
    });

    it('getHistory windows: 3 messages, limit 2 → 0:[2,1], 1:[3,2], 2:[3], 3:[]', async () => {
      const store = await withMessages('lobby', 3);
      expect(ids(await history(store, 'lobby', 0, 2))).toEqual([2, 1]);
      expect(ids(await history(store, 'lobby', 1, 2))).toEqual([3, 2]);
      expect(ids(await history(store, 'lobby', 2, 2))).toEqual([3]);
      expect(await history(store, 'lobby', 3, 2)).toEqual([]);
      expect(await history(store, 'lobby', 10, 2)).toEqual([]);
      expect(await history(store, 'lobby', 0, 0)).toEqual([]);
      expect(ids(await history(store, 'lobby', 0, 10))).toEqual([3, 2, 1]);
      expect((await history(store, 'lobby', 1, 1))[0]).toEqual({ textMessage: 'm2', author: 'alice', timestamp: 2, id: 2 });
    });

    it('getHistory starts at the oldest retained message when afterId predates it (retained 2,3: 0 → [3,2])', async () => {
      const store = await withMessages('lobby', 3, 2);
      expect(ids(await history(store, 'lobby', 0, 2))).toEqual([3, 2]);
      expect(ids(await history(store, 'lobby', 0, 1))).toEqual([2]);
      expect(ids(await history(store, 'lobby', 1, 2))).toEqual([3, 2]);
      expect(ids(await history(store, 'lobby', 2, 2))).toEqual([3]);
      expect(await history(store, 'lobby', 3, 2)).toEqual([]);
    });

    it('getHistory returns copies', async () => {
      const store = await withMessages('lobby', 2);
      const window = await history(store, 'lobby', 0, 2);
      window[0]!.textMessage = 'forged';
      expect((await history(store, 'lobby', 0, 2))[0]!.textMessage).toBe('m2');
    });

    it('history keeps only the newest historyMaxSize messages', async () => {
      const store = await withMessages('lobby', 7, 3);
      expect(await store.getHistorySize('lobby')).toBe(3);
      expect(ids(await readRecent(store, 'lobby', 10))).toEqual([7, 6, 5]);
      expect((await store.getRoom('lobby'))?.lastMessageId).toBe(7);
    });

    it('setHistoryMaxSize trims the oldest messages; growing it again restores nothing', async () => {
      const store = await withMessages('lobby', 5);
      expect(await store.setHistoryMaxSize('lobby', 2)).toBe(true);
      expect((await store.getRoom('lobby'))?.historyMaxSize).toBe(2);
      expect(await store.getHistorySize('lobby')).toBe(2);
      expect(ids(await readRecent(store, 'lobby', 10))).toEqual([5, 4]);
      expect(await store.setHistoryMaxSize('lobby', 10)).toBe(true);
      expect(ids(await readRecent(store, 'lobby', 10))).toEqual([5, 4]);
      expect((await store.addMessage('lobby', message('m6')))?.id).toBe(6);
      expect(ids(await readRecent(store, 'lobby', 10))).toEqual([6, 5, 4]);
    });

    it('historyMaxSize 0 stores nothing, but ids still advance', async () => {
      const store = await open();
      await store.createRoom(roomState('lobby', { historyMaxSize: 0 }));
      expect((await store.addMessage('lobby', message('one')))?.id).toBe(1);
      expect((await store.addMessage('lobby', message('two')))?.id).toBe(2);
      expect(await store.getHistorySize('lobby')).toBe(0);
      expect(await readRecent(store, 'lobby', 10)).toEqual([]);
      expect(await history(store, 'lobby', 0, 10)).toEqual([]);
      expect((await store.getRoom('lobby'))?.lastMessageId).toBe(2);
    });

    it('setHistoryMaxSize 0 empties the history', async () => {
      const store = await withMessages('lobby', 3);
      expect(await store.setHistoryMaxSize('lobby', 0)).toBe(true);
      expect(await store.getHistorySize('lobby')).toBe(0);
      expect((await store.addMessage('lobby', message('m4')))?.id).toBe(4);
      expect(await store.getHistorySize('lobby')).toBe(0);
    });

    it('50 concurrent addMessage calls get ids exactly 1 … 50, and history is trimmed to historyMaxSize', async () => {
      const store = await open();
      await store.createRoom(roomState('lobby', { historyMaxSize: 20 }));
      const added = await Promise.all(range(50).map((index) => store.addMessage('lobby', message(`m${index}`, index))));
      expect(added.map((entry) => entry!.id!).sort((a, b) => a - b)).toEqual(range(50));
      expect(await store.getHistorySize('lobby')).toBe(20);
      const recent = await readRecent(store, 'lobby', 100);
      expect(ids(recent)).toEqual(range(20, 31).reverse());
      // Each retained id holds the message that call was given.
      for (const entry of recent) expect(entry).toEqual(added.find((candidate) => candidate!.id === entry.id));
      expect((await store.getRoom('lobby'))?.lastMessageId).toBe(50);
    });

    it('concurrent addMessage in two rooms: each room counts on its own', async () => {
      const store = await open();
      await store.createRoom(roomState('r1'));
      await store.createRoom(roomState('r2'));
      const added = await Promise.all(range(40).map((index) => store.addMessage(index % 2 === 0 ? 'r1' : 'r2', message(`m${index}`))));
      for (const roomName of ['r1', 'r2']) {
        const own = added.filter((_, index) => (index % 2 === 0 ? 'r1' : 'r2') === roomName);
        expect(own.map((entry) => entry!.id!).sort((a, b) => a - b)).toEqual(range(20));
        expect(await store.getHistorySize(roomName)).toBe(20);
      }
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
