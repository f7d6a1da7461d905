/**
 * The `ChatStore` seam's own contract (see the comment of `src/chat-store.ts`), checked by calling
 * the store directly, without sockets. The atomicity tests fire many calls at once with
 * `Promise.all`: a store that reads, computes and writes in separate steps (a naive Redis store)
 * interleaves them and breaks the invariants checked here; one that is atomic cannot.
 *
 * Stores need not keep insertion order in sets, so lists are compared sorted.
 */
import { ChatError, ChatErrorCode } from '@volley/chat';
import { describe, expect, it } from 'vitest';
import { roomState, sorted, type StoreFactory } from '../helpers.js';
import { chatErrorOrNothing, ids, message, range, storeKit } from './store-kit.js';

// Room lists, membership and history; the rest of the store contract is in store.contract.ts.
export default function storeRoomsContract(createStore: StoreFactory): void {
  const { open, withMessages, readRecent, history } = storeKit(createStore);

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
}
