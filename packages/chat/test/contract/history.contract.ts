import { ChatError, ChatErrorCode, type ProcessedMessage } from '@volley/chat';
import { describe, expect, it } from 'vitest';
import { chatErrorOf, type StoreFactory, startChat, type TestUser } from '../helpers.js';

const shapeError = ['message', 'must be exactly {textMessage: string}'];

/**
 * Sends `count` text messages (`m1`, `m2`, ...) from `user` to `room` and returns them as the
 * sender received them, by id, so that history reads can be compared with what was delivered.
 */
export async function send(user: TestUser, room: string, count: number, delivered = new Map<number, ProcessedMessage>()): Promise<Map<number, ProcessedMessage>> {
  for (let index = 0; index < count; index++) {
    const id = await user.chat.roomMessage(room, { textMessage: `m${delivered.size + 1}` });
    const [, message] = await user.inbox.next('roomMessage', (roomName, candidate) => roomName === room && candidate.id === id);
    delivered.set(id, message);
  }
  return delivered;
}

/** The delivered messages with these ids, in this order. */
export function pick(delivered: Map<number, ProcessedMessage>, ids: number[]): ProcessedMessage[] {
  return ids.map((id) => {
    const message = delivered.get(id);
    if (message === undefined) throw new Error(`message ${id} was never delivered`);
    return message;
  });
}

/** Ids of a history answer, in order. */
export function ids(messages: ProcessedMessage[]): (number | undefined)[] {
  return messages.map((message) => message.id);
}

// Sending and delivering room messages; history reads are in room-history.contract.ts.
export default function historyContract(createStore: StoreFactory): void {
  describe('chat messages', () => {
    it('message ids are per room and sequential from 1', async () => {
      const harness = await startChat(createStore);
      await harness.chat.addRoom('r1');
      await harness.chat.addRoom('r2');
      const alice = await harness.login('alice');
      await alice.chat.roomJoin('r1');
      await alice.chat.roomJoin('r2');
      expect(await alice.chat.roomMessage('r1', { textMessage: 'a' })).toBe(1);
      expect(await alice.chat.roomMessage('r1', { textMessage: 'b' })).toBe(2);
      expect(await alice.chat.roomMessage('r2', { textMessage: 'c' })).toBe(1);
      expect(await alice.chat.roomMessage('r1', { textMessage: 'd' })).toBe(3);
      expect(await alice.chat.roomMessage('r2', { textMessage: 'e' })).toBe(2);
      await alice.inbox.flush();
      expect(alice.inbox.all('roomMessage').map(([room, message]) => [room, message.id, message.textMessage])).toEqual([
        ['r1', 1, 'a'],
        ['r1', 2, 'b'],
        ['r2', 1, 'c'],
        ['r1', 3, 'd'],
        ['r2', 2, 'e'],
      ]);
      expect((await alice.chat.roomHistoryInfo('r1')).lastMessageId).toBe(3);
      expect((await alice.chat.roomHistoryInfo('r2')).lastMessageId).toBe(2);
      expect(harness.errors).toEqual([]);
    });

    it('every joined connection, the sender\'s included, gets roomMessage; connections not joined do not', async () => {
      const harness = await startChat(createStore);
      await harness.chat.addRoom('r');
      const a1 = await harness.login('alice');
      const a2 = await harness.login('alice');
      const a3 = await harness.login('alice');
      const bob = await harness.login('bob');
      const carol = await harness.login('carol');
      await a1.chat.roomJoin('r');
      await a2.chat.roomJoin('r');
      await bob.chat.roomJoin('r');
      const id = await a1.chat.roomMessage('r', { textMessage: 'hello' });
      const [room, message] = await a1.inbox.next('roomMessage');
      expect(room).toBe('r');
      expect(message.id).toBe(id);
      expect(await a2.inbox.next('roomMessage')).toEqual(['r', message]);
      expect(await bob.inbox.next('roomMessage')).toEqual(['r', message]);
      for (const user of [a1, a2, a3, bob, carol]) await user.inbox.flush();
      expect(a1.inbox.count('roomMessage')).toBe(1);
      expect(a2.inbox.count('roomMessage')).toBe(1);
      expect(bob.inbox.count('roomMessage')).toBe(1);
      expect(a3.inbox.count('roomMessage')).toBe(0);
      expect(carol.inbox.count('roomMessage')).toBe(0);
      expect(harness.errors).toEqual([]);
    });

    it('a connection that left gets no more messages while the user\'s joined connection does', async () => {
      const harness = await startChat(createStore);
      await harness.chat.addRoom('r');
      const a1 = await harness.login('alice');
      const a2 = await harness.login('alice');
      const bob = await harness.login('bob');
      await a1.chat.roomJoin('r');
      await a2.chat.roomJoin('r');
      await bob.chat.roomJoin('r');
      await a2.chat.roomLeave('r');
      const id = await bob.chat.roomMessage('r', { textMessage: 'after' });
      expect((await a1.inbox.next('roomMessage'))[1].id).toBe(id);
      await a2.inbox.flush();
      expect(a2.inbox.count('roomMessage')).toBe(0);
    });

    it('a processed message is the client\'s fields plus author, a server timestamp and the id', async () => {
      const harness = await startChat(createStore);
      await harness.chat.addRoom('r');
      const alice = await harness.login('alice');
      await alice.chat.roomJoin('r');
      const before = Date.now();
      const id = await alice.chat.roomMessage('r', { textMessage: 'hi there' });
      const after = Date.now();
      const [, message] = await alice.inbox.next('roomMessage');
      expect(Object.keys(message).sort()).toEqual(['author', 'id', 'textMessage', 'timestamp']);
      expect(message).toEqual({ textMessage: 'hi there', author: 'alice', timestamp: message.timestamp, id });
      expect(message.timestamp).toBeGreaterThanOrEqual(before);
      expect(message.timestamp).toBeLessThanOrEqual(after);
      expect(await alice.chat.roomRecentHistory('r')).toEqual([message]);
    });

    it('by default a message must be exactly {textMessage: string}, else badArgument and nothing is sent or stored', async () => {
      const harness = await startChat(createStore);
      await harness.chat.addRoom('r');
      const alice = await harness.login('alice');
      const bob = await harness.login('bob');
      await alice.chat.roomJoin('r');
      await bob.chat.roomJoin('r');
      const bad: Record<string, unknown>[] = [
        {},
        { textMessage: 5 },
        { textMessage: null },
        { textMessage: ['a'] },
        { text: 'a' },
        { textMessage: 'a', extra: 1 },
        { textMessage: 'a', author: 'bob' },
        { textMessage: 'a', id: 7 },
        { textMessage: 'a', timestamp: 1 },
      ];
      for (const message of bad) {
        const error = await chatErrorOf(alice.chat.roomMessage('r', message));
        expect(error.code, JSON.stringify(message)).toBe(ChatErrorCode.BAD_ARGUMENT);
        expect(error.args).toEqual(shapeError);
      }
      for (const message of ['text', ['textMessage'], null, 3]) {
        const error = await chatErrorOf(alice.chat.roomMessage('r', message as never));
        expect(error.code, JSON.stringify(message)).toBe(ChatErrorCode.BAD_ARGUMENT);
        expect(error.args[0]).toBe('message');
      }
      // An empty text is still a string.
      expect(await alice.chat.roomMessage('r', { textMessage: '' })).toBe(1);
      await alice.inbox.flush();
      await bob.inbox.flush();
      expect(alice.inbox.all('roomMessage').map(([, message]) => message.textMessage)).toEqual(['']);
      expect(bob.inbox.count('roomMessage')).toBe(1);
      const info = await alice.chat.roomHistoryInfo('r');
      expect([info.historySize, info.lastMessageId]).toEqual([1, 1]);
    });

    it('a client cannot forge author, timestamp or id, even when a checker lets them through', async () => {
      const harness = await startChat(createStore, { hooks: { roomMessageChecker: () => undefined } });
      await harness.chat.addRoom('r');
      const alice = await harness.login('alice');
      await alice.chat.roomJoin('r');
      const before = Date.now();
      const id = await alice.chat.roomMessage('r', { textMessage: 'x', author: 'mallory', timestamp: 1, id: 999, extra: 'kept' });
      const after = Date.now();
      expect(id).toBe(1);
      const [, message] = await alice.inbox.next('roomMessage');
      expect(message).toEqual({ textMessage: 'x', extra: 'kept', author: 'alice', timestamp: message.timestamp, id: 1 });
      expect(message.timestamp).toBeGreaterThanOrEqual(before);
      expect(message.timestamp).toBeLessThanOrEqual(after);
      expect(await alice.chat.roomHistoryGet('r', 0, 10)).toEqual([message]);
      expect(await alice.chat.roomMessage('r', { textMessage: 'y', id: 1 })).toBe(2);
    });

    it('a roomMessageChecker may allow other shapes: any JSON is delivered and stored as sent', async () => {
      const checked: unknown[][] = [];
      const harness = await startChat(createStore, {
        hooks: {
          roomMessageChecker(message, context) {
            checked.push([message, context]);
          },
        },
      });
      await harness.chat.addRoom('r');
      const alice = await harness.login('alice');
      const bob = await harness.login('bob');
      await alice.chat.roomJoin('r');
      await bob.chat.roomJoin('r');
      const content = { type: 'image', size: { w: 640, h: 480 }, tags: ['a', 'b'], nested: [[1, null], { deep: true }], flag: false };
      const id = await alice.chat.roomMessage('r', content);
      expect(checked).toEqual([[content, { userName: 'alice', roomName: 'r' }]]);
      const [, message] = await bob.inbox.next('roomMessage');
      expect(message).toEqual({ ...content, author: 'alice', timestamp: message.timestamp, id });
      expect(await bob.chat.roomRecentHistory('r')).toEqual([message]);
      // The checker replaces the default rule: an empty object is fine too.
      expect(await alice.chat.roomMessage('r', {})).toBe(2);
    });

    it('a roomMessageChecker refusal reaches the client: its ChatError as is, anything else as badArgument', async () => {
      const harness = await startChat(createStore, {
        hooks: {
          roomMessageChecker(message) {
            if (message.kind === 'spam') throw new ChatError(ChatErrorCode.NOT_ALLOWED, ['r', 'spam']);
            if (message.kind === 'huge') throw new Error('too big');
          },
        },
      });
      await harness.chat.addRoom('r');
      const alice = await harness.login('alice');
      const bob = await harness.login('bob');
      await alice.chat.roomJoin('r');
      await bob.chat.roomJoin('r');
      const spam = await chatErrorOf(alice.chat.roomMessage('r', { kind: 'spam' }));
      expect(spam.code).toBe(ChatErrorCode.NOT_ALLOWED);
      expect(spam.args).toEqual(['r', 'spam']);
      const huge = await chatErrorOf(alice.chat.roomMessage('r', { kind: 'huge' }));
      expect(huge.code).toBe(ChatErrorCode.BAD_ARGUMENT);
      expect(huge.args).toEqual(['message', 'too big']);
      await alice.inbox.flush();
      await bob.inbox.flush();
      expect(alice.inbox.count('roomMessage')).toBe(0);
      expect(bob.inbox.count('roomMessage')).toBe(0);
      // Refused messages took no id.
      expect(await alice.chat.roomMessage('r', { kind: 'fine' })).toBe(1);
      expect(harness.errors).toEqual([]);
    });

    it('roomMessage needs the user joined, not just admin-level: else notJoined; an unknown room is noRoom', async () => {
      const harness = await startChat(createStore);
      await harness.chat.addRoom('r', { owner: 'olga', adminlist: ['adam'] });
      const bob = await harness.login('bob');
      await bob.chat.roomJoin('r');
      for (const userName of ['carol', 'olga', 'adam']) {
        const user = await harness.login(userName);
        const error = await chatErrorOf(user.chat.roomMessage('r', { textMessage: 'x' }));
        expect(error.code, userName).toBe(ChatErrorCode.NOT_JOINED);
        expect(error.args).toEqual(['r']);
      }
      await bob.chat.roomLeave('r');
      const left = await chatErrorOf(bob.chat.roomMessage('r', { textMessage: 'x' }));
      expect(left.code).toBe(ChatErrorCode.NOT_JOINED);
      const noRoom = await chatErrorOf(bob.chat.roomMessage('nope', { textMessage: 'x' }));
      expect(noRoom.code).toBe(ChatErrorCode.NO_ROOM);
      expect(noRoom.args).toEqual(['nope']);
      expect((await harness.chat.execUserCommand({ userName: 'olga' }, 'roomHistoryInfo', 'r')) as object).toMatchObject({ lastMessageId: 0 });
    });

    it('a user joined on one connection may send from another; the message reaches the joined connections only', async () => {
      const harness = await startChat(createStore);
      await harness.chat.addRoom('r');
      const a1 = await harness.login('alice');
      const a2 = await harness.login('alice');
      await a1.chat.roomJoin('r');
      const id = await a2.chat.roomMessage('r', { textMessage: 'from a2' });
      expect(id).toBe(1);
      const [, message] = await a1.inbox.next('roomMessage');
      expect(message).toMatchObject({ textMessage: 'from a2', author: 'alice', id: 1 });
      await a2.inbox.flush();
      expect(a2.inbox.count('roomMessage')).toBe(0);
    });
  });
}
