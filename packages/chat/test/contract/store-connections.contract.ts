/**
 * The `ChatStore` contract for connections: binding to users, removal from every room, and who a
 * connection belongs to (see store.contract.ts for the rest and how atomicity is tested).
 */
import { ChatErrorCode } from '@volley/chat';
import { describe, expect, it } from 'vitest';
import { roomState, sorted, type StoreFactory } from '../helpers.js';
import { chatErrorOrNothing, message, range, storeKit } from './store-kit.js';

export default function storeConnectionsContract(createStore: StoreFactory): void {
  const { open } = storeKit(createStore);

  describe('chat store: connections', () => {
    it('addConnection binds to the user (creating it) and returns the count after', async () => {
      const store = await open();
      expect(await store.addConnection('alice', 'c1')).toBe(1);
      expect(await store.hasUser('alice')).toBe(true);
      expect(await store.addConnection('alice', 'c2')).toBe(2);
      expect(sorted(await store.getConnections('alice'))).toEqual(['c1', 'c2']);
      expect(await store.getConnections('bob')).toEqual([]);
    });

    it('getConnectionUser names the user a connection is bound to, until it is removed', async () => {
      const store = await open();
      expect(await store.getConnectionUser('c1')).toBeUndefined();
      await store.addConnection('alice', 'c1');
      await store.addConnection('bob', 'c2');
      expect(await store.getConnectionUser('c1')).toBe('alice');
      expect(await store.getConnectionUser('c2')).toBe('bob');
      await store.removeConnection('alice', 'c1', 1_000);
      expect(await store.getConnectionUser('c1')).toBeUndefined();
      expect(await store.getConnectionUser('c2')).toBe('bob');
      // An id that a new login took over is not unbound by the old user's late removal.
      await store.addConnection('carol', 'c2');
      await store.removeConnection('bob', 'c2', 1_000);
      expect(await store.getConnectionUser('c2')).toBe('carol');
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
}
