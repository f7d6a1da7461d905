/**
 * The limits that keep one member from taking the server down (issue 11): history bounded in
 * bytes, history reads sized before they are built and bounded by what the connection may buffer,
 * paged `roomList` from an index, and the rooms one user may own.
 */
import { ChatError, ChatErrorCode, type ChatStore, type ProcessedMessage, type RoomState } from '@volley/chat';
import { describe, expect, it } from 'vitest';
import { chatErrorOf, onCleanup, roomState as plainRoomState, sorted, startChat, type StoreFactory } from '../helpers.js';

/** A room's settings, visible unless told otherwise. */
function roomState(name: string, changes: Partial<RoomState> = {}): RoomState {
  return plainRoomState(name, { visible: true, ...changes });
}

/** A message whose JSON is `bytes` long (ASCII), once the store has given it its id. */
function sized(bytes: number, id: number): ProcessedMessage {
  const base = JSON.stringify({ textMessage: '', author: 'alice', timestamp: 1, id });
  return { textMessage: 'x'.repeat(bytes - base.length), author: 'alice', timestamp: 1 };
}

function ids(messages: ProcessedMessage[]): (number | undefined)[] {
  return messages.map((entry) => entry.id);
}

async function storeError(promise: Promise<unknown>): Promise<ChatError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ChatError);
    return error as ChatError;
  }
  throw new Error('Expected a ChatError, but the promise resolved');
}

export default function limitsContract(createStore: StoreFactory): void {
  async function open(): Promise<ChatStore> {
    const store = await createStore();
    onCleanup(() => store.close());
    return store;
  }

  describe('chat store: history bounded in bytes', () => {
    it('addMessage drops the oldest messages past maxBytes, as past historyMaxSize', async () => {
      const store = await open();
      await store.createRoom(roomState('lobby'));
      for (let id = 1; id <= 10; id++) await store.addMessage('lobby', sized(100, id), 350);
      expect(await store.getHistorySize('lobby')).toBe(3);
      expect(ids((await store.getRecentHistory('lobby', 100, Infinity)).messages)).toEqual([10, 9, 8]);
    });

    it('a message larger than maxBytes on its own is not kept, and its id still advances', async () => {
      const store = await open();
      await store.createRoom(roomState('lobby'));
      await store.addMessage('lobby', sized(100, 1), 500);
      expect((await store.addMessage('lobby', sized(600, 2), 500))?.id).toBe(2);
      expect(await store.getHistorySize('lobby')).toBe(0);
      expect((await store.addMessage('lobby', sized(100, 3), 500))?.id).toBe(3);
      expect(await store.getHistorySize('lobby')).toBe(1);
    });

    it('getRecentHistory returns the newest messages that fit in maxBytes, and their bytes', async () => {
      const store = await open();
      await store.createRoom(roomState('lobby'));
      for (let id = 1; id <= 5; id++) await store.addMessage('lobby', sized(100, id));
      const page = await store.getRecentHistory('lobby', 100, 250);
      expect(ids(page.messages)).toEqual([5, 4]);
      expect(page.bytes).toBe(200);
      expect((await store.getRecentHistory('lobby', 1, 250)).bytes).toBe(100);
      expect(await store.getRecentHistory('lobby', 100, 99).catch((error: ChatError) => [error.code, error.args])).toEqual([
        ChatErrorCode.ANSWER_TOO_LARGE,
        ['lobby'],
      ]);
      // An empty history fits any budget.
      await store.createRoom(roomState('empty'));
      expect(await store.getRecentHistory('empty', 100, 0)).toEqual({ messages: [], bytes: 0 });
    });

    it('getHistory returns, from the oldest asked for, the messages that fit in maxBytes (newest first)', async () => {
      const store = await open();
      await store.createRoom(roomState('lobby'));
      for (let id = 1; id <= 5; id++) await store.addMessage('lobby', sized(100, id));
      const page = await store.getHistory('lobby', 1, 10, 300);
      expect(ids(page.messages)).toEqual([4, 3, 2]);
      expect(page.bytes).toBe(300);
      const error = await storeError(store.getHistory('lobby', 0, 10, 50));
      expect([error.code, error.args]).toEqual([ChatErrorCode.ANSWER_TOO_LARGE, ['lobby']]);
      expect(await store.getHistory('lobby', 5, 10, 0)).toEqual({ messages: [], bytes: 0 });
    });

    it('what a read returns is a copy: changing it changes nothing stored', async () => {
      const store = await open();
      await store.createRoom(roomState('lobby'));
      await store.addMessage('lobby', { textMessage: 'hi', author: 'alice', timestamp: 1, extra: { list: [1] } });
      const [read] = (await store.getRecentHistory('lobby', 1, Infinity)).messages;
      (read!.extra as { list: number[] }).list.push(2);
      read!.textMessage = 'changed';
      expect((await store.getHistory('lobby', 0, 1, Infinity)).messages).toEqual([{ textMessage: 'hi', author: 'alice', timestamp: 1, extra: { list: [1] }, id: 1 }]);
    });
  });

  describe('chat store: paged room listing', () => {
    const names = (rooms: { name: string }[]): string[] => rooms.map((room) => room.name);

    it('pages in name order after a name, at most limit; no viewer sees every room', async () => {
      const store = await open();
      for (const name of ['d', 'b', 'e', 'a', 'c']) await store.createRoom(roomState(name, { visible: name !== 'c' }));
      expect(names(await store.listRooms(undefined, undefined, 2))).toEqual(['a', 'b']);
      expect(names(await store.listRooms(undefined, 'b', 2))).toEqual(['c', 'd']);
      expect(names(await store.listRooms(undefined, 'd', 2))).toEqual(['e']);
      expect(names(await store.listRooms(undefined, 'bb', 10))).toEqual(['c', 'd', 'e']);
      expect(await store.listRooms(undefined, 'e', 10)).toEqual([]);
      expect(await store.listRooms(undefined, undefined, 1)).toEqual([{ name: 'a', owner: 'owner', members: 0, visible: true }]);
    });

    it('a viewer sees the visible rooms and the hidden ones it is joined to or admin-level in, merged in order', async () => {
      const store = await open();
      await store.createRoom(roomState('a-open'));
      await store.createRoom(roomState('b-joined', { visible: false }));
      await store.createRoom(roomState('c-admin', { visible: false }));
      await store.createRoom(roomState('d-owned', { visible: false, owner: 'ann' }));
      await store.createRoom(roomState('e-token', { visible: false }));
      await store.createRoom(roomState('f-other', { visible: false }));
      await store.createRoom(roomState('g-open'));
      await store.joinRoom('b-joined', 'ann', 'c1', 1);
      await store.addToRoomList('c-admin', 'adminlist', ['ann'], 10);
      await store.addToRoomList('e-token', 'tokenholders', ['ann'], 10);
      const all = ['a-open', 'b-joined', 'c-admin', 'd-owned', 'e-token', 'g-open'];
      expect(names(await store.listRooms('ann', undefined, 100))).toEqual(all);
      expect(names(await store.listRooms('ann', undefined, 3))).toEqual(all.slice(0, 3));
      expect(names(await store.listRooms('ann', 'c-admin', 3))).toEqual(all.slice(3, 6));
      expect(names(await store.listRooms('bob', undefined, 100))).toEqual(['a-open', 'g-open']);
      expect((await store.listRooms('ann', 'a-open', 1))[0]).toEqual({ name: 'b-joined', owner: 'owner', members: 1, visible: false });

      // Losing the relation hides the room again; a blacklisted token holder is not admin-level.
      await store.leaveRoom('b-joined', 'ann', 'c1', 2);
      await store.removeFromRoomList('c-admin', 'adminlist', ['ann']);
      await store.addToRoomList('e-token', 'blacklist', ['ann'], 10);
      await store.updateRoom('d-owned', { owner: 'bob' });
      expect(names(await store.listRooms('ann', undefined, 100))).toEqual(['a-open', 'g-open']);
      expect(names(await store.listRooms('bob', undefined, 100))).toEqual(['a-open', 'd-owned', 'g-open']);
      // Visibility changes and deletions reach the index.
      await store.updateRoom('f-other', { visible: true });
      await store.deleteRoom('g-open');
      expect(names(await store.listRooms('ann', undefined, 100))).toEqual(['a-open', 'f-other']);
    });

    it('createRoom with maxOwned refuses a room past the owner\'s count with roomsLimitExceeded; deleting frees a place', async () => {
      const store = await open();
      expect(await store.createRoom(roomState('r1', { owner: 'ann' }), 2)).toBe(true);
      expect(await store.createRoom(roomState('r2', { owner: 'ann' }), 2)).toBe(true);
      const error = await storeError(store.createRoom(roomState('r3', { owner: 'ann' }), 2));
      expect([error.code, error.args]).toEqual([ChatErrorCode.ROOMS_LIMIT_EXCEEDED, ['ann']]);
      expect(await store.getRoom('r3')).toBeUndefined();
      // An existing name is still just false, and other owners have their own count.
      expect(await store.createRoom(roomState('r1', { owner: 'ann' }), 2)).toBe(false);
      expect(await store.createRoom(roomState('b1', { owner: 'bob' }), 2)).toBe(true);
      await store.deleteRoom('r1');
      expect(await store.createRoom(roomState('r3', { owner: 'ann' }), 2)).toBe(true);
      await store.updateRoom('r2', { owner: 'bob' });
      expect(await store.createRoom(roomState('r4', { owner: 'ann' }), 2)).toBe(true);
    });
  });

  describe('chat limits over the wire', () => {
    it('room access lists read in one go stay within what the connection may buffer: each fits or is answerTooLarge', async () => {
      const maxBufferedAmount = 64 * 1024;
      const harness = await startChat(createStore, { serverOptions: { maxPayload: 32 * 1024, maxBufferedAmount } });
      // 300 names of 100 bytes: one list of about 31 KB, so two fit in the connection's 64 KiB, not twenty.
      const names = Array.from({ length: 300 }, (_, index) => `user${String(index).padStart(3, '0')}${'n'.repeat(93)}`);
      await harness.chat.addRoom('lobby', { owner: 'mallory', whitelist: names });
      const mallory = await harness.login('mallory');
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => mallory.chat.roomGetAccessList('lobby', 'whitelist').then((list) => list, (error: ChatError) => error)),
      );
      const lists = answers.filter((answer): answer is string[] => Array.isArray(answer));
      const refused = answers.filter((answer): answer is ChatError => answer instanceof ChatError);
      expect(lists.length).toBeGreaterThan(0);
      expect(refused.length).toBeGreaterThan(0);
      for (const list of lists) expect(sorted(list)).toEqual(names);
      for (const error of refused) expect([error.code, error.args]).toEqual([ChatErrorCode.ANSWER_TOO_LARGE, ['lobby']]);
      // Once the answers are out, the list is read again.
      expect(sorted(await mallory.chat.roomGetAccessList('lobby', 'whitelist'))).toEqual(names);
    });

    it('one member cannot make history reads outgrow what its connection may buffer, whatever it posts', async () => {
      const maxBufferedAmount = 64 * 1024;
      const harness = await startChat(createStore, {
        historyMaxBytes: 256 * 1024,
        serverOptions: { maxPayload: 32 * 1024, maxBufferedAmount },
      });
      await harness.chat.addRoom('lobby');
      const mallory = await harness.login('mallory');
      const alice = await harness.login('alice');
      await mallory.chat.roomJoin('lobby');
      await alice.chat.roomJoin('lobby');
      const text = 'x'.repeat(20 * 1024);
      for (let index = 0; index < 30; index++) await mallory.chat.roomMessage('lobby', { textMessage: text });

      // The room keeps what historyMaxBytes allows, not historyMaxSize's 10 000.
      const info = await alice.chat.roomHistoryInfo('lobby');
      expect(info.lastMessageId).toBe(30);
      expect(info.historySize).toBeLessThanOrEqual(12);

      // Twenty reads in one go: each answer is either a page that fits the connection's budget
      // or answerTooLarge, refused before it was built.
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => mallory.chat.roomRecentHistory('lobby').then((messages) => messages, (error: ChatError) => error)),
      );
      for (const answer of answers) {
        if (answer instanceof ChatError) expect([answer.code, answer.args]).toEqual([ChatErrorCode.ANSWER_TOO_LARGE, ['lobby']]);
        else expect(JSON.stringify(answer).length).toBeLessThanOrEqual(maxBufferedAmount);
      }
      expect(answers.some((answer) => Array.isArray(answer) && answer.length > 0)).toBe(true);

      // A page shorter than asked: the client pages back with roomHistoryGet.
      const recent = (await alice.chat.roomRecentHistory('lobby')) as ProcessedMessage[];
      expect(recent.length).toBeGreaterThan(0);
      expect(recent.length).toBeLessThan(info.historySize);
      const older = await alice.chat.roomHistoryGet('lobby', info.lastMessageId - info.historySize, 100);
      expect(older.length).toBeGreaterThan(0);
      expect(await alice.chat.roomMessage('lobby', { textMessage: 'still here' })).toBe(31);
      expect(harness.errors).toEqual([]);
    });

    it('roomList pages: 100 by default in name order, `after` continues, `limit` up to 1000', async () => {
      const harness = await startChat(createStore);
      const all = Array.from({ length: 230 }, (_, index) => `room-${String(index).padStart(3, '0')}`);
      for (const name of [...all].reverse()) await harness.chat.addRoom(name, { visible: true });
      await harness.chat.addRoom('hidden', { visible: false });
      const alice = await harness.login('alice');
      const listed: string[] = [];
      let page = await alice.chat.roomList();
      expect(page).toHaveLength(100);
      while (page.length > 0) {
        listed.push(...page.map((room) => room.name));
        page = await alice.chat.roomList(listed.at(-1), 100);
      }
      expect(listed).toEqual(all);
      expect((await alice.chat.roomList(undefined, 1000)).map((room) => room.name)).toEqual(all);
      const error = await chatErrorOf(alice.chat.roomList(undefined, 1001));
      expect(error.code).toBe(ChatErrorCode.BAD_ARGUMENT);
    });

    it('roomCreate is refused past maxRoomsPerUser with roomsLimitExceeded; deleting one frees a place; the server API does not count', async () => {
      const harness = await startChat(createStore, { enableRoomsManagement: true, maxRoomsPerUser: 2 });
      const alice = await harness.login('alice');
      await alice.chat.roomCreate('a1', false);
      await alice.chat.roomCreate('a2', false);
      const error = await chatErrorOf(alice.chat.roomCreate('a3', false));
      expect([error.code, error.args]).toEqual([ChatErrorCode.ROOMS_LIMIT_EXCEEDED, ['alice']]);
      expect(await harness.chat.hasRoom('a3')).toBe(false);
      await alice.chat.roomDelete('a1');
      await alice.chat.roomCreate('a3', false);
      await harness.chat.addRoom('a4', { owner: 'alice' });
      await harness.chat.execUserCommand({ userName: 'alice', bypassPermissions: true }, 'roomCreate', 'a5', false);
      expect(await harness.chat.hasRoom('a5')).toBe(true);
    });
  });
}
