import { ChatErrorCode } from '@volley/chat';
import { describe, expect, it } from 'vitest';
import { type ChatHarness, chatErrorOf, type StoreFactory, startChat, type TestUser } from '../helpers.js';

/** A room `lobby` with alice (two joined connections), bob (joined) and carol (logged in, not joined). */
async function lobby(createStore: StoreFactory): Promise<{ harness: ChatHarness; alice: TestUser; alice2: TestUser; bob: TestUser; carol: TestUser }> {
  const harness = await startChat(createStore);
  await harness.chat.addRoom('lobby');
  const alice = await harness.login('alice');
  const alice2 = await harness.login('alice');
  const bob = await harness.login('bob');
  const carol = await harness.login('carol');
  for (const user of [alice, alice2, bob]) await user.chat.roomJoin('lobby');
  return { harness, alice, alice2, bob, carol };
}

export default function receiptsContract(createStore: StoreFactory): void {
  describe('chat receipts', () => {
    it('typing without a message id reaches the other members\' joined connections as {kind, userName} with no messageId key, none of the sender\'s', async () => {
      const { harness, alice, alice2, bob, carol } = await lobby(createStore);
      expect(await alice.chat.roomReceipt('lobby', 'typing')).toBeUndefined();
      const [roomName, receipt] = await bob.inbox.next('roomReceipt');
      expect(roomName).toBe('lobby');
      expect(receipt).toStrictEqual({ kind: 'typing', userName: 'alice' });
      expect(Object.keys(receipt).sort()).toEqual(['kind', 'userName']);
      for (const user of [alice, alice2, bob, carol]) await user.inbox.flush();
      expect(alice.inbox.count('roomReceipt')).toBe(0);
      // CHAT.md: receipts go to the room's *other members*; alice2 is alice's own.
      expect(alice2.inbox.count('roomReceipt')).toBe(0);
      expect(bob.inbox.count('roomReceipt')).toBe(1);
      expect(carol.inbox.count('roomReceipt')).toBe(0);
      expect(harness.errors).toEqual([]);
    });

    it('received, viewed and typing with a message id are relayed with the kind, the sender and the id', async () => {
      const { harness, alice, bob } = await lobby(createStore);
      const id = await alice.chat.roomMessage('lobby', { textMessage: 'read me' });
      await bob.chat.roomReceipt('lobby', 'received', id);
      await bob.chat.roomReceipt('lobby', 'viewed', id);
      await bob.chat.roomReceipt('lobby', 'typing', id);
      expect(await alice.inbox.next('roomReceipt')).toEqual(['lobby', { kind: 'received', userName: 'bob', messageId: id }]);
      expect(await alice.inbox.next('roomReceipt')).toEqual(['lobby', { kind: 'viewed', userName: 'bob', messageId: id }]);
      expect(await alice.inbox.next('roomReceipt')).toEqual(['lobby', { kind: 'typing', userName: 'bob', messageId: id }]);
      await bob.inbox.flush();
      expect(bob.inbox.count('roomReceipt')).toBe(0);
      expect(harness.errors).toEqual([]);
    });

    it('a receipt from a user\'s unjoined connection is notJoined when no connection of it is joined, and relayed when one is', async () => {
      const harness = await startChat(createStore);
      await harness.chat.addRoom('lobby');
      const alice = await harness.login('alice');
      const bob = await harness.login('bob');
      const bob2 = await harness.login('bob');
      await alice.chat.roomJoin('lobby');
      const error = await chatErrorOf(bob.chat.roomReceipt('lobby', 'viewed', 1));
      expect(error.code).toBe(ChatErrorCode.NOT_JOINED);
      expect(error.args).toEqual(['lobby']);
      await alice.inbox.flush();
      expect(alice.inbox.count('roomReceipt')).toBe(0);

      // Joined is per user: with bob2 in the room, bob's other connection may signal too; bob's
      // own joined connection does not hear it back.
      await bob2.chat.roomJoin('lobby');
      await bob.chat.roomReceipt('lobby', 'typing');
      expect(await alice.inbox.next('roomReceipt')).toEqual(['lobby', { kind: 'typing', userName: 'bob' }]);
      await bob2.inbox.flush();
      expect(bob2.inbox.count('roomReceipt')).toBe(0);
      expect(harness.errors).toEqual([]);
    });

    it('after leaving, a receipt is notJoined and the user gets no more receipts', async () => {
      const { harness, alice, bob } = await lobby(createStore);
      expect(await bob.chat.roomLeave('lobby')).toBe(0);
      const error = await chatErrorOf(bob.chat.roomReceipt('lobby', 'typing'));
      expect(error.code).toBe(ChatErrorCode.NOT_JOINED);
      expect(error.args).toEqual(['lobby']);
      await alice.chat.roomReceipt('lobby', 'typing');
      await bob.inbox.flush();
      expect(bob.inbox.count('roomReceipt')).toBe(0);
      expect(harness.errors).toEqual([]);
    });

    it('a receipt to a room that does not exist is noRoom', async () => {
      const harness = await startChat(createStore);
      const alice = await harness.login('alice');
      const error = await chatErrorOf(alice.chat.roomReceipt('nowhere', 'typing'));
      expect(error.code).toBe(ChatErrorCode.NO_ROOM);
      expect(error.args).toEqual(['nowhere']);
      expect(harness.errors).toEqual([]);
    });

    it('an unknown kind is badArgument [\'kind\', ...] and nothing is relayed', async () => {
      const { harness, alice, bob } = await lobby(createStore);
      for (const kind of ['read', 'TYPING', '', 3, null]) {
        const error = await chatErrorOf(alice.chat.roomReceipt('lobby', kind as 'typing'));
        expect(error.code).toBe(ChatErrorCode.BAD_ARGUMENT);
        expect(error.args).toHaveLength(2);
        expect(error.args[0]).toBe('kind');
        expect(typeof error.args[1]).toBe('string');
      }
      await bob.inbox.flush();
      expect(bob.inbox.count('roomReceipt')).toBe(0);
      expect(harness.errors).toEqual([]);
    });

    it('a message id that is not a positive integer is badArgument [\'messageId\', ...]', async () => {
      const { harness, alice, bob } = await lobby(createStore);
      for (const messageId of [0, -1, 1.5, '1']) {
        const error = await chatErrorOf(alice.chat.roomReceipt('lobby', 'viewed', messageId as number));
        expect(error.code).toBe(ChatErrorCode.BAD_ARGUMENT);
        expect(error.args[0]).toBe('messageId');
      }
      await bob.inbox.flush();
      expect(bob.inbox.count('roomReceipt')).toBe(0);
      expect(harness.errors).toEqual([]);
    });
  });
}
