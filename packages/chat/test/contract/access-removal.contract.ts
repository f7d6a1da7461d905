import type { AddRoomOptions, ChatServerOptions } from '@volley/chat';
import { describe, expect, it } from 'vitest';
import {
  type ChatHarness,
  expectChatError,
  sorted,
  type StoreFactory,
} from '../helpers.js';
import { setupRoom } from './access-lists.contract.js';

const text = { textMessage: 'hello' };

// Losing access (eviction), list and mode notifications, and whitelist mode; joining, editing and reading lists are in access-lists.contract.ts.
export default function accessRemovalContract(createStore: StoreFactory): void {
  const setup = (options?: Omit<ChatServerOptions, 'port' | 'store' | 'server'>, room?: AddRoomOptions): Promise<ChatHarness> =>
    setupRoom(createStore, options, room);

  describe('room access lists and modes', () => {
    describe('losing access evicts', () => {
      it('adding a joined user to the blacklist evicts all of its joined connections and tells every connection of it', async () => {
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
        // bob3 was never joined, but it is bob's too: it must stop offering the room (CHAT.md: "all of that user's connections").
        expect(bob3.inbox.all('roomAccessRemoved')).toEqual([['room']]);
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
