import type { AddRoomOptions, ChatServerOptions } from '@volley/chat';
import type { RoomListName } from '@volley/chat/client';
import { describe, expect, it } from 'vitest';
import { type ChatHarness, expectChatError, sorted, startChat, type StoreFactory } from '../helpers.js';

const text = { textMessage: 'hello' };

export default function accessListsContract(createStore: StoreFactory): void {
  /** A chat with room `room`, owned by `owner`, with `admin` on its adminlist. */
  async function setup(options: Omit<ChatServerOptions, 'port' | 'store' | 'server'> = {}, room: AddRoomOptions = {}): Promise<ChatHarness> {
    const harness = await startChat(createStore, options);
    await harness.chat.addRoom('room', { owner: 'owner', adminlist: ['admin'], ...room });
    return harness;
  }

  describe('room access lists and modes', () => {
    describe('join access', () => {
      it('the owner and admins join a whitelist-only room even when blacklisted and not whitelisted', async () => {
        const harness = await setup({}, { whitelistOnly: true, blacklist: ['owner', 'admin'] });
        const owner = await harness.login('owner');
        const admin = await harness.login('admin');
        expect(await owner.chat.roomJoin('room')).toBe(1);
        expect(await admin.chat.roomJoin('room')).toBe(1);
        expect(sorted(await owner.chat.roomGetAccessList('room', 'userlist'))).toEqual(['admin', 'owner']);
        expect(harness.errors).toEqual([]);
      });

      it('a blacklisted user never joins, not even when whitelisted, and nothing about it changes', async () => {
        const harness = await setup({}, { blacklist: ['bob'], whitelist: ['bob'] });
        const owner = await harness.login('owner');
        const bob = await harness.login('bob');
        await expectChatError(bob.chat.roomJoin('room'), 'notAllowed', ['room']);
        await owner.chat.roomSetWhitelistMode('room', true);
        await expectChatError(bob.chat.roomJoin('room'), 'notAllowed', ['room']);
        expect(await owner.chat.roomGetAccessList('room', 'userlist')).toEqual([]);
        expect(await owner.chat.roomUserSeen('room', 'bob')).toEqual({ joined: false, timestamp: null });
        expect(await bob.chat.listOwnSockets()).toEqual({ [bob.id]: [] });
      });

      it('in whitelist-only mode only whitelisted users (and admins) join; without the mode anyone not blacklisted does', async () => {
        const harness = await setup({}, { whitelistOnly: true, whitelist: ['carol'] });
        const owner = await harness.login('owner');
        const carol = await harness.login('carol');
        const dave = await harness.login('dave');
        expect(await carol.chat.roomJoin('room')).toBe(1);
        await expectChatError(dave.chat.roomJoin('room'), 'notAllowed', ['room']);
        await owner.chat.roomSetWhitelistMode('room', false);
        expect(await dave.chat.roomJoin('room')).toBe(1);
        expect(sorted(await owner.chat.roomGetAccessList('room', 'userlist'))).toEqual(['carol', 'dave']);
      });

      it('joining a room that does not exist is noRoom', async () => {
        const harness = await setup();
        const bob = await harness.login('bob');
        await expectChatError(bob.chat.roomJoin('nowhere'), 'noRoom', ['nowhere']);
      });
    });

    describe('who edits which list', () => {
      it('the owner adds to and removes from the adminlist, whitelist and blacklist', async () => {
        const harness = await setup();
        const owner = await harness.login('owner');
        for (const list of ['adminlist', 'whitelist', 'blacklist'] as const) {
          await owner.chat.roomAddToList('room', list, ['x', 'y']);
        }
        expect(sorted(await owner.chat.roomGetAccessList('room', 'adminlist'))).toEqual(['admin', 'x', 'y']);
        expect(sorted(await owner.chat.roomGetAccessList('room', 'whitelist'))).toEqual(['x', 'y']);
        expect(sorted(await owner.chat.roomGetAccessList('room', 'blacklist'))).toEqual(['x', 'y']);
        for (const list of ['adminlist', 'whitelist', 'blacklist'] as const) {
          await owner.chat.roomRemoveFromList('room', list, ['x']);
        }
        expect(sorted(await owner.chat.roomGetAccessList('room', 'adminlist'))).toEqual(['admin', 'y']);
        expect(await owner.chat.roomGetAccessList('room', 'whitelist')).toEqual(['y']);
        expect(await owner.chat.roomGetAccessList('room', 'blacklist')).toEqual(['y']);
        expect(harness.errors).toEqual([]);
      });

      it('admins edit the whitelist and blacklist but never the adminlist', async () => {
        const harness = await setup();
        const owner = await harness.login('owner');
        const admin = await harness.login('admin');
        await admin.chat.roomAddToList('room', 'whitelist', ['x']);
        await admin.chat.roomAddToList('room', 'blacklist', ['y']);
        expect(await owner.chat.roomGetAccessList('room', 'whitelist')).toEqual(['x']);
        expect(await owner.chat.roomGetAccessList('room', 'blacklist')).toEqual(['y']);
        await admin.chat.roomRemoveFromList('room', 'whitelist', ['x']);
        await admin.chat.roomRemoveFromList('room', 'blacklist', ['y']);
        expect(await owner.chat.roomGetAccessList('room', 'whitelist')).toEqual([]);
        expect(await owner.chat.roomGetAccessList('room', 'blacklist')).toEqual([]);

        await expectChatError(admin.chat.roomAddToList('room', 'adminlist', ['x']), 'notAllowed', ['room', 'adminlist']);
        await expectChatError(admin.chat.roomRemoveFromList('room', 'adminlist', ['admin']), 'notAllowed', ['room', 'adminlist']);
        expect(await owner.chat.roomGetAccessList('room', 'adminlist')).toEqual(['admin']);
      });

      it("admins may not put the owner's name in a list edit, and such an edit changes nothing", async () => {
        const harness = await setup({}, { whitelist: ['owner'] });
        const owner = await harness.login('owner');
        const admin = await harness.login('admin');
        await expectChatError(admin.chat.roomAddToList('room', 'blacklist', ['x', 'owner']), 'notAllowed', ['room', 'blacklist']);
        await expectChatError(admin.chat.roomRemoveFromList('room', 'whitelist', ['owner']), 'notAllowed', ['room', 'whitelist']);
        expect(await owner.chat.roomGetAccessList('room', 'blacklist')).toEqual([]);
        expect(await owner.chat.roomGetAccessList('room', 'whitelist')).toEqual(['owner']);
      });

      it('members and outsiders may not edit any list', async () => {
        const harness = await setup();
        const owner = await harness.login('owner');
        const member = await harness.login('member');
        const outsider = await harness.login('outsider');
        await member.chat.roomJoin('room');
        for (const user of [member, outsider]) {
          for (const list of ['adminlist', 'whitelist', 'blacklist'] as const) {
            await expectChatError(user.chat.roomAddToList('room', list, ['x']), 'notAllowed', ['room', list]);
            await expectChatError(user.chat.roomRemoveFromList('room', list, ['admin']), 'notAllowed', ['room', list]);
          }
        }
        expect(await owner.chat.roomGetAccessList('room', 'adminlist')).toEqual(['admin']);
        expect(await owner.chat.roomGetAccessList('room', 'whitelist')).toEqual([]);
        expect(await owner.chat.roomGetAccessList('room', 'blacklist')).toEqual([]);
      });

      it('the userlist is never editable, not even by the owner', async () => {
        const harness = await setup();
        const owner = await harness.login('owner');
        const bob = await harness.login('bob');
        await bob.chat.roomJoin('room');
        await expectChatError(owner.chat.roomAddToList('room', 'userlist', ['x']), 'notAllowed', ['room', 'userlist']);
        await expectChatError(owner.chat.roomRemoveFromList('room', 'userlist', ['bob']), 'notAllowed', ['room', 'userlist']);
        expect(await owner.chat.roomGetAccessList('room', 'userlist')).toEqual(['bob']);
      });

      it('an unknown list name is noList for edits and reads', async () => {
        const harness = await setup();
        const owner = await harness.login('owner');
        const friends = 'friends' as RoomListName;
        await expectChatError(owner.chat.roomAddToList('room', friends, ['x']), 'noList', ['friends']);
        await expectChatError(owner.chat.roomRemoveFromList('room', friends, ['x']), 'noList', ['friends']);
        await expectChatError(owner.chat.roomGetAccessList('room', friends), 'noList', ['friends']);
        await expectChatError(owner.chat.roomGetAccessList('room', 'tokenholders' as RoomListName), 'noList', ['tokenholders']);
      });

      it('adding duplicates and removing absent names succeed', async () => {
        const harness = await setup();
        const owner = await harness.login('owner');
        await owner.chat.roomAddToList('room', 'whitelist', ['a', 'a', 'b']);
        await owner.chat.roomAddToList('room', 'whitelist', ['a']);
        expect(sorted(await owner.chat.roomGetAccessList('room', 'whitelist'))).toEqual(['a', 'b']);
        await owner.chat.roomRemoveFromList('room', 'whitelist', ['zed', 'b', 'b']);
        expect(await owner.chat.roomGetAccessList('room', 'whitelist')).toEqual(['a']);
        await owner.chat.roomRemoveFromList('room', 'blacklist', ['nobody']);
        expect(await owner.chat.roomGetAccessList('room', 'blacklist')).toEqual([]);
        expect(harness.errors).toEqual([]);
      });

      it('an invalid name in userNames is invalidName and nothing is added or removed', async () => {
        const harness = await setup({ isValidName: (name) => name !== 'forbidden' });
        const owner = await harness.login('owner');
        await owner.chat.roomAddToList('room', 'whitelist', ['keep']);
        await expectChatError(owner.chat.roomAddToList('room', 'whitelist', ['ok', 'bad:name']), 'invalidName', ['bad:name']);
        await expectChatError(owner.chat.roomAddToList('room', 'blacklist', ['']), 'invalidName', ['']);
        await expectChatError(owner.chat.roomAddToList('room', 'blacklist', ['a{b}']), 'invalidName', ['a{b}']);
        await expectChatError(owner.chat.roomAddToList('room', 'blacklist', ['tab\there']), 'invalidName', ['tab\there']);
        await expectChatError(owner.chat.roomAddToList('room', 'blacklist', ['forbidden']), 'invalidName', ['forbidden']);
        await expectChatError(owner.chat.roomRemoveFromList('room', 'whitelist', ['keep', 'x:y']), 'invalidName', ['x:y']);
        expect(await owner.chat.roomGetAccessList('room', 'whitelist')).toEqual(['keep']);
        expect(await owner.chat.roomGetAccessList('room', 'blacklist')).toEqual([]);
      });

      it('an add that would pass roomListSizeLimit is listLimitExceeded and adds nothing', async () => {
        const harness = await setup({ roomListSizeLimit: 3 });
        const owner = await harness.login('owner');
        await owner.chat.roomAddToList('room', 'whitelist', ['a', 'b']);
        await expectChatError(owner.chat.roomAddToList('room', 'whitelist', ['c', 'd']), 'listLimitExceeded', ['whitelist']);
        expect(sorted(await owner.chat.roomGetAccessList('room', 'whitelist'))).toEqual(['a', 'b']);
        // Names already on the list do not count against the limit.
        await owner.chat.roomAddToList('room', 'whitelist', ['c', 'a', 'c']);
        await owner.chat.roomAddToList('room', 'whitelist', ['a', 'b', 'c']);
        expect(sorted(await owner.chat.roomGetAccessList('room', 'whitelist'))).toEqual(['a', 'b', 'c']);
        await expectChatError(owner.chat.roomAddToList('room', 'whitelist', ['d']), 'listLimitExceeded', ['whitelist']);
        // Each list has its own limit.
        await owner.chat.roomAddToList('room', 'blacklist', ['x', 'y', 'z']);
        expect(sorted(await owner.chat.roomGetAccessList('room', 'blacklist'))).toEqual(['x', 'y', 'z']);
        expect(harness.errors).toEqual([]);
      });

      it('list edits of a room that does not exist are noRoom', async () => {
        const harness = await setup();
        const owner = await harness.login('owner');
        await expectChatError(owner.chat.roomAddToList('nowhere', 'whitelist', ['x']), 'noRoom', ['nowhere']);
        await expectChatError(owner.chat.roomRemoveFromList('nowhere', 'whitelist', ['x']), 'noRoom', ['nowhere']);
        await expectChatError(owner.chat.roomGetAccessList('nowhere', 'whitelist'), 'noRoom', ['nowhere']);
      });
    });

    describe('read commands', () => {
      it('an outsider gets notJoined from every read command', async () => {
        const harness = await setup();
        const outsider = await harness.login('outsider');
        const reads: Promise<unknown>[] = [
          outsider.chat.roomGetAccessList('room', 'whitelist'),
          outsider.chat.roomGetOwner('room'),
          outsider.chat.roomGetWhitelistMode('room'),
          outsider.chat.roomHistoryInfo('room'),
          outsider.chat.roomRecentHistory('room'),
          outsider.chat.roomHistoryGet('room', 0, 10),
          outsider.chat.roomUserSeen('room', 'owner'),
          outsider.chat.roomNotificationsInfo('room'),
        ];
        for (const read of reads) await expectChatError(read, 'notJoined', ['room']);
      });

      it('a user joined on any of its connections reads with every connection', async () => {
        const harness = await setup({ enableUserlistUpdates: true }, { whitelist: ['w'] });
        const joined = await harness.login('bob');
        const other = await harness.login('bob');
        await joined.chat.roomJoin('room');
        const messageId = await joined.chat.roomMessage('room', text);
        expect(messageId).toBe(1);
        const reader = other.chat;
        expect(await reader.roomGetAccessList('room', 'whitelist')).toEqual(['w']);
        expect(await reader.roomGetAccessList('room', 'userlist')).toEqual(['bob']);
        expect(await reader.roomGetOwner('room')).toBe('owner');
        expect(await reader.roomGetWhitelistMode('room')).toBe(false);
        expect(await reader.roomHistoryInfo('room')).toEqual({ historyMaxGetMessages: 100, historyMaxSize: 10_000, historySize: 1, lastMessageId: 1 });
        const recent = await reader.roomRecentHistory('room');
        expect(recent).toHaveLength(1);
        expect(recent[0]).toMatchObject({ textMessage: 'hello', author: 'bob', id: 1 });
        expect(await reader.roomHistoryGet('room', 0, 10)).toEqual(recent);
        const seen = await reader.roomUserSeen('room', 'bob');
        expect(seen.joined).toBe(true);
        expect(typeof seen.timestamp).toBe('number');
        expect(await reader.roomNotificationsInfo('room')).toEqual({ enableAccessListsUpdates: false, enableUserlistUpdates: true });
      });

      it('the owner and admins read without joining', async () => {
        const harness = await setup({}, { whitelistOnly: true });
        const owner = await harness.login('owner');
        const admin = await harness.login('admin');
        for (const user of [owner, admin]) {
          expect(await user.chat.roomGetAccessList('room', 'adminlist')).toEqual(['admin']);
          expect(await user.chat.roomGetOwner('room')).toBe('owner');
          expect(await user.chat.roomGetWhitelistMode('room')).toBe(true);
          expect(await user.chat.roomHistoryInfo('room')).toEqual({ historyMaxGetMessages: 100, historyMaxSize: 10_000, historySize: 0, lastMessageId: 0 });
          expect(await user.chat.roomRecentHistory('room')).toEqual([]);
          expect(await user.chat.roomHistoryGet('room', 0, 5)).toEqual([]);
          expect(await user.chat.roomUserSeen('room', 'nobody')).toEqual({ joined: false, timestamp: null });
          expect(await user.chat.roomNotificationsInfo('room')).toEqual({ enableAccessListsUpdates: false, enableUserlistUpdates: false });
        }
      });

      it('a user that left the room reads no more', async () => {
        const harness = await setup();
        const bob = await harness.login('bob');
        await bob.chat.roomJoin('room');
        expect(await bob.chat.roomGetOwner('room')).toBe('owner');
        expect(await bob.chat.roomLeave('room')).toBe(0);
        await expectChatError(bob.chat.roomGetOwner('room'), 'notJoined', ['room']);
      });
    });

    describe('losing access evicts', () => {
      it('adding a joined user to the blacklist evicts all of its joined connections', async () => {
        const harness = await setup({ enableUserlistUpdates: true });
        const owner = await harness.login('owner');
        const carol = await harness.login('carol');
        const bob1 = await harness.login('bob');
        const bob2 = await harness.login('bob');
        const bob3 = await harness.login('bob');
        await carol.chat.roomJoin('room');
        await bob1.chat.roomJoin('room');
        await bob2.chat.roomJoin('room');

        await owner.chat.roomAddToList('room', 'blacklist', ['bob']);
        expect(await bob1.inbox.next('roomAccessRemoved')).toEqual(['room']);
        expect(await bob2.inbox.next('roomAccessRemoved')).toEqual(['room']);
        expect(await carol.inbox.next('roomUserLeft')).toEqual(['room', 'bob']);
        await Promise.all([bob1.inbox.flush(), bob2.inbox.flush(), bob3.inbox.flush(), carol.inbox.flush()]);
        expect(bob1.inbox.count('roomAccessRemoved')).toBe(1);
        expect(bob2.inbox.count('roomAccessRemoved')).toBe(1);
        // bob3 was never joined: it has nothing to lose.
        expect(bob3.inbox.count('roomAccessRemoved')).toBe(0);
        expect(carol.inbox.count('roomUserLeft')).toBe(1);
        expect(carol.inbox.count('roomAccessRemoved')).toBe(0);

        expect(await owner.chat.roomGetAccessList('room', 'userlist')).toEqual(['carol']);
        expect(await bob3.chat.listOwnSockets()).toEqual({ [bob1.id]: [], [bob2.id]: [], [bob3.id]: [] });
        await expectChatError(bob1.chat.roomMessage('room', text), 'notJoined', ['room']);
        await expectChatError(bob2.chat.roomMessage('room', text), 'notJoined', ['room']);
        await expectChatError(bob1.chat.roomJoin('room'), 'notAllowed', ['room']);

        bob1.inbox.clear();
        bob2.inbox.clear();
        await carol.chat.roomMessage('room', { textMessage: 'after' });
        expect((await carol.inbox.next('roomMessage'))[1]).toMatchObject({ textMessage: 'after', author: 'carol' });
        await Promise.all([bob1.inbox.flush(), bob2.inbox.flush()]);
        expect(bob1.inbox.count('roomMessage')).toBe(0);
        expect(bob2.inbox.count('roomMessage')).toBe(0);
        expect(harness.errors).toEqual([]);
      });

      it('without userlist updates an eviction tells the evicted user but sends no roomUserLeft', async () => {
        const harness = await setup();
        const owner = await harness.login('owner');
        const carol = await harness.login('carol');
        const bob = await harness.login('bob');
        await carol.chat.roomJoin('room');
        await bob.chat.roomJoin('room');
        await owner.chat.roomAddToList('room', 'blacklist', ['bob']);
        expect(await bob.inbox.next('roomAccessRemoved')).toEqual(['room']);
        await carol.inbox.flush();
        expect(carol.inbox.count('roomUserLeft')).toBe(0);
        expect(await owner.chat.roomGetAccessList('room', 'userlist')).toEqual(['carol']);
      });

      it('blacklisting a user that is not joined, or a list other than the blacklist, evicts nobody', async () => {
        const harness = await setup({ enableUserlistUpdates: true });
        const owner = await harness.login('owner');
        const bob = await harness.login('bob');
        await bob.chat.roomJoin('room');
        await owner.chat.roomAddToList('room', 'blacklist', ['carol']);
        await owner.chat.roomAddToList('room', 'whitelist', ['bob']);
        await owner.chat.roomRemoveFromList('room', 'whitelist', ['bob']);
        await bob.inbox.flush();
        expect(bob.inbox.count('roomAccessRemoved')).toBe(0);
        expect(await owner.chat.roomGetAccessList('room', 'userlist')).toEqual(['bob']);
        expect(await bob.chat.roomMessage('room', text)).toBe(1);
      });

      it('removing a joined user from the whitelist in whitelist-only mode evicts it', async () => {
        const harness = await setup({ enableUserlistUpdates: true }, { whitelistOnly: true, whitelist: ['bob', 'carol'] });
        const owner = await harness.login('owner');
        const carol = await harness.login('carol');
        const bob = await harness.login('bob');
        await carol.chat.roomJoin('room');
        await bob.chat.roomJoin('room');
        await owner.chat.roomRemoveFromList('room', 'whitelist', ['bob']);
        expect(await bob.inbox.next('roomAccessRemoved')).toEqual(['room']);
        expect(await carol.inbox.next('roomUserLeft')).toEqual(['room', 'bob']);
        expect(await owner.chat.roomGetAccessList('room', 'userlist')).toEqual(['carol']);
        await expectChatError(bob.chat.roomMessage('room', text), 'notJoined', ['room']);
      });

      it('switching whitelist-only on evicts every joined user not whitelisted, never the owner or admins', async () => {
        const harness = await setup({ enableUserlistUpdates: true }, { whitelist: ['carol'] });
        const owner = await harness.login('owner');
        const admin = await harness.login('admin');
        const carol = await harness.login('carol');
        const bob = await harness.login('bob');
        const dave = await harness.login('dave');
        for (const user of [owner, admin, carol, bob, dave]) await user.chat.roomJoin('room');

        await owner.chat.roomSetWhitelistMode('room', true);
        expect(await bob.inbox.next('roomAccessRemoved')).toEqual(['room']);
        expect(await dave.inbox.next('roomAccessRemoved')).toEqual(['room']);
        const left = [await carol.inbox.next('roomUserLeft'), await carol.inbox.next('roomUserLeft')];
        expect(left.map(([, user]) => user).sort()).toEqual(['bob', 'dave']);
        await Promise.all([owner, admin, carol].map((user) => user.inbox.flush()));
        for (const user of [owner, admin, carol]) expect(user.inbox.count('roomAccessRemoved')).toBe(0);
        expect(carol.inbox.count('roomUserLeft')).toBe(2);
        expect(sorted(await owner.chat.roomGetAccessList('room', 'userlist'))).toEqual(['admin', 'carol', 'owner']);
        expect(await admin.chat.roomMessage('room', text)).toBe(1);
      });

      it('the owner and admins are never evicted by the blacklist', async () => {
        const harness = await setup();
        const owner = await harness.login('owner');
        const admin = await harness.login('admin');
        await owner.chat.roomJoin('room');
        await admin.chat.roomJoin('room');
        await owner.chat.roomAddToList('room', 'blacklist', ['admin', 'owner']);
        await Promise.all([owner.inbox.flush(), admin.inbox.flush()]);
        expect(owner.inbox.count('roomAccessRemoved')).toBe(0);
        expect(admin.inbox.count('roomAccessRemoved')).toBe(0);
        expect(sorted(await owner.chat.roomGetAccessList('room', 'userlist'))).toEqual(['admin', 'owner']);
        expect(await admin.chat.roomMessage('room', text)).toBe(1);
      });

      it('removing a joined user from the adminlist evicts it in whitelist-only mode only', async () => {
        const harness = await setup({ enableUserlistUpdates: true }, { adminlist: ['admin', 'helper'], whitelistOnly: true });
        const owner = await harness.login('owner');
        const admin = await harness.login('admin');
        const helper = await harness.login('helper');
        await owner.chat.roomJoin('room');
        await admin.chat.roomJoin('room');
        await helper.chat.roomJoin('room');

        await owner.chat.roomRemoveFromList('room', 'adminlist', ['helper']);
        expect(await helper.inbox.next('roomAccessRemoved')).toEqual(['room']);
        expect(await owner.inbox.next('roomUserLeft')).toEqual(['room', 'helper']);
        expect(sorted(await owner.chat.roomGetAccessList('room', 'userlist'))).toEqual(['admin', 'owner']);

        // Without whitelist-only mode a former admin keeps its place like any member.
        await owner.chat.roomSetWhitelistMode('room', false);
        await owner.chat.roomRemoveFromList('room', 'adminlist', ['admin']);
        await admin.inbox.flush();
        expect(admin.inbox.count('roomAccessRemoved')).toBe(0);
        expect(sorted(await owner.chat.roomGetAccessList('room', 'userlist'))).toEqual(['admin', 'owner']);
        await expectChatError(admin.chat.roomAddToList('room', 'whitelist', ['x']), 'notAllowed', ['room', 'whitelist']);
      });

      it('a blacklisted admin removed from the adminlist is evicted', async () => {
        const harness = await setup({}, { blacklist: ['admin'] });
        const owner = await harness.login('owner');
        const admin = await harness.login('admin');
        await admin.chat.roomJoin('room');
        await owner.chat.roomRemoveFromList('room', 'adminlist', ['admin']);
        expect(await admin.inbox.next('roomAccessRemoved')).toEqual(['room']);
        expect(await owner.chat.roomGetAccessList('room', 'userlist')).toEqual([]);
      });
    });

    describe('list and mode notifications', () => {
      it('with enableAccessListsUpdates every joined connection gets roomAccessListAdded/Removed and roomModeChanged', async () => {
        const harness = await setup({ enableAccessListsUpdates: true });
        const owner = await harness.login('owner');
        const member1 = await harness.login('member');
        const member2 = await harness.login('member');
        const outsider = await harness.login('outsider');
        await owner.chat.roomJoin('room');
        await member1.chat.roomJoin('room');
        await member2.chat.roomJoin('room');

        // member is whitelisted so that switching whitelist-only on does not evict it.
        await owner.chat.roomAddToList('room', 'whitelist', ['member', 'y']);
        await owner.chat.roomRemoveFromList('room', 'whitelist', ['y']);
        await owner.chat.roomAddToList('room', 'adminlist', ['z']);
        await owner.chat.roomSetWhitelistMode('room', true);
        await owner.chat.roomSetWhitelistMode('room', false);
        // Setting the mode it already has changes nothing, so it tells nobody.
        await owner.chat.roomSetWhitelistMode('room', false);
        for (const user of [owner, member1, member2]) {
          expect(await user.inbox.next('roomAccessListAdded')).toEqual(['room', 'whitelist', ['member', 'y']]);
          expect(await user.inbox.next('roomAccessListRemoved')).toEqual(['room', 'whitelist', ['y']]);
          expect(await user.inbox.next('roomAccessListAdded')).toEqual(['room', 'adminlist', ['z']]);
          expect(await user.inbox.next('roomModeChanged')).toEqual(['room', true]);
          expect(await user.inbox.next('roomModeChanged')).toEqual(['room', false]);
        }
        await Promise.all([owner, member1, member2, outsider].map((user) => user.inbox.flush()));
        for (const user of [owner, member1, member2]) {
          expect(user.inbox.count('roomAccessListAdded')).toBe(2);
          expect(user.inbox.count('roomAccessListRemoved')).toBe(1);
          expect(user.inbox.count('roomModeChanged')).toBe(2);
        }
        for (const name of ['roomAccessListAdded', 'roomAccessListRemoved', 'roomModeChanged'] as const) expect(outsider.inbox.count(name)).toBe(0);
        expect(await owner.chat.roomNotificationsInfo('room')).toEqual({ enableAccessListsUpdates: true, enableUserlistUpdates: false });
      });

      it('a room created with enableAccessListsUpdates sends them even when the server default is off', async () => {
        const harness = await setup({}, { enableAccessListsUpdates: true });
        const owner = await harness.login('owner');
        const member = await harness.login('member');
        await member.chat.roomJoin('room');
        await owner.chat.roomAddToList('room', 'blacklist', ['x']);
        expect(await member.inbox.next('roomAccessListAdded')).toEqual(['room', 'blacklist', ['x']]);
      });

      it('without enableAccessListsUpdates no list or mode notification is sent', async () => {
        const harness = await setup();
        const owner = await harness.login('owner');
        const member = await harness.login('member');
        await owner.chat.roomJoin('room');
        await member.chat.roomJoin('room');
        await owner.chat.roomAddToList('room', 'whitelist', ['member']);
        await owner.chat.roomRemoveFromList('room', 'blacklist', ['x']);
        await owner.chat.roomSetWhitelistMode('room', true);
        await Promise.all([owner.inbox.flush(), member.inbox.flush()]);
        for (const user of [owner, member]) {
          for (const name of ['roomAccessListAdded', 'roomAccessListRemoved', 'roomModeChanged'] as const) expect(user.inbox.count(name)).toBe(0);
        }
        expect(await owner.chat.roomGetWhitelistMode('room')).toBe(true);
      });

      it('a refused edit sends no notification', async () => {
        const harness = await setup({ enableAccessListsUpdates: true });
        const admin = await harness.login('admin');
        const member = await harness.login('member');
        await member.chat.roomJoin('room');
        await expectChatError(admin.chat.roomAddToList('room', 'adminlist', ['x']), 'notAllowed', ['room', 'adminlist']);
        await expectChatError(member.chat.roomSetWhitelistMode('room', true), 'notAllowed', ['room']);
        await member.inbox.flush();
        expect(member.inbox.count('roomAccessListAdded')).toBe(0);
        expect(member.inbox.count('roomModeChanged')).toBe(0);
      });
    });

    describe('roomSetWhitelistMode', () => {
      it('the owner and admins switch the mode; members and outsiders get notAllowed', async () => {
        const harness = await setup({}, { whitelist: ['member'] });
        const owner = await harness.login('owner');
        const admin = await harness.login('admin');
        const member = await harness.login('member');
        const outsider = await harness.login('outsider');
        await member.chat.roomJoin('room');
        await expectChatError(member.chat.roomSetWhitelistMode('room', true), 'notAllowed', ['room']);
        await expectChatError(outsider.chat.roomSetWhitelistMode('room', true), 'notAllowed', ['room']);
        expect(await member.chat.roomGetWhitelistMode('room')).toBe(false);
        await owner.chat.roomSetWhitelistMode('room', true);
        expect(await member.chat.roomGetWhitelistMode('room')).toBe(true);
        await admin.chat.roomSetWhitelistMode('room', false);
        expect(await member.chat.roomGetWhitelistMode('room')).toBe(false);
        await expectChatError(member.chat.roomSetWhitelistMode('room', true), 'notAllowed', ['room']);
        await expectChatError(owner.chat.roomSetWhitelistMode('nowhere', true), 'noRoom', ['nowhere']);
        expect(await owner.chat.roomGetWhitelistMode('room')).toBe(false);
      });
    });
  });
}
