import type { ChatServerOptions } from '@volley/chat';
import { describe, expect, it } from 'vitest';
import {
  type ChatHarness,
  expectChatError,
  sorted,
  startChat,
  type StoreFactory,
} from '../helpers.js';

const text = { textMessage: 'hello' };

// Room management by users and the server API's rooms; its users and execUserCommand are in user-management.contract.ts.
export default function managementContract(createStore: StoreFactory): void {
  function managed(options: Omit<ChatServerOptions, 'port' | 'store' | 'server'> = {}): Promise<ChatHarness> {
    return startChat(createStore, { enableRoomsManagement: true, ...options });
  }

  describe('room and user management', () => {
    describe('roomCreate and roomDelete', () => {
      it('roomCreate and roomDelete are notAllowed while room management is off', async () => {
        const harness = await startChat(createStore);
        await harness.chat.addRoom('room', { owner: 'alice' });
        const alice = await harness.login('alice');
        await expectChatError(alice.chat.roomCreate('mine', false), 'notAllowed', []);
        await expectChatError(alice.chat.roomDelete('room'), 'notAllowed', []);
        expect(await harness.chat.hasRoom('mine')).toBe(false);
        expect(await harness.chat.hasRoom('room')).toBe(true);
      });

      it('the creator owns the room it creates, which starts empty with the chosen mode', async () => {
        const harness = await managed();
        const alice = await harness.login('alice');
        const bob = await harness.login('bob');
        await alice.chat.roomCreate('open', false);
        await alice.chat.roomCreate('closed', true);
        expect(await harness.chat.hasRoom('open')).toBe(true);
        expect(await alice.chat.roomGetOwner('open')).toBe('alice');
        expect(await alice.chat.roomGetOwner('closed')).toBe('alice');
        expect(await alice.chat.roomGetWhitelistMode('open')).toBe(false);
        expect(await alice.chat.roomGetWhitelistMode('closed')).toBe(true);
        for (const list of ['adminlist', 'whitelist', 'blacklist', 'userlist'] as const) expect(await alice.chat.roomGetAccessList('closed', list)).toEqual([]);
        // Owner rights: the adminlist, and joining the whitelist-only room.
        await alice.chat.roomAddToList('closed', 'adminlist', ['bob']);
        expect(await alice.chat.roomJoin('closed')).toBe(1);
        expect(await bob.chat.roomJoin('closed')).toBe(1);
        expect(await bob.chat.roomJoin('open')).toBe(1);
        expect(await bob.chat.roomGetOwner('open')).toBe('alice');
        expect(harness.errors).toEqual([]);
      });

      it('roomCreate of an existing room is roomExists and changes nothing', async () => {
        const harness = await managed();
        await harness.chat.addRoom('taken', { owner: 'carol' });
        const alice = await harness.login('alice');
        await alice.chat.roomCreate('mine', false);
        await expectChatError(alice.chat.roomCreate('mine', true), 'roomExists', ['mine']);
        await expectChatError(alice.chat.roomCreate('taken', false), 'roomExists', ['taken']);
        expect(await alice.chat.roomGetWhitelistMode('mine')).toBe(false);
        expect(await harness.chat.execUserCommand({ userName: 'alice', bypassPermissions: true }, 'roomGetOwner', 'taken')).toBe('carol');
      });

      it('roomCreate with an invalid name is invalidName', async () => {
        const harness = await managed({ isValidName: (name) => !name.startsWith('x') });
        const alice = await harness.login('alice');
        for (const name of ['', 'a:b', 'a{b', 'a}b', 'line\nbreak', 'del\u007f', 'xroom']) {
          await expectChatError(alice.chat.roomCreate(name, false), 'invalidName', [name]);
          expect(await harness.chat.hasRoom(name)).toBe(false);
        }
      });

      it('roomDelete by anyone but the owner is notAllowed; of a missing room is noRoom', async () => {
        const harness = await managed();
        const alice = await harness.login('alice');
        const admin = await harness.login('admin');
        const member = await harness.login('member');
        await alice.chat.roomCreate('room', false);
        await alice.chat.roomAddToList('room', 'adminlist', ['admin']);
        await member.chat.roomJoin('room');
        await expectChatError(admin.chat.roomDelete('room'), 'notAllowed', ['room']);
        await expectChatError(member.chat.roomDelete('room'), 'notAllowed', ['room']);
        await expectChatError(alice.chat.roomDelete('nowhere'), 'noRoom', ['nowhere']);
        expect(await harness.chat.hasRoom('room')).toBe(true);
        expect(await alice.chat.roomGetAccessList('room', 'userlist')).toEqual(['member']);
      });

      it('deleting a room sends roomAccessRemoved to every connection of its members, joined or not, and the room is gone', async () => {
        const harness = await managed({ enableUserlistUpdates: true });
        const alice = await harness.login('alice');
        const bob1 = await harness.login('bob');
        const bob2 = await harness.login('bob');
        const bob3 = await harness.login('bob');
        const carol = await harness.login('carol');
        await alice.chat.roomCreate('room', false);
        await alice.chat.roomCreate('other', false);
        await alice.chat.roomJoin('room');
        await bob1.chat.roomJoin('room');
        await bob2.chat.roomJoin('room');
        await bob1.chat.roomJoin('other');
        await carol.chat.roomJoin('other');

        await alice.chat.roomDelete('room');
        // bob3 never joined, but it is bob's (CHAT.md: "everyone in it" is every user, on all its connections).
        for (const user of [alice, bob1, bob2, bob3]) expect(await user.inbox.next('roomAccessRemoved')).toEqual(['room']);
        await Promise.all([alice, bob1, bob2, bob3, carol].map((user) => user.inbox.flush()));
        for (const user of [alice, bob1, bob2, bob3]) expect(user.inbox.count('roomAccessRemoved')).toBe(1);
        expect(carol.inbox.count('roomAccessRemoved')).toBe(0);

        expect(await harness.chat.hasRoom('room')).toBe(false);
        await expectChatError(alice.chat.roomGetOwner('room'), 'noRoom', ['room']);
        await expectChatError(bob1.chat.roomMessage('room', text), 'noRoom', ['room']);
        await expectChatError(bob2.chat.roomJoin('room'), 'noRoom', ['room']);
        expect(await bob1.chat.listOwnSockets()).toEqual({ [bob1.id]: ['other'], [bob2.id]: [], [bob3.id]: [] });
        expect((await carol.chat.roomList()).map((room) => room.name)).toEqual(['other']);
        // The other room is untouched.
        expect(sorted(await carol.chat.roomGetAccessList('other', 'userlist'))).toEqual(['bob', 'carol']);
        // A room of the same name can be created again, empty.
        await carol.chat.roomCreate('room', false);
        expect(await carol.chat.roomGetOwner('room')).toBe('carol');
        expect(await carol.chat.roomGetAccessList('room', 'userlist')).toEqual([]);
        expect(harness.errors).toEqual([]);
      });
    });

    describe('server API: rooms', () => {
      it('addRoom applies owner, lists, mode, history size and notification settings', async () => {
        const harness = await startChat(createStore);
        await harness.chat.addRoom('room', {
          owner: 'owner',
          adminlist: ['admin'],
          whitelist: ['carol'],
          blacklist: ['dave'],
          whitelistOnly: true,
          historyMaxSize: 5,
          enableUserlistUpdates: true,
        });
        const owner = await harness.login('owner');
        const carol = await harness.login('carol');
        const dave = await harness.login('dave');
        const erin = await harness.login('erin');
        expect(await owner.chat.roomGetOwner('room')).toBe('owner');
        expect(await owner.chat.roomGetAccessList('room', 'adminlist')).toEqual(['admin']);
        expect(await owner.chat.roomGetAccessList('room', 'whitelist')).toEqual(['carol']);
        expect(await owner.chat.roomGetAccessList('room', 'blacklist')).toEqual(['dave']);
        expect(await owner.chat.roomGetWhitelistMode('room')).toBe(true);
        expect(await owner.chat.roomHistoryInfo('room')).toEqual({ historyMaxGetMessages: 100, historyMaxSize: 5, historySize: 0, lastMessageId: 0 });
        expect(await owner.chat.roomNotificationsInfo('room')).toEqual({ enableAccessListsUpdates: false, enableUserlistUpdates: true });
        expect(await carol.chat.roomJoin('room')).toBe(1);
        await expectChatError(dave.chat.roomJoin('room'), 'notAllowed', ['room']);
        await expectChatError(erin.chat.roomJoin('room'), 'notAllowed', ['room']);
      });

      it('addRoom without options makes an ownerless room with the server defaults', async () => {
        const harness = await startChat(createStore, { historyMaxSize: 7, enableAccessListsUpdates: true });
        await harness.chat.addRoom('plain');
        const bob = await harness.login('bob');
        expect(await bob.chat.roomJoin('plain')).toBe(1);
        expect(await bob.chat.roomGetOwner('plain')).toBeNull();
        expect(await bob.chat.roomGetWhitelistMode('plain')).toBe(false);
        expect(await bob.chat.roomHistoryInfo('plain')).toEqual({ historyMaxGetMessages: 100, historyMaxSize: 7, historySize: 0, lastMessageId: 0 });
        expect(await bob.chat.roomNotificationsInfo('plain')).toEqual({ enableAccessListsUpdates: true, enableUserlistUpdates: false });
        // Nobody owns it, so nobody edits its lists.
        await expectChatError(bob.chat.roomAddToList('plain', 'whitelist', ['x']), 'notAllowed', ['plain', 'whitelist']);
      });

      it('addRoom refuses invalid names and existing rooms; hasRoom tells which rooms exist', async () => {
        const harness = await startChat(createStore);
        expect(await harness.chat.hasRoom('room')).toBe(false);
        await harness.chat.addRoom('room', { owner: 'alice' });
        expect(await harness.chat.hasRoom('room')).toBe(true);
        await expectChatError(harness.chat.addRoom('room', { owner: 'bob' }), 'roomExists', ['room']);
        await expectChatError(harness.chat.addRoom('bad:room'), 'invalidName', ['bad:room']);
        await expectChatError(harness.chat.addRoom('fine', { owner: 'bad:owner' }), 'invalidName', ['bad:owner']);
        await expectChatError(harness.chat.addRoom('fine', { whitelist: ['ok', ''] }), 'invalidName', ['']);
        expect(await harness.chat.hasRoom('bad:room')).toBe(false);
        expect(await harness.chat.hasRoom('fine')).toBe(false);
        // The refused addRoom left the first one as it was.
        await harness.chat.addUser('root');
        expect(await harness.chat.execUserCommand({ userName: 'root', bypassPermissions: true }, 'roomGetOwner', 'room')).toBe('alice');
      });

      it('addRoom with a list past roomListSizeLimit is listLimitExceeded and creates nothing', async () => {
        const harness = await startChat(createStore, { roomListSizeLimit: 2 });
        await expectChatError(harness.chat.addRoom('room', { owner: 'alice', adminlist: ['a'], blacklist: ['x', 'y', 'z'] }), 'listLimitExceeded', ['blacklist']);
        expect(await harness.chat.hasRoom('room')).toBe(false);
        // Duplicates count once.
        await harness.chat.addRoom('room', { owner: 'alice', whitelist: ['a', 'b', 'a'] });
        await harness.chat.addUser('root');
        expect(sorted((await harness.chat.execUserCommand({ userName: 'root', bypassPermissions: true }, 'roomGetAccessList', 'room', 'whitelist')) as string[])).toEqual(['a', 'b']);
      });

      it('deleteRoom empties and removes the room; noRoom when it does not exist', async () => {
        const harness = await startChat(createStore);
        await harness.chat.addRoom('room');
        const bob = await harness.login('bob');
        await bob.chat.roomJoin('room');
        await harness.chat.deleteRoom('room');
        expect(await bob.inbox.next('roomAccessRemoved')).toEqual(['room']);
        expect(await harness.chat.hasRoom('room')).toBe(false);
        expect(await bob.chat.listOwnSockets()).toEqual({ [bob.id]: [] });
        await expectChatError(harness.chat.deleteRoom('room'), 'noRoom', ['room']);
      });

      it('changeRoomOwner gives the new owner the owner rights and takes them from the old one', async () => {
        const harness = await startChat(createStore);
        await harness.chat.addRoom('room', { owner: 'alice' });
        const alice = await harness.login('alice');
        const bob = await harness.login('bob');
        await alice.chat.roomJoin('room');
        await harness.chat.changeRoomOwner('room', 'bob');
        expect(await alice.chat.roomGetOwner('room')).toBe('bob');
        await expectChatError(alice.chat.roomAddToList('room', 'adminlist', ['x']), 'notAllowed', ['room', 'adminlist']);
        await bob.chat.roomAddToList('room', 'adminlist', ['x']);
        expect(await bob.chat.roomGetAccessList('room', 'adminlist')).toEqual(['x']);
        // Not whitelist-only: the old owner stays joined as a plain member.
        await alice.inbox.flush();
        expect(alice.inbox.count('roomAccessRemoved')).toBe(0);
        expect(await alice.chat.roomMessage('room', text)).toBe(1);

        await harness.chat.changeRoomOwner('room', null);
        expect(await alice.chat.roomGetOwner('room')).toBeNull();
        await expectChatError(bob.chat.roomAddToList('room', 'whitelist', ['x']), 'notAllowed', ['room', 'whitelist']);
      });

      it('changeRoomOwner in whitelist-only mode evicts the old owner unless a list keeps it in', async () => {
        const harness = await startChat(createStore, { enableUserlistUpdates: true });
        await harness.chat.addRoom('room', { owner: 'alice', whitelistOnly: true, whitelist: ['carol'] });
        await harness.chat.addRoom('kept', { owner: 'alice', whitelistOnly: true, whitelist: ['alice'] });
        const alice = await harness.login('alice');
        const carol = await harness.login('carol');
        await alice.chat.roomJoin('room');
        await alice.chat.roomJoin('kept');
        await carol.chat.roomJoin('room');

        await harness.chat.changeRoomOwner('room', 'carol');
        expect(await alice.inbox.next('roomAccessRemoved')).toEqual(['room']);
        expect(await carol.inbox.next('roomUserLeft')).toEqual(['room', 'alice']);
        expect(await carol.chat.roomGetAccessList('room', 'userlist')).toEqual(['carol']);
        await expectChatError(alice.chat.roomJoin('room'), 'notAllowed', ['room']);

        await harness.chat.changeRoomOwner('kept', 'carol');
        await alice.inbox.flush();
        expect(alice.inbox.count('roomAccessRemoved')).toBe(1);
        expect(await alice.chat.listOwnSockets()).toEqual({ [alice.id]: ['kept'] });
      });

      it('changeRoomOwner refuses a missing room and an invalid owner name', async () => {
        const harness = await startChat(createStore);
        await harness.chat.addRoom('room', { owner: 'alice' });
        await expectChatError(harness.chat.changeRoomOwner('nowhere', 'bob'), 'noRoom', ['nowhere']);
        await expectChatError(harness.chat.changeRoomOwner('room', 'b:ob'), 'invalidName', ['b:ob']);
        await harness.chat.addUser('root');
        expect(await harness.chat.execUserCommand({ userName: 'root', bypassPermissions: true }, 'roomGetOwner', 'room')).toBe('alice');
      });

      it('changeRoomHistoryMaxSize trims the oldest messages and keeps the ids', async () => {
        const harness = await startChat(createStore);
        await harness.chat.addRoom('room');
        const bob = await harness.login('bob');
        await bob.chat.roomJoin('room');
        for (let index = 1; index <= 5; index++) await bob.chat.roomMessage('room', { textMessage: `m${index}` });
        await harness.chat.changeRoomHistoryMaxSize('room', 2);
        expect(await bob.chat.roomHistoryInfo('room')).toEqual({ historyMaxGetMessages: 100, historyMaxSize: 2, historySize: 2, lastMessageId: 5 });
        expect((await bob.chat.roomRecentHistory('room')).map((message) => message.id)).toEqual([5, 4]);
        expect(await bob.chat.roomMessage('room', text)).toBe(6);
        expect((await bob.chat.roomRecentHistory('room')).map((message) => message.id)).toEqual([6, 5]);
        await harness.chat.changeRoomHistoryMaxSize('room', 0);
        expect(await bob.chat.roomHistoryInfo('room')).toEqual({ historyMaxGetMessages: 100, historyMaxSize: 0, historySize: 0, lastMessageId: 6 });
        await expectChatError(harness.chat.changeRoomHistoryMaxSize('nowhere', 3), 'noRoom', ['nowhere']);
        await expectChatError(harness.chat.changeRoomHistoryMaxSize('room', -1), 'badArgument', ['historyMaxSize', 'must be a non-negative integer']);
        await expectChatError(harness.chat.changeRoomHistoryMaxSize('room', 1.5), 'badArgument', ['historyMaxSize', 'must be a non-negative integer']);
      });

      it('changeRoomSettings switches the room notifications', async () => {
        const harness = await startChat(createStore);
        await harness.chat.addRoom('room', { owner: 'owner' });
        const owner = await harness.login('owner');
        const bob = await harness.login('bob');
        await owner.chat.roomJoin('room');
        await harness.chat.changeRoomSettings('room', { enableAccessListsUpdates: true, enableUserlistUpdates: true });
        expect(await owner.chat.roomNotificationsInfo('room')).toEqual({ enableAccessListsUpdates: true, enableUserlistUpdates: true });
        await bob.chat.roomJoin('room');
        expect(await owner.inbox.next('roomUserJoined')).toEqual(['room', 'bob']);
        await owner.chat.roomAddToList('room', 'whitelist', ['bob']);
        expect(await bob.inbox.next('roomAccessListAdded')).toEqual(['room', 'whitelist', ['bob']]);

        // A partial change leaves the other setting alone.
        await harness.chat.changeRoomSettings('room', { enableAccessListsUpdates: false });
        expect(await owner.chat.roomNotificationsInfo('room')).toEqual({ enableAccessListsUpdates: false, enableUserlistUpdates: true });
        await owner.chat.roomAddToList('room', 'whitelist', ['carol']);
        await bob.inbox.flush();
        expect(bob.inbox.count('roomAccessListAdded')).toBe(1);
        await expectChatError(harness.chat.changeRoomSettings('nowhere', { visible: true }), 'noRoom', ['nowhere']);
      });
    });
  });
}
