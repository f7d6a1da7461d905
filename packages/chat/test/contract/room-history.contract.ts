import { ChatErrorCode, type ProcessedMessage } from '@volley/chat';
import { describe, expect, it } from 'vitest';
import { chatErrorOf, type StoreFactory, startChat } from '../helpers.js';
import { ids, pick, send } from './history.contract.js';

// History reads (CHAT.md's examples, sizes, paging, bad arguments); sending messages is in history.contract.ts.
export default function roomHistoryContract(createStore: StoreFactory): void {
  describe('chat history', () => {
    it('history example of CHAT.md: 3 messages, historyMaxGetMessages 2', async () => {
      const harness = await startChat(createStore, { historyMaxGetMessages: 2 });
      await harness.chat.addRoom('r');
      const alice = await harness.login('alice');
      await alice.chat.roomJoin('r');
      const delivered = await send(alice, 'r', 3);
      expect(await alice.chat.roomHistoryGet('r', 0, 2)).toEqual(pick(delivered, [2, 1]));
      expect(await alice.chat.roomHistoryGet('r', 1, 2)).toEqual(pick(delivered, [3, 2]));
      expect(await alice.chat.roomHistoryGet('r', 2, 2)).toEqual(pick(delivered, [3]));
      expect(await alice.chat.roomHistoryGet('r', 3, 2)).toEqual([]);
      expect(await alice.chat.roomHistoryGet('r', 4, 2)).toEqual([]);
      expect(await alice.chat.roomHistoryGet('r', 1000, 2)).toEqual([]);
      expect(await alice.chat.roomHistoryGet('r', 0, 1)).toEqual(pick(delivered, [1]));
      expect(await alice.chat.roomHistoryGet('r', 1, 1)).toEqual(pick(delivered, [2]));
      expect(await alice.chat.roomHistoryGet('r', 0, 0)).toEqual([]);
      expect(await alice.chat.roomRecentHistory('r')).toEqual(pick(delivered, [3, 2]));
    });

    it('history example of CHAT.md: with only ids 2 and 3 retained, get(0) starts at the oldest retained message', async () => {
      const harness = await startChat(createStore, { historyMaxGetMessages: 2 });
      await harness.chat.addRoom('r', { historyMaxSize: 2 });
      const alice = await harness.login('alice');
      await alice.chat.roomJoin('r');
      const delivered = await send(alice, 'r', 3);
      expect(await alice.chat.roomHistoryGet('r', 0, 2)).toEqual(pick(delivered, [3, 2]));
      expect(await alice.chat.roomHistoryGet('r', 1, 2)).toEqual(pick(delivered, [3, 2]));
      expect(await alice.chat.roomHistoryGet('r', 2, 2)).toEqual(pick(delivered, [3]));
      expect(await alice.chat.roomHistoryGet('r', 3, 2)).toEqual([]);
      expect(await alice.chat.roomHistoryGet('r', 0, 1)).toEqual(pick(delivered, [2]));
      expect(await alice.chat.roomHistoryInfo('r')).toEqual({ historyMaxGetMessages: 2, historyMaxSize: 2, historySize: 2, lastMessageId: 3 });
    });

    it('historyMaxSize 0 stores nothing, yet ids advance and messages are still delivered', async () => {
      const harness = await startChat(createStore);
      await harness.chat.addRoom('r', { historyMaxSize: 0 });
      const alice = await harness.login('alice');
      const bob = await harness.login('bob');
      await alice.chat.roomJoin('r');
      await bob.chat.roomJoin('r');
      const delivered = await send(alice, 'r', 3);
      expect([...delivered.keys()]).toEqual([1, 2, 3]);
      const received: ProcessedMessage[] = [];
      for (let index = 0; index < 3; index++) received.push((await bob.inbox.next('roomMessage'))[1]);
      expect(ids(received)).toEqual([1, 2, 3]);
      expect(await alice.chat.roomRecentHistory('r')).toEqual([]);
      expect(await alice.chat.roomHistoryGet('r', 0, 10)).toEqual([]);
      expect(await alice.chat.roomHistoryInfo('r')).toEqual({ historyMaxGetMessages: 100, historyMaxSize: 0, historySize: 0, lastMessageId: 3 });
      expect(await alice.chat.roomMessage('r', { textMessage: 'four' })).toBe(4);
    });

    it('historyMaxSize 1 and 2 keep exactly the newest 1 and 2 messages', async () => {
      const harness = await startChat(createStore);
      await harness.chat.addRoom('one', { historyMaxSize: 1 });
      await harness.chat.addRoom('two', { historyMaxSize: 2 });
      const alice = await harness.login('alice');
      await alice.chat.roomJoin('one');
      await alice.chat.roomJoin('two');
      const one = await send(alice, 'one', 3);
      const two = await send(alice, 'two', 3);
      expect(await alice.chat.roomRecentHistory('one')).toEqual(pick(one, [3]));
      expect(await alice.chat.roomHistoryGet('one', 0, 10)).toEqual(pick(one, [3]));
      expect(await alice.chat.roomHistoryInfo('one')).toEqual({ historyMaxGetMessages: 100, historyMaxSize: 1, historySize: 1, lastMessageId: 3 });
      expect(await alice.chat.roomRecentHistory('two')).toEqual(pick(two, [3, 2]));
      expect(await alice.chat.roomHistoryGet('two', 0, 10)).toEqual(pick(two, [3, 2]));
      expect(await alice.chat.roomHistoryInfo('two')).toEqual({ historyMaxGetMessages: 100, historyMaxSize: 2, historySize: 2, lastMessageId: 3 });
      await send(alice, 'one', 1, one);
      expect(await alice.chat.roomRecentHistory('one')).toEqual(pick(one, [4]));
    });

    it('roomRecentHistory gives the newest messages first, at most historyMaxGetMessages', async () => {
      const capped = await startChat(createStore, { historyMaxGetMessages: 3 });
      await capped.chat.addRoom('r');
      const alice = await capped.login('alice');
      await alice.chat.roomJoin('r');
      expect(await alice.chat.roomRecentHistory('r')).toEqual([]);
      const delivered = await send(alice, 'r', 2);
      expect(await alice.chat.roomRecentHistory('r')).toEqual(pick(delivered, [2, 1]));
      await send(alice, 'r', 3, delivered);
      expect(await alice.chat.roomRecentHistory('r')).toEqual(pick(delivered, [5, 4, 3]));

      const uncapped = await startChat(createStore);
      await uncapped.chat.addRoom('r');
      const bob = await uncapped.login('bob');
      await bob.chat.roomJoin('r');
      const all = await send(bob, 'r', 5);
      expect(await bob.chat.roomRecentHistory('r')).toEqual(pick(all, [5, 4, 3, 2, 1]));
    });

    it('roomHistoryInfo reports historyMaxGetMessages, historyMaxSize, historySize and lastMessageId', async () => {
      const defaults = await startChat(createStore);
      await defaults.chat.addRoom('r');
      const alice = await defaults.login('alice');
      await alice.chat.roomJoin('r');
      expect(await alice.chat.roomHistoryInfo('r')).toEqual({ historyMaxGetMessages: 100, historyMaxSize: 10_000, historySize: 0, lastMessageId: 0 });
      await send(alice, 'r', 2);
      expect(await alice.chat.roomHistoryInfo('r')).toEqual({ historyMaxGetMessages: 100, historyMaxSize: 10_000, historySize: 2, lastMessageId: 2 });

      const configured = await startChat(createStore, { historyMaxGetMessages: 7, historyMaxSize: 50 });
      await configured.chat.addRoom('default');
      await configured.chat.addRoom('own', { historyMaxSize: 3 });
      const bob = await configured.login('bob');
      await bob.chat.roomJoin('default');
      await bob.chat.roomJoin('own');
      expect(await bob.chat.roomHistoryInfo('default')).toEqual({ historyMaxGetMessages: 7, historyMaxSize: 50, historySize: 0, lastMessageId: 0 });
      await send(bob, 'own', 4);
      expect(await bob.chat.roomHistoryInfo('own')).toEqual({ historyMaxGetMessages: 7, historyMaxSize: 3, historySize: 3, lastMessageId: 4 });
    });

    it('shrinking historyMaxSize trims the oldest messages; growing it keeps what is left', async () => {
      const harness = await startChat(createStore);
      await harness.chat.addRoom('r');
      const alice = await harness.login('alice');
      await alice.chat.roomJoin('r');
      const delivered = await send(alice, 'r', 5);
      await harness.chat.changeRoomHistoryMaxSize('r', 2);
      expect(await alice.chat.roomHistoryInfo('r')).toEqual({ historyMaxGetMessages: 100, historyMaxSize: 2, historySize: 2, lastMessageId: 5 });
      expect(await alice.chat.roomRecentHistory('r')).toEqual(pick(delivered, [5, 4]));
      expect(await alice.chat.roomHistoryGet('r', 0, 10)).toEqual(pick(delivered, [5, 4]));
      await send(alice, 'r', 1, delivered);
      expect(await alice.chat.roomRecentHistory('r')).toEqual(pick(delivered, [6, 5]));
      await harness.chat.changeRoomHistoryMaxSize('r', 10);
      expect(await alice.chat.roomRecentHistory('r')).toEqual(pick(delivered, [6, 5]));
      await send(alice, 'r', 1, delivered);
      expect(await alice.chat.roomRecentHistory('r')).toEqual(pick(delivered, [7, 6, 5]));
      expect(await alice.chat.roomHistoryInfo('r')).toEqual({ historyMaxGetMessages: 100, historyMaxSize: 10, historySize: 3, lastMessageId: 7 });
      await harness.chat.changeRoomHistoryMaxSize('r', 0);
      expect(await alice.chat.roomRecentHistory('r')).toEqual([]);
      expect(await alice.chat.roomHistoryInfo('r')).toEqual({ historyMaxGetMessages: 100, historyMaxSize: 0, historySize: 0, lastMessageId: 7 });
      expect(await alice.chat.roomMessage('r', { textMessage: 'eight' })).toBe(8);
    });

    it('changeRoomHistoryMaxSize refuses an unknown room and a size that is not a non-negative integer', async () => {
      const harness = await startChat(createStore);
      await harness.chat.addRoom('r', { historyMaxSize: 5 });
      const noRoom = await chatErrorOf(harness.chat.changeRoomHistoryMaxSize('nope', 2));
      expect(noRoom.code).toBe(ChatErrorCode.NO_ROOM);
      expect(noRoom.args).toEqual(['nope']);
      for (const size of [-1, 1.5, Number.NaN]) {
        const error = await chatErrorOf(harness.chat.changeRoomHistoryMaxSize('r', size));
        expect(error.code, String(size)).toBe(ChatErrorCode.BAD_ARGUMENT);
        expect(error.args[0]).toBe('historyMaxSize');
      }
      expect((await harness.store.getRoom('r'))?.historyMaxSize).toBe(5);
    });

    it('a roomHistoryGet limit larger than historyMaxGetMessages is capped', async () => {
      const harness = await startChat(createStore, { historyMaxGetMessages: 3 });
      await harness.chat.addRoom('r');
      const alice = await harness.login('alice');
      await alice.chat.roomJoin('r');
      const delivered = await send(alice, 'r', 6);
      expect(await alice.chat.roomHistoryGet('r', 0, 100)).toEqual(pick(delivered, [3, 2, 1]));
      expect(await alice.chat.roomHistoryGet('r', 2, 4)).toEqual(pick(delivered, [5, 4, 3]));
      expect(await alice.chat.roomHistoryGet('r', 4, 100)).toEqual(pick(delivered, [6, 5]));
      expect(await alice.chat.roomHistoryGet('r', 1, 2)).toEqual(pick(delivered, [3, 2]));
    });

    it('roomHistoryGet refuses a negative or fractional id or limit with badArgument naming the field', async () => {
      const harness = await startChat(createStore);
      await harness.chat.addRoom('r');
      const alice = await harness.login('alice');
      await alice.chat.roomJoin('r');
      for (const [id, limit, field] of [
        [-1, 2, 'id'],
        [0.5, 2, 'id'],
        [0, -1, 'limit'],
        [0, 1.5, 'limit'],
      ] as const) {
        const error = await chatErrorOf(alice.chat.roomHistoryGet('r', id, limit));
        expect(error.code).toBe(ChatErrorCode.BAD_ARGUMENT);
        expect(error.args[0]).toBe(field);
      }
    });
  });
}
