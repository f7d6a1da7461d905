/**
 * Bytes inside messages (CHAT.md: "any JSON, binary inside"): with a message checker that allows
 * them, a Uint8Array sent in a room message reaches the members as bytes, and the room's history
 * gives it back as bytes, whatever the store keeps it in.
 */
import { describe, expect, it } from 'vitest';
import { type StoreFactory, startChat } from '../helpers.js';

export default function binaryContract(createStore: StoreFactory): void {
  describe('chat: bytes inside messages', () => {
    it('a room message with bytes reaches the members and the history as bytes', async () => {
      const harness = await startChat(createStore, {
        hooks: {
          roomMessageChecker(message) {
            if (!(message.attachment instanceof Uint8Array)) throw new Error('an attachment of bytes is needed');
          },
        },
      });
      await harness.chat.addRoom('lobby');
      const alice = await harness.login('alice');
      const bob = await harness.login('bob');
      await alice.chat.roomJoin('lobby');
      await bob.chat.roomJoin('lobby');
      const attachment = new Uint8Array([0, 1, 2, 250, 255]);
      const id = await alice.chat.roomMessage('lobby', { textMessage: 'a file', attachment });
      const [, received] = await bob.inbox.next('roomMessage');
      expect(received).toMatchObject({ id, author: 'alice', textMessage: 'a file' });
      expect(received.attachment).toBeInstanceOf(Uint8Array);
      expect(received.attachment).toEqual(attachment);
      const [stored] = await bob.chat.roomRecentHistory('lobby');
      expect(stored!.attachment).toEqual(attachment);
      const [page] = await bob.chat.roomHistoryGet('lobby', 0, 10);
      expect(page!.attachment).toEqual(attachment);
      // Without bytes the checker refuses, as it says.
      await expect(alice.chat.roomMessage('lobby', { textMessage: 'no file', attachment: 'AAEC' })).rejects.toMatchObject({ code: 'badArgument' });
      expect(harness.errors).toEqual([]);
    });
  });
}
