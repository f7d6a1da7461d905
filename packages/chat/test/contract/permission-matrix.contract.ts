/**
 * Who may run which command against one room, as a table: every client command × five roles
 * relative to room `lobby`. Each cell runs the command through that role's ChatClient on a fresh
 * server (the command may mutate the room, and no cell may see another's effects) and asserts it
 * succeeds or fails with exactly the listed ChatError code.
 *
 * The roles, with room `lobby` owned by `owner`, `admin` on its adminlist and `blacklisted` on its
 * blacklist:
 * - owner, admin: logged in, NOT joined — their rights come from their role alone, so the read
 *   cells show that admin-level replaces joining, and the message cells that it does not;
 * - member: joined (whitelisted too, in whitelist-only variants), not an admin;
 * - outsider: logged in, not joined, on no list;
 * - blacklisted: logged in, on the blacklist, not joined.
 * A sixth user, `peer`, is joined to the room in every cell: the recipient of direct and member
 * messages and the subject of `roomUserSeen`. Rows "after presenting the access token" first run
 * `roomJoin('lobby', token)` as the acting role, which makes every role but the blacklisted one a
 * token holder (and joined).
 *
 * Sources of the expected outcomes: CHAT.md ("Rooms", "Lobbies, visibility and room data") and the
 * design decisions of the brief (admin-level = owner, adminlist, token holders; reads need joined
 * or admin-level → notJoined; messages, receipts, member messages and broadcasts need joined).
 */
import { describe, expect, it } from 'vitest';
import { type ChatCommandName, type ChatCommands, type ChatErrorCode, chatCommandNames } from '@volley/chat/client';
import { type StoreFactory, type TestUser, chatErrorOf, startChat } from '../helpers.js';

const roles = ['owner', 'admin', 'member', 'outsider', 'blacklisted'] as const;
type Role = (typeof roles)[number];
type Outcome = 'ok' | ChatErrorCode;

/** How `lobby` is set up for a row (defaults: open, hidden, no access token). */
interface RoomSetup {
  whitelistOnly?: boolean;
  visible?: boolean;
  accessToken?: string;
  /** The acting role runs `roomJoin('lobby', accessToken)` first, becoming a token holder unless refused. */
  presentToken?: boolean;
}

interface Row {
  command: ChatCommandName;
  /** What distinguishes this row from the command's other rows (a list, a room setting). */
  variant?: string;
  args: readonly unknown[];
  room: RoomSetup;
  expected: Record<Role, Outcome>;
}

function row<K extends ChatCommandName>(
  command: K,
  args: Parameters<ChatCommands[K]>,
  expected: Record<Role, Outcome>,
  variant?: { label: string; room?: RoomSetup },
): Row {
  return { command, args, expected, room: variant?.room ?? {}, ...(variant === undefined ? {} : { variant: variant.label }) };
}

const text = { textMessage: 'hello' };
/** Rows where the actor presented the room's access token before the command. */
const tokenPresented: RoomSetup = { accessToken: 'secret', presentToken: true };
const presence = { type: 'wave', value: 1 };

/** The expected outcome of every command for every role. */
const matrix: Row[] = [
  // --- room-independent: the same for every role ---
  row('directAddToList', ['blacklist', ['peer']], { owner: 'ok', admin: 'ok', member: 'ok', outsider: 'ok', blacklisted: 'ok' }),
  row('directGetAccessList', ['blacklist'], { owner: 'ok', admin: 'ok', member: 'ok', outsider: 'ok', blacklisted: 'ok' }),
  row('directGetWhitelistMode', [], { owner: 'ok', admin: 'ok', member: 'ok', outsider: 'ok', blacklisted: 'ok' }),
  row('directMessage', ['peer', text], { owner: 'ok', admin: 'ok', member: 'ok', outsider: 'ok', blacklisted: 'ok' }),
  row('directRemoveFromList', ['blacklist', ['peer']], { owner: 'ok', admin: 'ok', member: 'ok', outsider: 'ok', blacklisted: 'ok' }),
  row('directSetWhitelistMode', [true], { owner: 'ok', admin: 'ok', member: 'ok', outsider: 'ok', blacklisted: 'ok' }),
  row('listOwnSockets', [], { owner: 'ok', admin: 'ok', member: 'ok', outsider: 'ok', blacklisted: 'ok' }),
  row('systemMessage', [{ any: 'data' }], { owner: 'ok', admin: 'ok', member: 'ok', outsider: 'ok', blacklisted: 'ok' }),
  row('roomList', [], { owner: 'ok', admin: 'ok', member: 'ok', outsider: 'ok', blacklisted: 'ok' }),
  row('roomCreate', ['newroom', false], { owner: 'ok', admin: 'ok', member: 'ok', outsider: 'ok', blacklisted: 'ok' }),

  // --- joining: owner and admins always; blacklisted never; whitelist-only needs the whitelist or the token ---
  row('roomJoin', ['lobby'], { owner: 'ok', admin: 'ok', member: 'ok', outsider: 'ok', blacklisted: 'notAllowed' }),
  row('roomJoin', ['lobby'], { owner: 'ok', admin: 'ok', member: 'ok', outsider: 'notAllowed', blacklisted: 'notAllowed' }, {
    label: 'whitelist-only room',
    room: { whitelistOnly: true },
  }),
  // The blacklist beats the token.
  row('roomJoin', ['lobby', 'secret'], { owner: 'ok', admin: 'ok', member: 'ok', outsider: 'ok', blacklisted: 'notAllowed' }, {
    label: 'with the access token, whitelist-only room',
    room: { whitelistOnly: true, accessToken: 'secret' },
  }),
  // A wrong token is refused before any other rule, even for the owner (CHAT.md is silent; as implemented).
  row('roomJoin', ['lobby', 'wrong'], { owner: 'notAllowed', admin: 'notAllowed', member: 'notAllowed', outsider: 'notAllowed', blacklisted: 'notAllowed' }, {
    label: 'with a wrong access token',
    room: { accessToken: 'secret' },
  }),
  // Leaving when not joined is no error: it returns 0 and sends nothing.
  row('roomLeave', ['lobby'], { owner: 'ok', admin: 'ok', member: 'ok', outsider: 'ok', blacklisted: 'ok' }),

  // --- reads: joined or admin-level, else notJoined ---
  row('roomGetAccessList', ['lobby', 'adminlist'], { owner: 'ok', admin: 'ok', member: 'ok', outsider: 'notJoined', blacklisted: 'notJoined' }),
  row('roomGetOwner', ['lobby'], { owner: 'ok', admin: 'ok', member: 'ok', outsider: 'notJoined', blacklisted: 'notJoined' }),
  row('roomGetWhitelistMode', ['lobby'], { owner: 'ok', admin: 'ok', member: 'ok', outsider: 'notJoined', blacklisted: 'notJoined' }),
  row('roomHistoryGet', ['lobby', 0, 10], { owner: 'ok', admin: 'ok', member: 'ok', outsider: 'notJoined', blacklisted: 'notJoined' }),
  row('roomHistoryInfo', ['lobby'], { owner: 'ok', admin: 'ok', member: 'ok', outsider: 'notJoined', blacklisted: 'notJoined' }),
  row('roomNotificationsInfo', ['lobby'], { owner: 'ok', admin: 'ok', member: 'ok', outsider: 'notJoined', blacklisted: 'notJoined' }),
  row('roomRecentHistory', ['lobby'], { owner: 'ok', admin: 'ok', member: 'ok', outsider: 'notJoined', blacklisted: 'notJoined' }),
  row('roomUserSeen', ['lobby', 'peer'], { owner: 'ok', admin: 'ok', member: 'ok', outsider: 'notJoined', blacklisted: 'notJoined' }),
  // The public part goes to anyone who can see the room; a hidden room is seen by members and admins only.
  row('roomGetData', ['lobby'], { owner: 'ok', admin: 'ok', member: 'ok', outsider: 'notJoined', blacklisted: 'notJoined' }),
  row('roomGetData', ['lobby'], { owner: 'ok', admin: 'ok', member: 'ok', outsider: 'ok', blacklisted: 'ok' }, {
    label: 'visible room',
    room: { visible: true },
  }),

  // --- list edits: the owner any list; admins whitelist and blacklist without the owner's name; userlist never ---
  row('roomAddToList', ['lobby', 'whitelist', ['newcomer']], { owner: 'ok', admin: 'ok', member: 'notAllowed', outsider: 'notAllowed', blacklisted: 'notAllowed' }, {
    label: 'whitelist',
  }),
  row('roomAddToList', ['lobby', 'blacklist', ['newcomer']], { owner: 'ok', admin: 'ok', member: 'notAllowed', outsider: 'notAllowed', blacklisted: 'notAllowed' }, {
    label: 'blacklist',
  }),
  row('roomAddToList', ['lobby', 'adminlist', ['newcomer']], {
    owner: 'ok',
    admin: 'notAllowed',
    member: 'notAllowed',
    outsider: 'notAllowed',
    blacklisted: 'notAllowed',
  }, { label: 'adminlist' }),
  row('roomAddToList', ['lobby', 'whitelist', ['owner']], { owner: 'ok', admin: 'notAllowed', member: 'notAllowed', outsider: 'notAllowed', blacklisted: 'notAllowed' }, {
    label: "the owner's name",
  }),
  row('roomAddToList', ['lobby', 'userlist', ['newcomer']], {
    owner: 'notAllowed',
    admin: 'notAllowed',
    member: 'notAllowed',
    outsider: 'notAllowed',
    blacklisted: 'notAllowed',
  }, { label: 'userlist' }),
  row('roomRemoveFromList', ['lobby', 'whitelist', ['newcomer']], {
    owner: 'ok',
    admin: 'ok',
    member: 'notAllowed',
    outsider: 'notAllowed',
    blacklisted: 'notAllowed',
  }, { label: 'whitelist' }),
  // Nobody takes themselves off the blacklist.
  row('roomRemoveFromList', ['lobby', 'blacklist', ['blacklisted']], {
    owner: 'ok',
    admin: 'ok',
    member: 'notAllowed',
    outsider: 'notAllowed',
    blacklisted: 'notAllowed',
  }, { label: 'blacklist' }),
  // Not even an admin's own name.
  row('roomRemoveFromList', ['lobby', 'adminlist', ['admin']], {
    owner: 'ok',
    admin: 'notAllowed',
    member: 'notAllowed',
    outsider: 'notAllowed',
    blacklisted: 'notAllowed',
  }, { label: 'adminlist' }),
  row('roomRemoveFromList', ['lobby', 'whitelist', ['owner']], {
    owner: 'ok',
    admin: 'notAllowed',
    member: 'notAllowed',
    outsider: 'notAllowed',
    blacklisted: 'notAllowed',
  }, { label: "the owner's name" }),
  row('roomRemoveFromList', ['lobby', 'userlist', ['peer']], {
    owner: 'notAllowed',
    admin: 'notAllowed',
    member: 'notAllowed',
    outsider: 'notAllowed',
    blacklisted: 'notAllowed',
  }, { label: 'userlist' }),

  // --- room settings: admin-level, except the token and deletion (owner only) ---
  row('roomSetWhitelistMode', ['lobby', true], { owner: 'ok', admin: 'ok', member: 'notAllowed', outsider: 'notAllowed', blacklisted: 'notAllowed' }),
  row('roomUpdateData', ['lobby', { topic: 'news' }], { owner: 'ok', admin: 'ok', member: 'notAllowed', outsider: 'notAllowed', blacklisted: 'notAllowed' }),
  row('roomSetAccessToken', ['lobby', 'secret'], { owner: 'ok', admin: 'notAllowed', member: 'notAllowed', outsider: 'notAllowed', blacklisted: 'notAllowed' }),
  row('roomDelete', ['lobby'], { owner: 'ok', admin: 'notAllowed', member: 'notAllowed', outsider: 'notAllowed', blacklisted: 'notAllowed' }),

  // --- token holders may do what admins may, except edit the adminlist, set the token or delete; the blacklist beats the token ---
  row('roomRemoveFromList', ['lobby', 'blacklist', ['blacklisted']], {
    owner: 'ok',
    admin: 'ok',
    member: 'ok',
    outsider: 'ok',
    blacklisted: 'notAllowed',
  }, { label: 'blacklist, after presenting the access token', room: tokenPresented }),
  row('roomGetAccessList', ['lobby', 'blacklist'], { owner: 'ok', admin: 'ok', member: 'ok', outsider: 'ok', blacklisted: 'notJoined' }, {
    label: 'after presenting the access token',
    room: tokenPresented,
  }),
  row('roomUpdateData', ['lobby', { topic: 'news' }], { owner: 'ok', admin: 'ok', member: 'ok', outsider: 'ok', blacklisted: 'notAllowed' }, {
    label: 'after presenting the access token',
    room: tokenPresented,
  }),
  row('roomSetWhitelistMode', ['lobby', true], { owner: 'ok', admin: 'ok', member: 'ok', outsider: 'ok', blacklisted: 'notAllowed' }, {
    label: 'after presenting the access token',
    room: tokenPresented,
  }),
  row('roomAddToList', ['lobby', 'adminlist', ['newcomer']], {
    owner: 'ok',
    admin: 'notAllowed',
    member: 'notAllowed',
    outsider: 'notAllowed',
    blacklisted: 'notAllowed',
  }, { label: 'adminlist, after presenting the access token', room: tokenPresented }),
  row('roomSetAccessToken', ['lobby', 'other'], {
    owner: 'ok',
    admin: 'notAllowed',
    member: 'notAllowed',
    outsider: 'notAllowed',
    blacklisted: 'notAllowed',
  }, { label: 'after presenting the access token', room: tokenPresented }),
  row('roomDelete', ['lobby'], { owner: 'ok', admin: 'notAllowed', member: 'notAllowed', outsider: 'notAllowed', blacklisted: 'notAllowed' }, {
    label: 'after presenting the access token',
    room: tokenPresented,
  }),

  // --- messages, receipts, presence: joined only, admin rights do not replace joining ---
  row('roomMessage', ['lobby', text], { owner: 'notJoined', admin: 'notJoined', member: 'ok', outsider: 'notJoined', blacklisted: 'notJoined' }),
  row('roomReceipt', ['lobby', 'typing'], { owner: 'notJoined', admin: 'notJoined', member: 'ok', outsider: 'notJoined', blacklisted: 'notJoined' }),
  row('roomMemberMessage', ['lobby', 'peer', presence], { owner: 'notJoined', admin: 'notJoined', member: 'ok', outsider: 'notJoined', blacklisted: 'notJoined' }),
  row('roomBroadcast', ['lobby', presence], { owner: 'notJoined', admin: 'notJoined', member: 'ok', outsider: 'notJoined', blacklisted: 'notJoined' }),
];

function label(entry: Row): string {
  return entry.variant === undefined ? entry.command : `${entry.command} (${entry.variant})`;
}

/**
 * A fresh server with room `lobby` set up as `room` says, `peer` joined, and `role` logged in
 * (and joined when it is the member). Only the acting role logs in: the others' rights come from
 * the room's lists, not from their connections.
 */
async function setUp(createStore: StoreFactory, room: RoomSetup, role: Role) {
  const harness = await startChat(createStore, { enableRoomsManagement: true, enableDirectMessages: true });
  await harness.chat.addRoom('lobby', {
    owner: 'owner',
    adminlist: ['admin'],
    blacklist: ['blacklisted'],
    whitelist: room.whitelistOnly ? ['member', 'peer'] : [],
    whitelistOnly: room.whitelistOnly ?? false,
    visible: room.visible ?? false,
  });
  if (room.accessToken !== undefined) await harness.store.updateRoom('lobby', { accessToken: room.accessToken });
  const peer = await harness.login('peer');
  expect(await peer.chat.roomJoin('lobby')).toBe(1);
  const actor: TestUser = await harness.login(role);
  if (role === 'member') expect(await actor.chat.roomJoin('lobby')).toBe(1);
  if (room.presentToken) {
    const joining = actor.chat.roomJoin('lobby', room.accessToken);
    if (role === 'blacklisted') expect((await chatErrorOf(joining)).code).toBe('notAllowed');
    else expect(await joining).toBe(1);
  }
  return { harness, actor, peer };
}

export default function permissionMatrixContract(createStore: StoreFactory): void {
  describe('chat permission matrix', () => {
    it('covers every client command', () => {
      const covered = new Set(matrix.map((entry) => entry.command));
      expect([...covered].sort()).toEqual([...chatCommandNames].sort());
    });

    for (const entry of matrix) {
      for (const role of roles) {
        const outcome = entry.expected[role];
        it(`${label(entry)} as ${role} → ${outcome}`, async () => {
          const { harness, actor } = await setUp(createStore, entry.room, role);
          const running = actor.chat.command(entry.command, entry.args as never);
          if (outcome === 'ok') {
            await running;
          } else {
            const error = await chatErrorOf(running);
            expect(error.code).toBe(outcome);
          }
          expect(harness.errors).toEqual([]);
        });
      }
    }
  });

  describe('chat: the blacklist beats the access token', () => {
    it('a token holder blacklisted later is evicted and keeps none of the rights of the token', async () => {
      const harness = await startChat(createStore, {});
      await harness.chat.addRoom('lobby', { owner: 'owner' });
      await harness.store.updateRoom('lobby', { accessToken: 'secret' });
      const owner = await harness.login('owner');
      const holder = await harness.login('holder');
      expect(await holder.chat.roomJoin('lobby', 'secret')).toBe(1);
      expect(await holder.chat.roomUpdateData('lobby', { topic: 'mine' })).toEqual({ topic: 'mine' });
      await owner.chat.roomAddToList('lobby', 'blacklist', ['holder']);
      expect(await holder.inbox.next('roomAccessRemoved')).toEqual(['lobby']);
      expect((await chatErrorOf(holder.chat.roomUpdateData('lobby', { topic: 'again' }))).code).toBe('notAllowed');
      expect((await chatErrorOf(holder.chat.roomRemoveFromList('lobby', 'blacklist', ['holder']))).code).toBe('notAllowed');
      expect((await chatErrorOf(holder.chat.roomSetWhitelistMode('lobby', true))).code).toBe('notAllowed');
      expect((await chatErrorOf(holder.chat.roomRecentHistory('lobby'))).code).toBe('notJoined');
      expect((await chatErrorOf(holder.chat.roomJoin('lobby', 'secret'))).code).toBe('notAllowed');
      expect(await owner.chat.roomGetAccessList('lobby', 'blacklist')).toEqual(['holder']);
      expect(harness.errors).toEqual([]);
    });

    it('a blacklisted user presenting the right token is refused and gains no rights once unblacklisted', async () => {
      const harness = await startChat(createStore, {});
      await harness.chat.addRoom('lobby', { owner: 'owner', blacklist: ['banned'], whitelistOnly: true });
      await harness.store.updateRoom('lobby', { accessToken: 'secret' });
      const owner = await harness.login('owner');
      const banned = await harness.login('banned');
      expect((await chatErrorOf(banned.chat.roomJoin('lobby', 'secret'))).code).toBe('notAllowed');
      await owner.chat.roomRemoveFromList('lobby', 'blacklist', ['banned']);
      // The refused presentation made no holder: the whitelist-only room stays closed without the token.
      expect((await chatErrorOf(banned.chat.roomJoin('lobby'))).code).toBe('notAllowed');
      expect((await chatErrorOf(banned.chat.roomUpdateData('lobby', { topic: 'x' }))).code).toBe('notAllowed');
      expect(await banned.chat.roomJoin('lobby', 'secret')).toBe(1);
      expect(harness.errors).toEqual([]);
    });
  });

  describe('chat: what a room outsider can learn', () => {
    it('roomList shows a hidden room only to its members and admins, a visible one to everyone', async () => {
      const harness = await startChat(createStore, {});
      await harness.chat.addRoom('lobby', { owner: 'owner', adminlist: ['admin'], blacklist: ['blacklisted'] });
      await harness.chat.addRoom('hall', { owner: 'owner', blacklist: ['blacklisted'], visible: true });
      const users = new Map<Role, TestUser>();
      for (const role of roles) users.set(role, await harness.login(role));
      expect(await users.get('member')!.chat.roomJoin('lobby')).toBe(1);
      const hall = { name: 'hall', owner: 'owner', members: 0, visible: true };
      const lobby = { name: 'lobby', owner: 'owner', members: 1, visible: false };
      const seen: Record<Role, unknown[]> = {
        owner: [hall, lobby],
        admin: [hall, lobby],
        member: [hall, lobby],
        outsider: [hall],
        blacklisted: [hall],
      };
      for (const role of roles) {
        const listed = await users.get(role)!.chat.roomList();
        expect([...listed].sort((a, b) => a.name.localeCompare(b.name)), role).toEqual(seen[role]);
      }
      expect(harness.errors).toEqual([]);
    });

    it('roomGetData gives outsiders of a visible room the public part only, members and admins the data too', async () => {
      const harness = await startChat(createStore, {});
      await harness.chat.addRoom('lobby', {
        owner: 'owner',
        adminlist: ['admin'],
        blacklist: ['blacklisted'],
        visible: true,
        data: { topic: 'plans', secret: 42 },
      });
      const users = new Map<Role, TestUser>();
      for (const role of roles) users.set(role, await harness.login(role));
      expect(await users.get('member')!.chat.roomJoin('lobby')).toBe(1);
      const publicPart = { name: 'lobby', owner: 'owner', members: 1, visible: true };
      const whole = { ...publicPart, data: { topic: 'plans', secret: 42 } };
      const seen: Record<Role, unknown> = { owner: whole, admin: whole, member: whole, outsider: publicPart, blacklisted: publicPart };
      for (const role of roles) expect(await users.get(role)!.chat.roomGetData('lobby'), role).toEqual(seen[role]);
      expect(harness.errors).toEqual([]);
    });
  });
}
