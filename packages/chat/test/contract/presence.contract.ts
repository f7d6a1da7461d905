import { ChatErrorCode, type ChatServerOptions, type MemberInfo } from '@volley/chat';
import { describe, expect, it } from 'vitest';
import { type ChatHarness, chatErrorOf, type StoreFactory, startChat, type TestUser } from '../helpers.js';

/** Login payload of these tests: the authenticate hook takes role and display name from it. */
interface Credentials {
  userName: string;
  role?: string;
  displayName?: string;
}

/** A chat whose authenticate hook passes `role` and `displayName` on as auth data. */
function startPresenceChat(createStore: StoreFactory, options: Omit<ChatServerOptions, 'port' | 'store' | 'server'> = {}): Promise<ChatHarness> {
  return startChat(createStore, {
    ...options,
    hooks: {
      authenticate(payload) {
        const { userName, role, displayName } = payload as Credentials;
        return { userName, authData: { ...(role === undefined ? {} : { role }), ...(displayName === undefined ? {} : { displayName }) } };
      },
    },
  });
}

function login(harness: ChatHarness, credentials: Credentials): Promise<TestUser> {
  return harness.login(credentials.userName, { auth: credentials });
}

/** Member lists in a store-independent order. */
function byId(members: MemberInfo[]): MemberInfo[] {
  return [...members].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

const teacher: Credentials = { userName: 'alice', role: 'TEACHER', displayName: 'Ms Alice' };
const aliceInfo: MemberInfo = { id: 'alice', role: 'TEACHER', name: 'Ms Alice' };
const bobInfo: MemberInfo = { id: 'bob', role: 'MEMBER', name: 'bob' };
const carolInfo: MemberInfo = { id: 'carol', role: 'STUDENT', name: 'carol' };

const presenceNotifications = ['roomMembers', 'roomMemberJoined', 'roomMemberLeft'] as const;

export default function presenceContract(createStore: StoreFactory): void {
  describe('chat presence: members joining and leaving', () => {
    it('a newly joined connection gets roomMembers with every member, itself included, role and name from the auth data', async () => {
      const harness = await startPresenceChat(createStore, { presence: true });
      await harness.chat.addRoom('class');
      const alice = await login(harness, teacher);
      expect(alice.chat.authData).toEqual({ id: alice.id, role: 'TEACHER', displayName: 'Ms Alice' });
      const bob = await login(harness, { userName: 'bob' });
      const carol = await login(harness, { userName: 'carol', role: 'STUDENT' });
      await alice.chat.roomJoin('class');
      expect(await alice.inbox.next('roomMembers')).toEqual(['class', [aliceInfo]]);
      await bob.chat.roomJoin('class');
      const [roomName, members] = await bob.inbox.next('roomMembers');
      expect(roomName).toBe('class');
      expect(byId(members)).toEqual([aliceInfo, bobInfo]);
      await carol.chat.roomJoin('class');
      const [, all] = await carol.inbox.next('roomMembers');
      expect(byId(all)).toEqual([aliceInfo, bobInfo, carolInfo]);
      // Only the joining connection gets the list.
      await alice.inbox.flush();
      await bob.inbox.flush();
      expect(alice.inbox.count('roomMembers')).toBe(1);
      expect(bob.inbox.count('roomMembers')).toBe(1);
      expect(harness.errors).toEqual([]);
    });

    it('the other members get roomMemberJoined for a user\'s first connection only, never the joiner or outsiders', async () => {
      const harness = await startPresenceChat(createStore, { presence: true });
      await harness.chat.addRoom('class');
      const alice = await login(harness, teacher);
      const bob = await login(harness, { userName: 'bob' });
      const bob2 = await login(harness, { userName: 'bob' });
      const carol = await login(harness, { userName: 'carol', role: 'STUDENT' });
      await alice.chat.roomJoin('class');
      await bob.chat.roomJoin('class');
      expect(await alice.inbox.next('roomMemberJoined')).toEqual(['class', bobInfo]);

      // Bob's second connection is told who is there (bob once), but nobody hears of bob again.
      expect(await bob2.chat.roomJoin('class')).toBe(2);
      const [, members] = await bob2.inbox.next('roomMembers');
      expect(byId(members)).toEqual([aliceInfo, bobInfo]);
      for (const user of [alice, bob, bob2, carol]) await user.inbox.flush();
      expect(alice.inbox.count('roomMemberJoined')).toBe(1);
      expect(bob.inbox.count('roomMemberJoined')).toBe(0);
      expect(bob2.inbox.count('roomMemberJoined')).toBe(0);
      expect(carol.inbox.count('roomMemberJoined')).toBe(0);
      expect(carol.inbox.count('roomMembers')).toBe(0);
      expect(harness.errors).toEqual([]);
    });

    it('every remaining member gets roomMemberLeft when a member\'s last connection leaves', async () => {
      const harness = await startPresenceChat(createStore, { presence: true });
      await harness.chat.addRoom('class');
      const alice = await login(harness, teacher);
      const carol = await login(harness, { userName: 'carol', role: 'STUDENT' });
      const bob = await login(harness, { userName: 'bob' });
      const bob2 = await login(harness, { userName: 'bob' });
      for (const user of [alice, carol, bob, bob2]) await user.chat.roomJoin('class');

      expect(await bob.chat.roomLeave('class')).toBe(1);
      for (const user of [alice, carol, bob, bob2]) await user.inbox.flush();
      expect(alice.inbox.count('roomMemberLeft')).toBe(0);
      expect(carol.inbox.count('roomMemberLeft')).toBe(0);

      expect(await bob2.chat.roomLeave('class')).toBe(0);
      expect(await alice.inbox.next('roomMemberLeft')).toEqual(['class', bobInfo]);
      expect(await carol.inbox.next('roomMemberLeft')).toEqual(['class', bobInfo]);
      for (const user of [alice, carol, bob, bob2]) await user.inbox.flush();
      expect(alice.inbox.count('roomMemberLeft')).toBe(1);
      expect(carol.inbox.count('roomMemberLeft')).toBe(1);
      // Bob's connections are out of the room by then.
      expect(bob.inbox.count('roomMemberLeft')).toBe(0);
      expect(bob2.inbox.count('roomMemberLeft')).toBe(0);
      expect(harness.errors).toEqual([]);
    });

    it('closing a member\'s last joined connection sends roomMemberLeft; closing another one does not', async () => {
      const harness = await startPresenceChat(createStore, { presence: true });
      await harness.chat.addRoom('class');
      const alice = await login(harness, teacher);
      const bob = await login(harness, { userName: 'bob' });
      const bob2 = await login(harness, { userName: 'bob' });
      for (const user of [alice, bob, bob2]) await user.chat.roomJoin('class');

      await bob.chat.disconnect();
      // Close notifications are asynchronous: the echo to bob's other connection comes after the room notices.
      expect(await bob2.inbox.next('socketDisconnectEcho')).toEqual([bob.id, 1]);
      await alice.inbox.flush();
      expect(alice.inbox.count('roomMemberLeft')).toBe(0);

      await bob2.chat.disconnect();
      expect(await alice.inbox.next('roomMemberLeft')).toEqual(['class', bobInfo]);
      expect(await alice.chat.roomGetAccessList('class', 'userlist')).toEqual(['alice']);
      expect(harness.errors).toEqual([]);
    });

    it('an evicted member is announced with roomMemberLeft', async () => {
      const harness = await startPresenceChat(createStore);
      await harness.chat.addRoom('class', { owner: 'alice', presence: true });
      const alice = await login(harness, teacher);
      const bob = await login(harness, { userName: 'bob' });
      await alice.chat.roomJoin('class');
      await bob.chat.roomJoin('class');
      await alice.chat.roomAddToList('class', 'blacklist', ['bob']);
      expect(await bob.inbox.next('roomAccessRemoved')).toEqual(['class']);
      expect(await alice.inbox.next('roomMemberLeft')).toEqual(['class', bobInfo]);
      expect(harness.errors).toEqual([]);
    });
  });

  describe('chat presence: which rooms have it', () => {
    it('roomCreate with {presence: true} makes a presence room though the server default is off', async () => {
      const harness = await startPresenceChat(createStore, { enableRoomsManagement: true });
      const alice = await login(harness, teacher);
      const bob = await login(harness, { userName: 'bob' });
      await alice.chat.roomCreate('class', false, { presence: true });
      await alice.chat.roomJoin('class');
      expect(await alice.inbox.next('roomMembers')).toEqual(['class', [aliceInfo]]);
      await bob.chat.roomJoin('class');
      expect(await alice.inbox.next('roomMemberJoined')).toEqual(['class', bobInfo]);
      await bob.chat.roomLeave('class');
      expect(await alice.inbox.next('roomMemberLeft')).toEqual(['class', bobInfo]);
      expect(harness.errors).toEqual([]);
    });

    it('addRoom with presence: true makes a presence room; presence: false overrides the server default', async () => {
      const harness = await startPresenceChat(createStore, { presence: true });
      await harness.chat.addRoom('class');
      await harness.chat.addRoom('quiet', { presence: false });
      const alice = await login(harness, teacher);
      const bob = await login(harness, { userName: 'bob' });
      await alice.chat.roomJoin('quiet');
      await bob.chat.roomJoin('quiet');
      await bob.chat.roomLeave('quiet');
      await alice.chat.roomJoin('class');
      expect(await alice.inbox.next('roomMembers')).toEqual(['class', [aliceInfo]]);
      await alice.inbox.flush();
      await bob.inbox.flush();
      expect(alice.inbox.all('roomMembers')).toEqual([['class', [aliceInfo]]]);
      for (const name of ['roomMemberJoined', 'roomMemberLeft'] as const) expect(alice.inbox.count(name)).toBe(0);
      for (const name of presenceNotifications) expect(bob.inbox.count(name)).toBe(0);
      expect(harness.errors).toEqual([]);
    });

    it('rooms without presence send no roomMembers, roomMemberJoined or roomMemberLeft', async () => {
      const harness = await startPresenceChat(createStore, { enableRoomsManagement: true });
      await harness.chat.addRoom('plain');
      const alice = await login(harness, teacher);
      const bob = await login(harness, { userName: 'bob' });
      await alice.chat.roomCreate('created', false);
      for (const roomName of ['plain', 'created']) {
        await alice.chat.roomJoin(roomName);
        await bob.chat.roomJoin(roomName);
        await bob.chat.roomLeave(roomName);
        await bob.chat.roomJoin(roomName);
      }
      // Closing leaves both rooms asynchronously; unlink comes after every room notice of the close was sent.
      const unlinked = new Promise((resolve) => harness.chat.once('unlink', resolve));
      await bob.chat.disconnect();
      await unlinked;
      expect(await alice.chat.roomGetAccessList('plain', 'userlist')).toEqual(['alice']);
      expect(await alice.chat.roomGetAccessList('created', 'userlist')).toEqual(['alice']);
      await alice.inbox.flush();
      for (const name of presenceNotifications) expect(alice.inbox.count(name)).toBe(0);
      for (const name of presenceNotifications) expect(bob.inbox.count(name)).toBe(0);
      expect(harness.errors).toEqual([]);
    });
  });

  describe('chat presence: member messages and broadcasts', () => {
    it('roomMemberMessage reaches only the target\'s joined connections, as {from, message}', async () => {
      const harness = await startPresenceChat(createStore, { presence: true });
      await harness.chat.addRoom('class');
      const alice = await login(harness, teacher);
      const bob = await login(harness, { userName: 'bob' });
      const bob2 = await login(harness, { userName: 'bob' });
      const bob3 = await login(harness, { userName: 'bob' });
      const carol = await login(harness, { userName: 'carol' });
      for (const user of [alice, bob, bob2, carol]) await user.chat.roomJoin('class');

      const content = { type: 'quiz', value: { question: 2, options: ['a', 'b'], done: false } };
      expect(await alice.chat.roomMemberMessage('class', 'bob', content)).toBeUndefined();
      expect(await bob.inbox.next('roomMemberMessage')).toEqual(['class', { from: 'alice', message: content }]);
      expect(await bob2.inbox.next('roomMemberMessage')).toEqual(['class', { from: 'alice', message: content }]);
      for (const user of [alice, bob, bob2, bob3, carol]) await user.inbox.flush();
      expect(bob.inbox.count('roomMemberMessage')).toBe(1);
      expect(bob2.inbox.count('roomMemberMessage')).toBe(1);
      expect(bob3.inbox.count('roomMemberMessage')).toBe(0);
      expect(carol.inbox.count('roomMemberMessage')).toBe(0);
      expect(alice.inbox.count('roomMemberMessage')).toBe(0);
      expect(harness.errors).toEqual([]);
    });

    it('roomMemberMessage to a user not joined to the room is notJoined [room, user] and delivers nothing', async () => {
      const harness = await startPresenceChat(createStore, { presence: true });
      await harness.chat.addRoom('class');
      const alice = await login(harness, teacher);
      const bob = await login(harness, { userName: 'bob' });
      await alice.chat.roomJoin('class');
      for (const target of ['bob', 'nobody']) {
        const error = await chatErrorOf(alice.chat.roomMemberMessage('class', target, { type: 'text', value: 'hi' }));
        expect(error.code).toBe(ChatErrorCode.NOT_JOINED);
        expect(error.args).toEqual(['class', target]);
      }
      await bob.inbox.flush();
      expect(bob.inbox.count('roomMemberMessage')).toBe(0);
      expect(harness.errors).toEqual([]);
    });

    it('roomBroadcast reaches the joined connections of the room\'s other members, none of the sender\'s own', async () => {
      const harness = await startPresenceChat(createStore, { presence: true });
      await harness.chat.addRoom('class');
      const alice = await login(harness, teacher);
      const alice2 = await login(harness, teacher);
      const bob = await login(harness, { userName: 'bob' });
      const carol = await login(harness, { userName: 'carol' });
      for (const user of [alice, alice2, bob]) await user.chat.roomJoin('class');

      expect(await alice.chat.roomBroadcast('class', { type: 'hand', value: true })).toBeUndefined();
      expect(await alice.chat.roomBroadcast('class', { type: 'ping' })).toBeUndefined();
      expect(await bob.inbox.next('roomBroadcast')).toEqual(['class', { from: 'alice', message: { type: 'hand', value: true } }]);
      expect(await bob.inbox.next('roomBroadcast')).toEqual(['class', { from: 'alice', message: { type: 'ping' } }]);
      for (const user of [alice, alice2, bob, carol]) await user.inbox.flush();
      expect(alice.inbox.count('roomBroadcast')).toBe(0);
      // CHAT.md: "relayed to the room's other members"; alice2 is alice's own connection.
      expect(alice2.inbox.count('roomBroadcast')).toBe(0);
      expect(bob.inbox.count('roomBroadcast')).toBe(2);
      expect(carol.inbox.count('roomBroadcast')).toBe(0);
      expect(harness.errors).toEqual([]);
    });

    it('non-members get notJoined from roomMemberMessage and roomBroadcast; a missing room is noRoom', async () => {
      const harness = await startPresenceChat(createStore, { presence: true });
      await harness.chat.addRoom('class');
      const alice = await login(harness, teacher);
      const bob = await login(harness, { userName: 'bob' });
      const bob2 = await login(harness, { userName: 'bob' });
      await alice.chat.roomJoin('class');
      // Bob is a member only if one of his connections is joined; bob2 is not either.
      for (const attempt of [bob.chat.roomMemberMessage('class', 'alice', { type: 'text' }), bob2.chat.roomBroadcast('class', { type: 'text' })]) {
        const error = await chatErrorOf(attempt);
        expect(error.code).toBe(ChatErrorCode.NOT_JOINED);
        expect(error.args).toEqual(['class']);
      }
      for (const attempt of [alice.chat.roomMemberMessage('gone', 'bob', { type: 'text' }), alice.chat.roomBroadcast('gone', { type: 'text' })]) {
        const error = await chatErrorOf(attempt);
        expect(error.code).toBe(ChatErrorCode.NO_ROOM);
        expect(error.args).toEqual(['gone']);
      }
      await alice.inbox.flush();
      expect(alice.inbox.count('roomMemberMessage')).toBe(0);
      expect(alice.inbox.count('roomBroadcast')).toBe(0);
      expect(harness.errors).toEqual([]);
    });
  });
}
