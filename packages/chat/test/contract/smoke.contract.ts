import { describe, expect, it } from 'vitest';
import { type StoreFactory, startChat } from '../helpers.js';

export default function smokeContract(createStore: StoreFactory): void {
  describe('chat smoke', () => {
    it('logs in, joins, messages and reads history', async () => {
      const harness = await startChat(createStore, { enableRoomsManagement: true });
      const alice = await harness.login('alice');
      await alice.chat.roomCreate('lobby', false);
      expect(await alice.chat.roomJoin('lobby')).toBe(1);
      expect(await alice.chat.roomMessage('lobby', { textMessage: 'hi' })).toBe(1);
      const [roomName, message] = await alice.inbox.next('roomMessage');
      expect(roomName).toBe('lobby');
      expect(message).toMatchObject({ textMessage: 'hi', author: 'alice', id: 1 });
      expect(await alice.chat.roomRecentHistory('lobby')).toEqual([message]);
      expect(harness.errors).toEqual([]);
    });
  });
}
