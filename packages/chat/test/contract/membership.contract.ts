import { ChatErrorCode } from '@volley/chat';
import { describe, expect, it } from 'vitest';
import { chatErrorOf, type StoreFactory, startChat, type TestUser } from '../helpers.js';

/**
 * Resolves once the clock shows a later millisecond than `since`, so that a timestamp taken next
 * is distinguishable from one taken at `since`. It waits for the clock, not for a fixed delay.
 */
async function nextMillisecond(since: number): Promise<void> {
  while (Date.now() <= since) await new Promise((resolve) => setImmediate(resolve));
}

/** Flushes every inbox, so that whatever the server sent them before now has arrived. */
async function flushAll(users: TestUser[]): Promise<void> {
  for (const user of users) await user.inbox.flush();
}

/** Clears every inbox. */
function clearAll(users: TestUser[]): void {
  for (const user of users) user.inbox.clear();
}

export default function membershipContract(createStore: StoreFactory): void {
  describe('chat room membership', () => {
    it('roomJoin and roomLeave return how many of the user\'s connections are joined after the call', async () => {
      const harness = await startChat(createStore);
      await harness.chat.addRoom('r');
      const a1 = await harness.login('alice');
      const a2 = await harness.login('alice');
      const a3 = await harness.login('alice');
      const bob = await harness.login('bob');
      expect(await a1.chat.roomJoin('r')).toBe(1);
      expect(await a2.chat.roomJoin('r')).toBe(2);
      expect(await bob.chat.roomJoin('r')).toBe(1);
      expect(await a3.chat.roomJoin('r')).toBe(3);
      expect(await a2.chat.roomLeave('r')).toBe(2);
      expect(await a1.chat.roomLeave('r')).toBe(1);
      expect(await a1.chat.roomJoin('r')).toBe(2);
      expect(await a3.chat.roomLeave('r')).toBe(1);
      expect(await a1.chat.roomLeave('r')).toBe(0);
      expect(await bob.chat.roomLeave('r')).toBe(0);
      expect(await harness.store.getRoomList('r', 'userlist')).toEqual([]);
      expect(harness.errors).toEqual([]);
    });

    it('a join sends roomJoinedEcho(room, id, njoined) to the user\'s other connections, joined or not, and to nobody else', async () => {
      const harness = await startChat(createStore);
      await harness.chat.addRoom('r');
      const bob = await harness.login('bob');
      await bob.chat.roomJoin('r');
      const a1 = await harness.login('alice');
      const a2 = await harness.login('alice');
      const a3 = await harness.login('alice');
      await a1.inbox.next('socketConnectEcho', (id) => id === a3.id);
      await a2.inbox.next('socketConnectEcho', (id) => id === a3.id);
      const users = [a1, a2, a3, bob];
      clearAll(users);
      await a1.chat.roomJoin('r');
      await flushAll(users);
      expect(a1.inbox.received).toEqual([]);
      expect(a2.inbox.received).toEqual([{ name: 'roomJoinedEcho', args: ['r', a1.id, 1] }]);
      expect(a3.inbox.received).toEqual([{ name: 'roomJoinedEcho', args: ['r', a1.id, 1] }]);
      expect(bob.inbox.received).toEqual([]);
      clearAll(users);
      await a2.chat.roomJoin('r');
      await flushAll(users);
      expect(a1.inbox.received).toEqual([{ name: 'roomJoinedEcho', args: ['r', a2.id, 2] }]);
      expect(a2.inbox.received).toEqual([]);
      expect(a3.inbox.received).toEqual([{ name: 'roomJoinedEcho', args: ['r', a2.id, 2] }]);
      expect(bob.inbox.received).toEqual([]);
      expect(harness.errors).toEqual([]);
    });

    it('a leave sends roomLeftEcho(room, id, njoined) to the user\'s other connections and to nobody else', async () => {
      const harness = await startChat(createStore);
      await harness.chat.addRoom('r');
      const bob = await harness.login('bob');
      await bob.chat.roomJoin('r');
      const a1 = await harness.login('alice');
      const a2 = await harness.login('alice');
      const a3 = await harness.login('alice');
      await a1.inbox.next('socketConnectEcho', (id) => id === a3.id);
      await a2.inbox.next('socketConnectEcho', (id) => id === a3.id);
      await a1.chat.roomJoin('r');
      await a2.chat.roomJoin('r');
      const users = [a1, a2, a3, bob];
      await flushAll(users);
      clearAll(users);
      expect(await a1.chat.roomLeave('r')).toBe(1);
      await flushAll(users);
      expect(a1.inbox.received).toEqual([]);
      expect(a2.inbox.received).toEqual([{ name: 'roomLeftEcho', args: ['r', a1.id, 1] }]);
      expect(a3.inbox.received).toEqual([{ name: 'roomLeftEcho', args: ['r', a1.id, 1] }]);
      expect(bob.inbox.received).toEqual([]);
      clearAll(users);
      expect(await a2.chat.roomLeave('r')).toBe(0);
      await flushAll(users);
      expect(a1.inbox.received).toEqual([{ name: 'roomLeftEcho', args: ['r', a2.id, 0] }]);
      expect(a2.inbox.received).toEqual([]);
      expect(a3.inbox.received).toEqual([{ name: 'roomLeftEcho', args: ['r', a2.id, 0] }]);
      expect(bob.inbox.received).toEqual([]);
    });

    it('with userlist updates, roomUserJoined goes to the room (not the joiner) only when the user\'s first connection joins', async () => {
      const harness = await startChat(createStore, { enableUserlistUpdates: true });
      await harness.chat.addRoom('r');
      const bob = await harness.login('bob');
      const carol = await harness.login('carol');
      await bob.chat.roomJoin('r');
      await carol.chat.roomJoin('r');
      expect(await bob.inbox.next('roomUserJoined')).toEqual(['r', 'carol']);
      const a1 = await harness.login('alice');
      const a2 = await harness.login('alice');
      await a1.inbox.next('socketConnectEcho', (id) => id === a2.id);
      const users = [a1, a2, bob, carol];
      clearAll(users);
      await a1.chat.roomJoin('r');
      await flushAll(users);
      expect(bob.inbox.all('roomUserJoined')).toEqual([['r', 'alice']]);
      expect(carol.inbox.all('roomUserJoined')).toEqual([['r', 'alice']]);
      expect(a1.inbox.count('roomUserJoined')).toBe(0);
      // a2 is not joined: it hears of a1's join through the echo only.
      expect(a2.inbox.count('roomUserJoined')).toBe(0);
      clearAll(users);
      await a2.chat.roomJoin('r');
      await flushAll(users);
      for (const user of users) expect(user.inbox.count('roomUserJoined')).toBe(0);
      expect(a1.inbox.all('roomJoinedEcho')).toEqual([['r', a2.id, 2]]);
      expect(harness.errors).toEqual([]);
    });

    it('with userlist updates, roomUserLeft goes to the whole room only when the user\'s last connection leaves', async () => {
      const harness = await startChat(createStore, { enableUserlistUpdates: true });
      await harness.chat.addRoom('r');
      const bob = await harness.login('bob');
      await bob.chat.roomJoin('r');
      const a1 = await harness.login('alice');
      const a2 = await harness.login('alice');
      await a1.chat.roomJoin('r');
      await a2.chat.roomJoin('r');
      const carol = await harness.login('carol');
      await carol.chat.roomJoin('r');
      const users = [a1, a2, bob, carol];
      await flushAll(users);
      clearAll(users);
      await a1.chat.roomLeave('r');
      await flushAll(users);
      for (const user of users) expect(user.inbox.count('roomUserLeft')).toBe(0);
      clearAll(users);
      await a2.chat.roomLeave('r');
      await flushAll(users);
      expect(bob.inbox.all('roomUserLeft')).toEqual([['r', 'alice']]);
      expect(carol.inbox.all('roomUserLeft')).toEqual([['r', 'alice']]);
      // alice's connections are out of the room by then.
      expect(a1.inbox.count('roomUserLeft')).toBe(0);
      expect(a2.inbox.count('roomUserLeft')).toBe(0);
      expect(a1.inbox.all('roomLeftEcho')).toEqual([['r', a2.id, 0]]);
    });

    it('userlist updates are off by default: joins and leaves send no roomUserJoined or roomUserLeft', async () => {
      const harness = await startChat(createStore);
      await harness.chat.addRoom('r');
      const bob = await harness.login('bob');
      await bob.chat.roomJoin('r');
      expect(await bob.chat.roomNotificationsInfo('r')).toEqual({ enableAccessListsUpdates: false, enableUserlistUpdates: false });
      const a1 = await harness.login('alice');
      const a2 = await harness.login('alice');
      await a1.chat.roomJoin('r');
      await a2.chat.roomJoin('r');
      await a1.chat.roomLeave('r');
      await a2.chat.roomLeave('r');
      const users = [a1, a2, bob];
      await flushAll(users);
      for (const user of users) {
        expect(user.inbox.count('roomUserJoined')).toBe(0);
        expect(user.inbox.count('roomUserLeft')).toBe(0);
      }
      // The echoes do not depend on the setting.
      expect(a1.inbox.all('roomJoinedEcho')).toEqual([['r', a2.id, 2]]);
      expect(a1.inbox.all('roomLeftEcho')).toEqual([['r', a2.id, 0]]);
    });

    it('a room\'s own userlist-updates setting wins over the server default', async () => {
      const harness = await startChat(createStore);
      await harness.chat.addRoom('loud', { enableUserlistUpdates: true });
      const quiet = await startChat(createStore, { enableUserlistUpdates: true });
      await quiet.chat.addRoom('quiet', { enableUserlistUpdates: false });
      for (const [h, room, expected] of [
        [harness, 'loud', 1],
        [quiet, 'quiet', 0],
      ] as const) {
        const bob = await h.login('bob');
        await bob.chat.roomJoin(room);
        expect((await bob.chat.roomNotificationsInfo(room)).enableUserlistUpdates).toBe(expected === 1);
        const alice = await h.login('alice');
        await alice.chat.roomJoin(room);
        await alice.chat.roomLeave(room);
        await bob.inbox.flush();
        expect(bob.inbox.all('roomUserJoined')).toEqual(expected === 1 ? [[room, 'alice']] : []);
        expect(bob.inbox.all('roomUserLeft')).toEqual(expected === 1 ? [[room, 'alice']] : []);
      }
    });

    it('a duplicate join returns the count and notifies nobody', async () => {
      const harness = await startChat(createStore, { enableUserlistUpdates: true });
      await harness.chat.addRoom('r');
      const bob = await harness.login('bob');
      await bob.chat.roomJoin('r');
      const a1 = await harness.login('alice');
      const a2 = await harness.login('alice');
      await a1.chat.roomJoin('r');
      await a2.chat.roomJoin('r');
      const users = [a1, a2, bob];
      await flushAll(users);
      clearAll(users);
      expect(await a1.chat.roomJoin('r')).toBe(2);
      expect(await a2.chat.roomJoin('r')).toBe(2);
      await flushAll(users);
      for (const user of users) expect(user.inbox.received).toEqual([]);
      expect(await harness.store.getJoinedConnections('r', 'alice')).toHaveLength(2);
      // Still one join to undo: the first leave leaves one connection joined.
      expect(await a1.chat.roomLeave('r')).toBe(1);
    });

    it('a leave when not joined returns the count and notifies nobody', async () => {
      const harness = await startChat(createStore, { enableUserlistUpdates: true });
      await harness.chat.addRoom('r');
      const bob = await harness.login('bob');
      await bob.chat.roomJoin('r');
      const a1 = await harness.login('alice');
      const a2 = await harness.login('alice');
      const carol = await harness.login('carol');
      await a1.chat.roomJoin('r');
      const users = [a1, a2, bob, carol];
      await flushAll(users);
      clearAll(users);
      // a2 is not joined but a1 is: the user's count stays 1.
      expect(await a2.chat.roomLeave('r')).toBe(1);
      // carol never joined.
      expect(await carol.chat.roomLeave('r')).toBe(0);
      await flushAll(users);
      for (const user of users) expect(user.inbox.received).toEqual([]);
      expect(await a1.chat.roomLeave('r')).toBe(0);
      await flushAll(users);
      clearAll(users);
      // A second leave of the same connection.
      expect(await a1.chat.roomLeave('r')).toBe(0);
      await flushAll(users);
      for (const user of users) expect(user.inbox.received).toEqual([]);
      expect(await bob.chat.roomGetAccessList('r', 'userlist')).toEqual(['bob']);
    });

    it('joining or leaving a room that does not exist is noRoom', async () => {
      const harness = await startChat(createStore);
      await harness.chat.addRoom('r');
      const alice = await harness.login('alice');
      const joinError = await chatErrorOf(alice.chat.roomJoin('nope'));
      expect(joinError.code).toBe(ChatErrorCode.NO_ROOM);
      expect(joinError.args).toEqual(['nope']);
      const leaveError = await chatErrorOf(alice.chat.roomLeave('nope'));
      expect(leaveError.code).toBe(ChatErrorCode.NO_ROOM);
      expect(leaveError.args).toEqual(['nope']);
      expect(await alice.chat.listOwnSockets()).toEqual({ [alice.id]: [] });
      expect((await harness.store.listRooms(undefined, undefined, 10)).map((room) => room.name)).toEqual(['r']);
    });

    it('roomUserSeen: null before any join, set on the first join, kept while joined, set again on the last leave', async () => {
      const harness = await startChat(createStore);
      await harness.chat.addRoom('r');
      const bob = await harness.login('bob');
      await bob.chat.roomJoin('r');
      const a1 = await harness.login('alice');
      const a2 = await harness.login('alice');
      expect(await bob.chat.roomUserSeen('r', 'alice')).toEqual({ joined: false, timestamp: null });
      expect(await bob.chat.roomUserSeen('r', 'nobody')).toEqual({ joined: false, timestamp: null });

      const beforeJoin = Date.now();
      await a1.chat.roomJoin('r');
      const afterJoin = Date.now();
      const joined = await bob.chat.roomUserSeen('r', 'alice');
      expect(joined.joined).toBe(true);
      expect(joined.timestamp).toBeGreaterThanOrEqual(beforeJoin);
      expect(joined.timestamp).toBeLessThanOrEqual(afterJoin);

      // Another connection joining or one of two leaving changes nothing.
      await nextMillisecond(afterJoin);
      await a2.chat.roomJoin('r');
      expect(await bob.chat.roomUserSeen('r', 'alice')).toEqual(joined);
      await a2.chat.roomLeave('r');
      expect(await bob.chat.roomUserSeen('r', 'alice')).toEqual(joined);

      await nextMillisecond(Date.now());
      const beforeLeave = Date.now();
      await a1.chat.roomLeave('r');
      const afterLeave = Date.now();
      const left = await bob.chat.roomUserSeen('r', 'alice');
      expect(left.joined).toBe(false);
      expect(left.timestamp).toBeGreaterThanOrEqual(beforeLeave);
      expect(left.timestamp).toBeLessThanOrEqual(afterLeave);
      expect(left.timestamp).toBeGreaterThan(joined.timestamp!);

      await nextMillisecond(afterLeave);
      const beforeRejoin = Date.now();
      await a2.chat.roomJoin('r');
      const rejoined = await a2.chat.roomUserSeen('r', 'alice');
      expect(rejoined.joined).toBe(true);
      expect(rejoined.timestamp).toBeGreaterThanOrEqual(beforeRejoin);
      expect(rejoined.timestamp).toBeGreaterThan(left.timestamp!);
    });

    it('roomUserSeen records the leave when the last joined connection closes', async () => {
      const harness = await startChat(createStore);
      await harness.chat.addRoom('r');
      const bob = await harness.login('bob');
      await bob.chat.roomJoin('r');
      const a1 = await harness.login('alice');
      const a2 = await harness.login('alice');
      await a1.chat.roomJoin('r');
      const joined = await bob.chat.roomUserSeen('r', 'alice');
      await nextMillisecond(joined.timestamp!);
      const beforeClose = Date.now();
      await a1.chat.disconnect();
      await a2.inbox.next('socketDisconnectEcho');
      const seen = await bob.chat.roomUserSeen('r', 'alice');
      expect(seen.joined).toBe(false);
      expect(seen.timestamp).toBeGreaterThanOrEqual(beforeClose);
      expect(seen.timestamp).toBeLessThanOrEqual(Date.now());
    });

    it('roomGetAccessList userlist lists the users with at least one joined connection', async () => {
      const harness = await startChat(createStore);
      await harness.chat.addRoom('r');
      const bob = await harness.login('bob');
      await bob.chat.roomJoin('r');
      expect(await bob.chat.roomGetAccessList('r', 'userlist')).toEqual(['bob']);
      const a1 = await harness.login('alice');
      const a2 = await harness.login('alice');
      await a1.chat.roomJoin('r');
      await a2.chat.roomJoin('r');
      const carol = await harness.login('carol');
      await carol.chat.roomJoin('r');
      expect((await bob.chat.roomGetAccessList('r', 'userlist')).sort()).toEqual(['alice', 'bob', 'carol']);
      await a1.chat.roomLeave('r');
      expect((await bob.chat.roomGetAccessList('r', 'userlist')).sort()).toEqual(['alice', 'bob', 'carol']);
      await a2.chat.roomLeave('r');
      await carol.chat.roomLeave('r');
      expect(await bob.chat.roomGetAccessList('r', 'userlist')).toEqual(['bob']);
    });
  });
}
