import type { ChatServerOptions, CommandContext } from '@volley/chat';
import type { ProcessedMessage } from '@volley/chat/client';
import { describe, expect, it } from 'vitest';
import { type ChatHarness, expectChatError, sorted, startChat, type StoreFactory, unlinked } from '../helpers.js';

const text = { textMessage: 'hello' };

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

      it('deleting a room sends roomAccessRemoved to every joined connection and the room is gone', async () => {
        const harness = await managed({ enableUserlistUpdates: true });
        const alice = await harness.login('alice');
        const bob1 = await harness.login('bob');
        const bob2 = await harness.login('bob');
        const carol = await harness.login('carol');
        await alice.chat.roomCreate('room', false);
        await alice.chat.roomCreate('other', false);
        await alice.chat.roomJoin('room');
        await bob1.chat.roomJoin('room');
        await bob2.chat.roomJoin('room');
        await bob1.chat.roomJoin('other');
        await carol.chat.roomJoin('other');

        await alice.chat.roomDelete('room');
        for (const user of [alice, bob1, bob2]) expect(await user.inbox.next('roomAccessRemoved')).toEqual(['room']);
        await Promise.all([alice, bob1, bob2, carol].map((user) => user.inbox.flush()));
        for (const user of [alice, bob1, bob2]) expect(user.inbox.count('roomAccessRemoved')).toBe(1);
        expect(carol.inbox.count('roomAccessRemoved')).toBe(0);

        expect(await harness.chat.hasRoom('room')).toBe(false);
        await expectChatError(alice.chat.roomGetOwner('room'), 'noRoom', ['room']);
        await expectChatError(bob1.chat.roomMessage('room', text), 'noRoom', ['room']);
        await expectChatError(bob2.chat.roomJoin('room'), 'noRoom', ['room']);
        expect(await bob1.chat.listOwnSockets()).toEqual({ [bob1.id]: ['other'], [bob2.id]: [] });
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

    describe('server API: users', () => {
      it('addUser creates an offline user and emits join; userExists and invalidName refuse', async () => {
        const harness = await startChat(createStore);
        const joined: string[] = [];
        harness.chat.on('join', (userName) => joined.push(userName));
        expect(await harness.chat.hasUser('bob')).toBe(false);
        await harness.chat.addUser('bob');
        expect(await harness.chat.hasUser('bob')).toBe(true);
        expect(await harness.chat.getUserConnections('bob')).toEqual([]);
        await expectChatError(harness.chat.addUser('bob'), 'userExists', ['bob']);
        await expectChatError(harness.chat.addUser('b:ob'), 'invalidName', ['b:ob']);
        await expectChatError(harness.chat.addUser('carol', { blacklist: ['x}'] }), 'invalidName', ['x}']);
        expect(await harness.chat.hasUser('carol')).toBe(false);
        // A user that logged in exists too.
        await harness.login('dave');
        await expectChatError(harness.chat.addUser('dave'), 'userExists', ['dave']);
        // Logging in as an added user is not a new user.
        await harness.login('bob');
        expect(joined).toEqual(['bob', 'dave']);
      });

      it('addUser with a list past directListSizeLimit is listLimitExceeded and creates nothing', async () => {
        const harness = await startChat(createStore, { directListSizeLimit: 1 });
        const joined: string[] = [];
        harness.chat.on('join', (userName) => joined.push(userName));
        await expectChatError(harness.chat.addUser('bob', { whitelist: ['x', 'y'] }), 'listLimitExceeded', ['whitelist']);
        expect(await harness.chat.hasUser('bob')).toBe(false);
        expect(joined).toEqual([]);
        await harness.chat.addUser('bob', { blacklist: ['x', 'x'] });
        expect(joined).toEqual(['bob']);
      });

      it("addUser's lists and whitelist-only mode govern the user's direct messages", async () => {
        const harness = await startChat(createStore, { enableDirectMessages: true });
        await harness.chat.addUser('bob', { blacklist: ['alice'] });
        await harness.chat.addUser('carol', { whitelistOnly: true, whitelist: ['dave'] });
        const alice = await harness.login('alice');
        const dave = await harness.login('dave');
        const bob = await harness.login('bob');
        const carol = await harness.login('carol');
        expect(await bob.chat.directGetAccessList('blacklist')).toEqual(['alice']);
        expect(await carol.chat.directGetWhitelistMode()).toBe(true);
        expect(await carol.chat.directGetAccessList('whitelist')).toEqual(['dave']);
        await expectChatError(alice.chat.directMessage('bob', text), 'notAllowed', ['bob']);
        await expectChatError(alice.chat.directMessage('carol', text), 'notAllowed', ['carol']);
        await dave.chat.directMessage('carol', text);
        expect((await carol.inbox.next('directMessage'))[0].author).toBe('dave');
      });

      it('deleteUser: noUser when unknown, userOnline while connected, deletes and emits leave once offline', async () => {
        const harness = await startChat(createStore);
        const left: string[] = [];
        harness.chat.on('leave', (userName) => left.push(userName));
        await expectChatError(harness.chat.deleteUser('ghost'), 'noUser', ['ghost']);
        const bob1 = await harness.login('bob');
        const bob2 = await harness.login('bob');
        await expectChatError(harness.chat.deleteUser('bob'), 'userOnline', ['bob']);
        const gone1 = unlinked(harness, 'bob');
        await bob1.chat.disconnect();
        await gone1;
        await expectChatError(harness.chat.deleteUser('bob'), 'userOnline', ['bob']);
        const gone2 = unlinked(harness, 'bob');
        await bob2.chat.disconnect();
        await gone2;
        expect(left).toEqual([]);
        await harness.chat.deleteUser('bob');
        expect(left).toEqual(['bob']);
        expect(await harness.chat.hasUser('bob')).toBe(false);
        await expectChatError(harness.chat.deleteUser('bob'), 'noUser', ['bob']);
        await harness.chat.addUser('offline');
        await harness.chat.deleteUser('offline');
        expect(left).toEqual(['bob', 'offline']);
      });

      it("disconnectUser closes every connection of the user and nobody else's", async () => {
        const harness = await startChat(createStore);
        const bob1 = await harness.login('bob');
        const bob2 = await harness.login('bob');
        const carol = await harness.login('carol');
        const closed = [bob1, bob2].map((user) => new Promise<number>((resolve) => user.chat.once('disconnected', (info) => resolve(info.code))));
        const gone = unlinked(harness, 'bob', 2);
        await harness.chat.disconnectUser('bob', 4001, 'kicked');
        expect(await Promise.all(closed)).toEqual([4001, 4001]);
        await gone;
        expect(await harness.chat.getUserConnections('bob')).toEqual([]);
        expect(await harness.chat.getUserConnections('carol')).toEqual([carol.id]);
        expect(carol.chat.state).toBe('connected');
        expect(await carol.chat.listOwnSockets()).toEqual({ [carol.id]: [] });
        expect(harness.errors).toEqual([]);
      });
    });

    describe('server API: execUserCommand', () => {
      it("runs a command as a user on one of the user's connections", async () => {
        const harness = await startChat(createStore);
        await harness.chat.addRoom('room');
        const bob1 = await harness.login('bob');
        const bob2 = await harness.login('bob');
        expect(await harness.chat.execUserCommand({ userName: 'bob', connectionId: bob1.id }, 'roomJoin', 'room')).toBe(1);
        expect(await bob2.inbox.next('roomJoinedEcho')).toEqual(['room', bob1.id, 1]);
        expect(await bob2.chat.listOwnSockets()).toEqual({ [bob1.id]: ['room'], [bob2.id]: [] });
        const id = await harness.chat.execUserCommand('bob', 'roomMessage', 'room', { textMessage: 'from the server' });
        expect(id).toBe(1);
        const [, message] = await bob1.inbox.next('roomMessage');
        expect(message).toMatchObject({ id: 1, author: 'bob', textMessage: 'from the server' });
        await bob1.inbox.flush();
        expect(bob1.inbox.count('roomJoinedEcho')).toBe(0);
        expect(await harness.chat.execUserCommand({ userName: 'bob', connectionId: bob1.id }, 'roomLeave', 'room')).toBe(0);
        expect(await bob2.inbox.next('roomLeftEcho')).toEqual(['room', bob1.id, 0]);
      });

      it('checks permissions as for the user, unless bypassPermissions is set', async () => {
        const harness = await startChat(createStore);
        await harness.chat.addRoom('room', { owner: 'owner', whitelistOnly: true });
        await harness.chat.addUser('erin');
        const erin = { userName: 'erin' };
        await expectChatError(harness.chat.execUserCommand(erin, 'roomAddToList', 'room', 'adminlist', ['x']), 'notAllowed', ['room', 'adminlist']);
        await expectChatError(harness.chat.execUserCommand(erin, 'roomGetOwner', 'room'), 'notJoined', ['room']);
        await expectChatError(harness.chat.execUserCommand(erin, 'roomCreate', 'new', false), 'notAllowed', []);

        const root = { userName: 'erin', bypassPermissions: true };
        await harness.chat.execUserCommand(root, 'roomAddToList', 'room', 'adminlist', ['x']);
        expect(await harness.chat.execUserCommand(root, 'roomGetAccessList', 'room', 'adminlist')).toEqual(['x']);
        await harness.chat.execUserCommand(root, 'roomSetWhitelistMode', 'room', false);
        expect(await harness.chat.execUserCommand(root, 'roomGetWhitelistMode', 'room')).toBe(false);
        await harness.chat.execUserCommand(root, 'roomCreate', 'new', false);
        expect(await harness.chat.execUserCommand(root, 'roomGetOwner', 'new')).toBe('erin');
        await harness.chat.execUserCommand(root, 'roomDelete', 'room');
        expect(await harness.chat.hasRoom('room')).toBe(false);
        // Bypassing the rules does not make a user exist.
        await expectChatError(harness.chat.execUserCommand({ userName: 'ghost', bypassPermissions: true }, 'roomList'), 'noUser', ['ghost']);
      });

      it('refuses with noCommand, wrongArgumentsCount, badArgument, noUser, invalidSocket and noSocket', async () => {
        const harness = await startChat(createStore);
        await harness.chat.addRoom('room');
        const alice = await harness.login('alice');
        const bob = await harness.login('bob');
        const chat = harness.chat;
        await expectChatError(chat.execUserCommand('alice', 'noSuchCommand'), 'noCommand', ['noSuchCommand']);
        await expectChatError(chat.execUserCommand('alice', 'toString'), 'noCommand', ['toString']);
        await expectChatError(chat.execUserCommand('alice', 'roomJoin'), 'wrongArgumentsCount', ['roomJoin', ['roomName', 'accessToken']]);
        await expectChatError(chat.execUserCommand('alice', 'roomJoin', 'room', 'token', 'extra'), 'wrongArgumentsCount', ['roomJoin', ['roomName', 'accessToken']]);
        await expectChatError(chat.execUserCommand('alice', 'roomList', 'after', 10, 'extra'), 'wrongArgumentsCount', ['roomList', ['after', 'limit']]);
        await expectChatError(chat.execUserCommand('alice', 'roomGetOwner', 5), 'badArgument', ['roomName', 'must be string']);
        await expectChatError(chat.execUserCommand('alice', 'roomSetWhitelistMode', 'room', 'yes'), 'badArgument', ['mode', 'must be boolean']);
        await expectChatError(chat.execUserCommand('ghost', 'roomList'), 'noUser', ['ghost']);
        await expectChatError(chat.execUserCommand({ userName: 'alice', connectionId: bob.id }, 'roomJoin', 'room'), 'invalidSocket', [bob.id]);
        await expectChatError(chat.execUserCommand({ userName: 'alice', connectionId: 'no-such-connection' }, 'roomList'), 'invalidSocket', ['no-such-connection']);
        await expectChatError(chat.execUserCommand('alice', 'roomJoin', 'room'), 'noSocket', ['roomJoin']);
        await expectChatError(chat.execUserCommand('alice', 'roomLeave', 'room'), 'noSocket', ['roomLeave']);
        expect(await alice.chat.listOwnSockets()).toEqual({ [alice.id]: [] });
        expect(await bob.chat.listOwnSockets()).toEqual({ [bob.id]: [] });
        expect(harness.errors).toEqual([]);
      });

      it('runs the before and after hooks of the command', async () => {
        const calls: { hook: string; context: CommandContext; args: unknown[]; outcome?: unknown }[] = [];
        const harness = await startChat(createStore, {
          hooks: {
            before: {
              roomGetOwner(context, args) {
                calls.push({ hook: 'before', context, args });
              },
              roomMessage(context, [roomName, message]) {
                calls.push({ hook: 'before', context, args: [roomName, message] });
                return { args: [roomName, { textMessage: `${message.textMessage ?? ''}!` }] };
              },
            },
            after: {
              roomGetOwner(context, args, outcome) {
                calls.push({ hook: 'after', context, args, outcome: { ...outcome, error: outcome.error?.code } });
                if (outcome.error !== undefined) return { result: 'hidden' };
                return undefined;
              },
            },
          },
        });
        await harness.chat.addRoom('room', { owner: 'owner' });
        await harness.chat.addUser('owner');
        await harness.chat.addUser('erin');
        expect(await harness.chat.execUserCommand('owner', 'roomGetOwner', 'room')).toBe('owner');
        // The after hook turns erin's notJoined into a result.
        expect(await harness.chat.execUserCommand('erin', 'roomGetOwner', 'room')).toBe('hidden');
        const ownerContext = { userName: 'owner', connectionId: undefined, bypassPermissions: false, signal: expect.any(AbortSignal) };
        const erinContext = { userName: 'erin', connectionId: undefined, bypassPermissions: false, signal: expect.any(AbortSignal) };
        expect(calls).toEqual([
          { hook: 'before', context: ownerContext, args: ['room'] },
          { hook: 'after', context: ownerContext, args: ['room'], outcome: { result: 'owner', error: undefined } },
          { hook: 'before', context: erinContext, args: ['room'] },
          { hook: 'after', context: erinContext, args: ['room'], outcome: { error: 'notJoined' } },
        ]);

        calls.length = 0;
        const bob = await harness.login('bob');
        await bob.chat.roomJoin('room');
        expect(await harness.chat.execUserCommand({ userName: 'bob', bypassPermissions: true }, 'roomMessage', 'room', { textMessage: 'hi' })).toBe(1);
        const [, message] = await bob.inbox.next('roomMessage');
        expect((message as ProcessedMessage).textMessage).toBe('hi!');
        expect(calls).toEqual([{ hook: 'before', context: { userName: 'bob', connectionId: undefined, bypassPermissions: true, signal: expect.any(AbortSignal) }, args: ['room', { textMessage: 'hi' }] }]);
        expect(harness.errors).toEqual([]);
      });
    });
  });
}
