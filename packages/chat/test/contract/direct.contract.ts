import { ChatError, type ChatServerOptions } from '@volley/chat';
import type { ChatMessage, DirectListName, ProcessedMessage } from '@volley/chat/client';
import { describe, expect, it } from 'vitest';
import { type ChatHarness, expectChatError, sorted, startChat, type StoreFactory, unlinked } from '../helpers.js';

const badShape = ['message', 'must be exactly {textMessage: string}'];

export default function directContract(createStore: StoreFactory): void {
  function chatWithDirect(options: Omit<ChatServerOptions, 'port' | 'store' | 'server'> = {}): Promise<ChatHarness> {
    return startChat(createStore, { enableDirectMessages: true, ...options });
  }

  describe('direct messages', () => {
    describe('sending', () => {
      it('direct messages are disabled by default: notAllowed and nothing is delivered', async () => {
        const harness = await startChat(createStore);
        const alice = await harness.login('alice');
        const bob = await harness.login('bob');
        await expectChatError(alice.chat.directMessage('bob', { textMessage: 'hi' }), 'notAllowed', []);
        await bob.inbox.flush();
        expect(bob.inbox.count('directMessage')).toBe(0);
      });

      it('a user cannot message itself', async () => {
        const harness = await chatWithDirect();
        const alice = await harness.login('alice');
        const alice2 = await harness.login('alice');
        await expectChatError(alice.chat.directMessage('alice', { textMessage: 'me' }), 'notAllowed', ['alice']);
        await alice2.inbox.flush();
        expect(alice2.inbox.count('directMessage')).toBe(0);
        expect(alice2.inbox.count('directMessageEcho')).toBe(0);
      });

      it('an unknown recipient is noUser and an invalid name is invalidName', async () => {
        const harness = await chatWithDirect();
        const alice = await harness.login('alice');
        await expectChatError(alice.chat.directMessage('ghost', { textMessage: 'hi' }), 'noUser', ['ghost']);
        await expectChatError(alice.chat.directMessage('a:b', { textMessage: 'hi' }), 'invalidName', ['a:b']);
        await expectChatError(alice.chat.directMessage('', { textMessage: 'hi' }), 'invalidName', ['']);
      });

      it('a recipient that exists but has no open connection is noUserOnline', async () => {
        const harness = await chatWithDirect();
        const alice = await harness.login('alice');
        await harness.chat.addUser('bob');
        await expectChatError(alice.chat.directMessage('bob', { textMessage: 'hi' }), 'noUserOnline', ['bob']);

        const carol = await harness.login('carol');
        const gone = unlinked(harness, 'carol');
        await carol.chat.disconnect();
        await gone;
        await expectChatError(alice.chat.directMessage('carol', { textMessage: 'hi' }), 'noUserOnline', ['carol']);
      });

      it("every recipient connection gets directMessage, the sender's other connections directMessageEcho, the sending connection neither", async () => {
        const harness = await chatWithDirect();
        const alice1 = await harness.login('alice');
        const alice2 = await harness.login('alice');
        const alice3 = await harness.login('alice');
        const bob1 = await harness.login('bob');
        const bob2 = await harness.login('bob');
        const carol = await harness.login('carol');

        const result = await alice1.chat.directMessage('bob', { textMessage: 'psst' });
        expect(await bob1.inbox.next('directMessage')).toEqual([result]);
        expect(await bob2.inbox.next('directMessage')).toEqual([result]);
        expect(await alice2.inbox.next('directMessageEcho')).toEqual(['bob', result]);
        expect(await alice3.inbox.next('directMessageEcho')).toEqual(['bob', result]);
        await Promise.all([alice1, alice2, alice3, bob1, bob2, carol].map((user) => user.inbox.flush()));
        expect(alice1.inbox.count('directMessage')).toBe(0);
        expect(alice1.inbox.count('directMessageEcho')).toBe(0);
        for (const user of [alice2, alice3]) {
          expect(user.inbox.count('directMessage')).toBe(0);
          expect(user.inbox.count('directMessageEcho')).toBe(1);
        }
        for (const user of [bob1, bob2]) {
          expect(user.inbox.count('directMessage')).toBe(1);
          expect(user.inbox.count('directMessageEcho')).toBe(0);
        }
        expect(carol.inbox.count('directMessage')).toBe(0);
        expect(carol.inbox.count('directMessageEcho')).toBe(0);
        expect(harness.errors).toEqual([]);
      });

      it('the command resolves with the processed message: the text plus author and server timestamp, without id', async () => {
        const harness = await chatWithDirect();
        const alice = await harness.login('alice');
        const bob = await harness.login('bob');
        const before = Date.now();
        const result = await alice.chat.directMessage('bob', { textMessage: 'hello bob' });
        const after = Date.now();
        expect(Object.keys(result).sort()).toEqual(['author', 'textMessage', 'timestamp']);
        expect(result.textMessage).toBe('hello bob');
        expect(result.author).toBe('alice');
        expect(result.timestamp).toBeGreaterThanOrEqual(before);
        expect(result.timestamp).toBeLessThanOrEqual(after);
        expect(await bob.inbox.next('directMessage')).toEqual([result]);
      });

      it("the recipient's blacklist blocks the sender only", async () => {
        const harness = await chatWithDirect();
        const alice = await harness.login('alice');
        const bob = await harness.login('bob');
        const carol = await harness.login('carol');
        await bob.chat.directAddToList('blacklist', ['alice']);
        await expectChatError(alice.chat.directMessage('bob', { textMessage: 'hi' }), 'notAllowed', ['bob']);
        await carol.chat.directMessage('bob', { textMessage: 'from carol' });
        const [received] = await bob.inbox.next('directMessage');
        expect(received.author).toBe('carol');
        // The blacklist is the recipient's: bob may still message alice.
        await bob.chat.directMessage('alice', { textMessage: 'one way' });
        expect((await alice.inbox.next('directMessage'))[0].author).toBe('bob');
        await bob.inbox.flush();
        expect(bob.inbox.count('directMessage')).toBe(1);

        await bob.chat.directRemoveFromList('blacklist', ['alice']);
        await alice.chat.directMessage('bob', { textMessage: 'again' });
        expect((await bob.inbox.next('directMessage'))[0]).toMatchObject({ author: 'alice', textMessage: 'again' });
      });

      it("the recipient's whitelist-only mode lets only whitelisted senders through, and the blacklist still wins", async () => {
        const harness = await chatWithDirect();
        const alice = await harness.login('alice');
        const bob = await harness.login('bob');
        const carol = await harness.login('carol');
        await bob.chat.directAddToList('whitelist', ['carol']);
        // The whitelist alone restricts nothing.
        await alice.chat.directMessage('bob', { textMessage: 'before' });
        await bob.chat.directSetWhitelistMode(true);
        await expectChatError(alice.chat.directMessage('bob', { textMessage: 'hi' }), 'notAllowed', ['bob']);
        await carol.chat.directMessage('bob', { textMessage: 'whitelisted' });
        await bob.chat.directAddToList('blacklist', ['carol']);
        await expectChatError(carol.chat.directMessage('bob', { textMessage: 'blocked' }), 'notAllowed', ['bob']);
        await bob.inbox.flush();
        expect(bob.inbox.all('directMessage').map(([message]) => message.textMessage)).toEqual(['before', 'whitelisted']);
      });

      it('the default check allows exactly {textMessage: string}', async () => {
        const harness = await chatWithDirect();
        const alice = await harness.login('alice');
        const bob = await harness.login('bob');
        const bad: ChatMessage[] = [{}, { textMessage: 5 } as unknown as ChatMessage, { textMessage: 'x', extra: 1 }, { text: 'x' }, { textMessage: 'x', author: 'bob' }];
        for (const message of bad) await expectChatError(alice.chat.directMessage('bob', message), 'badArgument', badShape);
        await bob.inbox.flush();
        expect(bob.inbox.count('directMessage')).toBe(0);
        expect(harness.errors).toEqual([]);
      });

      it("a directMessageChecker replaces the default check; its ChatError refuses as is, anything else it throws becomes badArgument", async () => {
        const seen: { message: ChatMessage; context: { userName: string; toUser: string } }[] = [];
        const harness = await chatWithDirect({
          hooks: {
            directMessageChecker(message, context) {
              seen.push({ message, context });
              if (message.kind === 'secret') throw new ChatError('notAllowed', ['secret']);
              if (message.kind === 'broken') throw new Error('no broken things');
            },
          },
        });
        const alice = await harness.login('alice');
        const bob = await harness.login('bob');
        const result = await alice.chat.directMessage('bob', { kind: 'card', value: [1, 2] });
        expect(result).toMatchObject({ kind: 'card', value: [1, 2], author: 'alice' });
        expect(await bob.inbox.next('directMessage')).toEqual([result]);
        await expectChatError(alice.chat.directMessage('bob', { kind: 'secret' }), 'notAllowed', ['secret']);
        await expectChatError(alice.chat.directMessage('bob', { kind: 'broken' }), 'badArgument', ['message', 'no broken things']);
        expect(seen).toEqual([
          { message: { kind: 'card', value: [1, 2] }, context: { userName: 'alice', toUser: 'bob' } },
          { message: { kind: 'secret' }, context: { userName: 'alice', toUser: 'bob' } },
          { message: { kind: 'broken' }, context: { userName: 'alice', toUser: 'bob' } },
        ]);
        await bob.inbox.flush();
        expect(bob.inbox.count('directMessage')).toBe(1);
        // A refusal by the checker is a verdict, not a server failure.
        expect(harness.errors).toEqual([]);
      });

      it('author and timestamp sent by the client are overwritten and an id is dropped', async () => {
        const harness = await chatWithDirect({ hooks: { directMessageChecker() {} } });
        const alice = await harness.login('alice');
        const bob = await harness.login('bob');
        const before = Date.now();
        const result = await alice.chat.directMessage('bob', { textMessage: 'x', author: 'mallory', timestamp: 1, id: 99 });
        expect(Object.keys(result).sort()).toEqual(['author', 'textMessage', 'timestamp']);
        expect(result.author).toBe('alice');
        expect(result.timestamp).toBeGreaterThanOrEqual(before);
        const [delivered] = await bob.inbox.next('directMessage');
        expect(delivered).toEqual(result);
      });

      it('the server API with bypassPermissions delivers despite the setting and the lists', async () => {
        const harness = await startChat(createStore);
        const alice = await harness.login('alice');
        const bob = await harness.login('bob');
        await bob.chat.directAddToList('blacklist', ['alice']);
        const result = (await harness.chat.execUserCommand({ userName: 'alice', bypassPermissions: true }, 'directMessage', 'bob', { textMessage: 'admin says' })) as ProcessedMessage;
        expect(result).toMatchObject({ textMessage: 'admin says', author: 'alice' });
        expect(await bob.inbox.next('directMessage')).toEqual([result]);
        // No sending connection: every connection of the sender gets the echo.
        expect(await alice.inbox.next('directMessageEcho')).toEqual(['bob', result]);
      });
    });

    describe('per-user lists', () => {
      it('directAddToList, directRemoveFromList and directGetAccessList edit and read your own lists', async () => {
        const harness = await startChat(createStore);
        const alice = await harness.login('alice');
        const bob = await harness.login('bob');
        expect(await alice.chat.directGetAccessList('blacklist')).toEqual([]);
        expect(await alice.chat.directGetAccessList('whitelist')).toEqual([]);
        await alice.chat.directAddToList('blacklist', ['x', 'y', 'x']);
        await alice.chat.directAddToList('blacklist', ['y']);
        await alice.chat.directAddToList('whitelist', ['w']);
        expect(sorted(await alice.chat.directGetAccessList('blacklist'))).toEqual(['x', 'y']);
        expect(await alice.chat.directGetAccessList('whitelist')).toEqual(['w']);
        await alice.chat.directRemoveFromList('blacklist', ['x', 'absent']);
        expect(await alice.chat.directGetAccessList('blacklist')).toEqual(['y']);
        // Lists belong to their user.
        expect(await bob.chat.directGetAccessList('blacklist')).toEqual([]);
        expect(await bob.chat.directGetAccessList('whitelist')).toEqual([]);
        expect(harness.errors).toEqual([]);
      });

      it('list names other than blacklist and whitelist are noList', async () => {
        const harness = await startChat(createStore);
        const alice = await harness.login('alice');
        for (const name of ['adminlist', 'userlist', 'friends']) {
          const list = name as DirectListName;
          await expectChatError(alice.chat.directAddToList(list, ['x']), 'noList', [name]);
          await expectChatError(alice.chat.directRemoveFromList(list, ['x']), 'noList', [name]);
          await expectChatError(alice.chat.directGetAccessList(list), 'noList', [name]);
        }
      });

      it('a user cannot put itself on its own lists, and invalid names are invalidName; nothing changes', async () => {
        const harness = await startChat(createStore);
        const alice = await harness.login('alice');
        await alice.chat.directAddToList('whitelist', ['keep']);
        await expectChatError(alice.chat.directAddToList('blacklist', ['x', 'alice']), 'notAllowed', ['alice']);
        await expectChatError(alice.chat.directAddToList('whitelist', ['alice']), 'notAllowed', ['alice']);
        await expectChatError(alice.chat.directRemoveFromList('whitelist', ['alice']), 'notAllowed', ['alice']);
        await expectChatError(alice.chat.directAddToList('blacklist', ['ok', 'no:pe']), 'invalidName', ['no:pe']);
        await expectChatError(alice.chat.directAddToList('blacklist', ['']), 'invalidName', ['']);
        await expectChatError(alice.chat.directRemoveFromList('whitelist', ['keep', '{x}']), 'invalidName', ['{x}']);
        expect(await alice.chat.directGetAccessList('blacklist')).toEqual([]);
        expect(await alice.chat.directGetAccessList('whitelist')).toEqual(['keep']);
      });

      it('an add that would pass directListSizeLimit is listLimitExceeded and adds nothing', async () => {
        const harness = await startChat(createStore, { directListSizeLimit: 2 });
        const alice = await harness.login('alice');
        await alice.chat.directAddToList('blacklist', ['a']);
        await expectChatError(alice.chat.directAddToList('blacklist', ['b', 'c']), 'listLimitExceeded', ['blacklist']);
        expect(await alice.chat.directGetAccessList('blacklist')).toEqual(['a']);
        await alice.chat.directAddToList('blacklist', ['a', 'b']);
        expect(sorted(await alice.chat.directGetAccessList('blacklist'))).toEqual(['a', 'b']);
        await expectChatError(alice.chat.directAddToList('blacklist', ['c']), 'listLimitExceeded', ['blacklist']);
        await alice.chat.directAddToList('whitelist', ['c', 'd']);
        expect(sorted(await alice.chat.directGetAccessList('whitelist'))).toEqual(['c', 'd']);
      });

      it('directSetWhitelistMode and directGetWhitelistMode: off by default, per user, shared by all its connections', async () => {
        const harness = await startChat(createStore);
        const alice1 = await harness.login('alice');
        const alice2 = await harness.login('alice');
        const bob = await harness.login('bob');
        expect(await alice1.chat.directGetWhitelistMode()).toBe(false);
        await alice1.chat.directSetWhitelistMode(true);
        expect(await alice2.chat.directGetWhitelistMode()).toBe(true);
        expect(await bob.chat.directGetWhitelistMode()).toBe(false);
        await alice2.chat.directSetWhitelistMode(false);
        expect(await alice1.chat.directGetWhitelistMode()).toBe(false);
      });
    });
  });
}
