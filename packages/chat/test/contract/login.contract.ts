import { ChatError, ChatErrorCode } from '@volley/chat';
import { type ClientDisconnectInfo, ErrorCode, VolleyError } from '@volley/client';
import { describe, expect, it } from 'vitest';
import { chatErrorOf, type StoreFactory, startChat } from '../helpers.js';
import { recordServerEvents } from './server-events.js';

/** Names the built-in rule refuses: empty, `:`, `{`, `}`, U+0000–U+001F and U+007F. */
const badNames = ['', 'a:b', 'a{b', 'a}b', '\u0000x', 'tab\tname', 'new\nline', 'x\u001f', 'del\u007f'];

export default function loginContract(createStore: StoreFactory): void {
  describe('chat login', () => {
    it('confirms a login with the hook user name and auth data whose id is the server connection id', async () => {
      const contexts: string[] = [];
      const harness = await startChat(createStore, {
        hooks: {
          authenticate(payload, context) {
            contexts.push(context.connectionId);
            return { userName: (payload as { name: string }).name, authData: { role: 'TEACHER', level: 3, tags: ['a', 'b'] } };
          },
        },
      });
      const events = recordServerEvents(harness.chat);
      const { chat, inbox } = harness.client({ auth: { name: 'alice' } });
      const login = await chat.connect();
      const [, linkedId] = await events.next('link');
      expect(contexts).toEqual([linkedId]);
      expect(await harness.chat.getUserConnections('alice')).toEqual([linkedId]);
      expect(login).toEqual({ userName: 'alice', authData: { id: linkedId, role: 'TEACHER', level: 3, tags: ['a', 'b'] } });
      expect(chat.userName).toBe('alice');
      expect(chat.authData).toEqual(login.authData);
      expect(inbox.all('loginConfirmed')).toEqual([['alice', login.authData]]);
      expect(inbox.count('loginRejected')).toBe(0);
      expect(harness.errors).toEqual([]);
    });

    it('the auth data id is always the connection id, even when the hook sends its own id', async () => {
      const harness = await startChat(createStore, {
        hooks: { authenticate: () => ({ userName: 'alice', authData: { id: 'forged', extra: true } }) },
      });
      const alice = await harness.login('alice');
      expect(await harness.store.getConnections('alice')).toEqual([alice.id]);
      expect(alice.id).not.toBe('forged');
      expect(alice.chat.authData).toEqual({ id: alice.id, extra: true });
    });

    it('without an authenticate hook the handshake payload userName is the user name and the auth data is just the id', async () => {
      const harness = await startChat(createStore);
      const { chat, inbox } = harness.client({ auth: { userName: 'bob', ignored: 1 } });
      const login = await chat.connect();
      expect(await harness.store.getConnections('bob')).toEqual([login.authData.id]);
      expect(login).toEqual({ userName: 'bob', authData: { id: login.authData.id } });
      expect(typeof login.authData.id).toBe('string');
      expect(chat.userName).toBe('bob');
      expect(inbox.all('loginConfirmed')).toEqual([['bob', { id: login.authData.id }]]);
      expect(await harness.chat.hasUser('bob')).toBe(true);
    });

    it('two connections of one user get different connection ids', async () => {
      const harness = await startChat(createStore);
      const first = await harness.login('alice');
      const second = await harness.login('alice');
      expect(first.id).not.toBe(second.id);
      expect((await harness.chat.getUserConnections('alice')).sort()).toEqual([first.id, second.id].sort());
    });

    it('a handshake without a user name is refused with noLogin', async () => {
      const harness = await startChat(createStore);
      for (const auth of [{}, undefined, { userName: null }, { name: 'alice' }]) {
        const { chat, inbox } = harness.client({ auth });
        const error = await chatErrorOf(chat.connect());
        expect(error.code).toBe(ChatErrorCode.NO_LOGIN);
        expect(error.args).toEqual([]);
        expect(inbox.count('loginRejected')).toBe(1);
        expect(inbox.count('loginConfirmed')).toBe(0);
        expect(chat.userName).toBeUndefined();
      }
      expect(harness.errors).toEqual([]);
    });

    it('an authenticate hook that returns no user name refuses the login with noLogin', async () => {
      const harness = await startChat(createStore, { hooks: { authenticate: () => ({ userName: undefined as unknown as string }) } });
      const error = await chatErrorOf(harness.client({ auth: { userName: 'alice' } }).chat.connect());
      expect(error.code).toBe(ChatErrorCode.NO_LOGIN);
      expect(await harness.chat.hasUser('alice')).toBe(false);
    });

    it('invalid user names are refused with invalidName and the client emits loginRejected', async () => {
      const harness = await startChat(createStore);
      for (const name of badNames) {
        const { chat, inbox } = harness.client({ auth: { userName: name } });
        const error = await chatErrorOf(chat.connect());
        expect(error.code, JSON.stringify(name)).toBe(ChatErrorCode.INVALID_NAME);
        expect(error.args).toEqual([name]);
        const rejections = inbox.all('loginRejected');
        expect(rejections).toHaveLength(1);
        const [reason] = rejections[0]!;
        expect(reason).toBeInstanceOf(ChatError);
        expect((reason as ChatError).code).toBe(ChatErrorCode.INVALID_NAME);
        expect((reason as ChatError).args).toEqual([name]);
        expect(await harness.chat.hasUser(name)).toBe(false);
      }
      expect(harness.errors).toEqual([]);
    });

    it('a user name that is not a string is refused with invalidName', async () => {
      const harness = await startChat(createStore);
      for (const [name, shown] of [
        [42, '42'],
        [true, 'true'],
      ] as const) {
        const { chat, inbox } = harness.client({ auth: { userName: name } });
        const error = await chatErrorOf(chat.connect());
        expect(error.code).toBe(ChatErrorCode.INVALID_NAME);
        expect(error.args).toEqual([shown]);
        expect(inbox.count('loginRejected')).toBe(1);
      }
      const error = await chatErrorOf(harness.client({ auth: { userName: ['alice'] } }).chat.connect());
      expect(error.code).toBe(ChatErrorCode.INVALID_NAME);
    });

    it('names with spaces, non-ASCII letters and characters past U+007F are valid', async () => {
      const harness = await startChat(createStore);
      for (const name of ['with space', 'ünïcødé', '\u0080', '名前', 'a-b_c.d@e']) {
        const user = await harness.login(name);
        expect(user.userName).toBe(name);
      }
    });

    it('the isValidName option restricts names further, and the built-in rule still applies', async () => {
      const harness = await startChat(createStore, { isValidName: (name) => name.length <= 5 && name !== ':' });
      expect((await harness.login('bob')).userName).toBe('bob');
      const tooLong = await chatErrorOf(harness.client({ auth: { userName: 'abcdef' } }).chat.connect());
      expect(tooLong.code).toBe(ChatErrorCode.INVALID_NAME);
      expect(tooLong.args).toEqual(['abcdef']);
      const loose = await startChat(createStore, { isValidName: () => true });
      const colon = await chatErrorOf(loose.client({ auth: { userName: 'a:b' } }).chat.connect());
      expect(colon.code).toBe(ChatErrorCode.INVALID_NAME);
      expect(colon.args).toEqual(['a:b']);
    });

    it('a ChatError thrown by the authenticate hook reaches the client with its code and args', async () => {
      const harness = await startChat(createStore, {
        hooks: {
          authenticate() {
            throw new ChatError(ChatErrorCode.NOT_ALLOWED, ['banned', 7]);
          },
        },
      });
      const { chat, inbox } = harness.client({ auth: { token: 'x' } });
      const error = await chatErrorOf(chat.connect());
      expect(error.code).toBe(ChatErrorCode.NOT_ALLOWED);
      expect(error.args).toEqual(['banned', 7]);
      const rejections = inbox.all('loginRejected');
      expect(rejections).toHaveLength(1);
      expect((rejections[0]![0] as ChatError).code).toBe(ChatErrorCode.NOT_ALLOWED);
      expect((rejections[0]![0] as ChatError).args).toEqual(['banned', 7]);
      expect(chat.userName).toBeUndefined();
      expect(harness.errors).toEqual([]);
    });

    it('an async authenticate hook that rejects with a ChatError refuses the login with it', async () => {
      const harness = await startChat(createStore, {
        hooks: {
          async authenticate() {
            await Promise.resolve();
            throw new ChatError(ChatErrorCode.NO_USER, ['ghost']);
          },
        },
      });
      const error = await chatErrorOf(harness.client({ auth: {} }).chat.connect());
      expect(error.code).toBe(ChatErrorCode.NO_USER);
      expect(error.args).toEqual(['ghost']);
    });

    it('a plain Error thrown by the authenticate hook rejects connect with HANDSHAKE_REJECTED carrying its message', async () => {
      const harness = await startChat(createStore, {
        hooks: {
          authenticate() {
            throw new Error('bad token');
          },
        },
      });
      const { chat, inbox } = harness.client({ auth: { token: 'nope' } });
      const error = await chat.connect().then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(error).toBeInstanceOf(VolleyError);
      expect(error).not.toBeInstanceOf(ChatError);
      expect((error as VolleyError).code).toBe(ErrorCode.HANDSHAKE_REJECTED);
      expect((error as VolleyError).payload).toMatchObject({ message: 'bad token' });
      const rejections = inbox.all('loginRejected');
      expect(rejections).toHaveLength(1);
      expect(rejections[0]![0]).not.toBeInstanceOf(ChatError);
      expect(rejections[0]![0]).toMatchObject({ message: 'bad token' });
      expect(chat.userName).toBeUndefined();
    });

    it('the authenticate event tells whether the user is new and passes the handshake payload', async () => {
      const harness = await startChat(createStore);
      const events = recordServerEvents(harness.chat);
      await harness.login('alice', { auth: { userName: 'alice', token: 't1' } });
      await harness.login('alice', { auth: { userName: 'alice', token: 't2' } });
      const seen = events.of('authenticate').map(([userName, info]) => [userName, info]);
      expect(seen).toEqual([
        ['alice', { isNewUser: true, auth: { userName: 'alice', token: 't1' } }],
        ['alice', { isNewUser: false, auth: { userName: 'alice', token: 't2' } }],
      ]);
      expect(typeof events.of('authenticate')[0]![2]).toBe('function');
    });

    it('a user added by the server API is not new at its first login', async () => {
      const harness = await startChat(createStore);
      const events = recordServerEvents(harness.chat);
      await harness.chat.addUser('carol');
      expect(events.of('join')).toEqual([['carol']]);
      await harness.login('carol');
      expect(events.of('authenticate').map(([userName, info]) => [userName, info.isNewUser])).toEqual([['carol', false]]);
      expect(events.of('join')).toEqual([['carol']]);
    });

    it('calling reject in the authenticate event refuses the login with that reason and creates nothing', async () => {
      const harness = await startChat(createStore);
      const events = recordServerEvents(harness.chat);
      harness.chat.on('authenticate', (userName, _info, reject) => {
        if (userName === 'mallory') reject(new ChatError(ChatErrorCode.NOT_ALLOWED, ['closed']));
      });
      const { chat, inbox } = harness.client({ auth: { userName: 'mallory' } });
      const error = await chatErrorOf(chat.connect());
      expect(error.code).toBe(ChatErrorCode.NOT_ALLOWED);
      expect(error.args).toEqual(['closed']);
      expect(inbox.count('loginRejected')).toBe(1);
      expect(await harness.chat.hasUser('mallory')).toBe(false);
      expect(await harness.store.getConnections('mallory')).toEqual([]);
      expect(events.of('join')).toEqual([]);
      expect(events.of('link')).toEqual([]);
      // Others still log in.
      expect((await harness.login('alice')).userName).toBe('alice');
    });

    it('reject() without a reason refuses the login with notAllowed', async () => {
      const harness = await startChat(createStore);
      harness.chat.on('authenticate', (_userName, _info, reject) => reject());
      const error = await chatErrorOf(harness.client({ auth: { userName: 'alice' } }).chat.connect());
      expect(error.code).toBe(ChatErrorCode.NOT_ALLOWED);
      expect(error.args).toEqual([]);
    });

    it('join is emitted only at the first login of a new user; link and unlink carry the connection id', async () => {
      const harness = await startChat(createStore);
      const events = recordServerEvents(harness.chat);
      const first = await harness.login('alice');
      expect(await events.next('link')).toEqual(['alice', first.id]);
      const second = await harness.login('alice');
      expect(await events.next('link')).toEqual(['alice', second.id]);
      await first.chat.disconnect();
      expect(await events.next('unlink')).toEqual(['alice', first.id]);
      await second.chat.disconnect();
      expect(await events.next('unlink')).toEqual(['alice', second.id]);
      // The user stays known after its last connection closed: a new login is not a join.
      const third = await harness.login('alice');
      expect(await events.next('link')).toEqual(['alice', third.id]);
      const bob = await harness.login('bob');
      expect(await events.next('link')).toEqual(['bob', bob.id]);
      expect(events.of('join')).toEqual([['alice'], ['bob']]);
      expect(events.all.filter((event) => event.name !== 'authenticate').map((event) => event.name)).toEqual([
        'join',
        'link',
        'link',
        'unlink',
        'unlink',
        'link',
        'join',
        'link',
      ]);
      expect(events.of('leave')).toEqual([]);
      expect(harness.errors).toEqual([]);
    });

    it('a rejected connection does not reconnect and leaves nothing in the store', async () => {
      const harness = await startChat(createStore, {
        hooks: {
          authenticate(payload) {
            const { userName } = payload as { userName: string };
            if (userName === 'eve') throw new ChatError(ChatErrorCode.NOT_ALLOWED, ['eve']);
            return { userName };
          },
        },
      });
      const events = recordServerEvents(harness.chat);
      const { chat } = harness.client({ auth: { userName: 'eve' }, reconnect: true, reconnectOptions: { initialDelay: 1, maxDelay: 1, jitter: 0 } });
      const reconnecting: unknown[] = [];
      chat.on('reconnecting', (info) => reconnecting.push(info));
      const closed = new Promise<ClientDisconnectInfo>((resolve) => chat.once('disconnected', resolve));
      const error = await chatErrorOf(chat.connect());
      expect(error.code).toBe(ChatErrorCode.NOT_ALLOWED);
      const info = await closed;
      expect(info.willReconnect).toBe(false);
      expect(chat.state).toBe('disconnected');
      expect(reconnecting).toEqual([]);
      expect(await harness.store.getConnections('eve')).toEqual([]);
      expect(await harness.chat.getUserConnections('eve')).toEqual([]);
      expect(await harness.chat.hasUser('eve')).toBe(false);
      // A login after the refusal is served normally and sees no trace of eve.
      await harness.login('alice');
      expect(await harness.store.getConnections('eve')).toEqual([]);
      expect(events.of('link').map(([userName]) => userName)).toEqual(['alice']);
      expect(reconnecting).toEqual([]);
      expect(harness.errors).toEqual([]);
    });

    it('a connection that goes away during a slow login leaves no connection behind in the store', async () => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let entered!: (connectionId: string) => void;
      const hookEntered = new Promise<string>((resolve) => (entered = resolve));
      let cleaned!: (args: unknown[]) => void;
      const removed = new Promise<unknown[]>((resolve) => (cleaned = resolve));
      const harness = await startChat(
        async () => {
          // Observes the clean-up: login() runs it after the answer could not be delivered.
          const store = await createStore();
          const removeConnection = store.removeConnection.bind(store);
          store.removeConnection = async (...args) => {
            const result = await removeConnection(...args);
            cleaned(args);
            return result;
          };
          return store;
        },
        {
          hooks: {
            async authenticate(payload, { connectionId }) {
              entered(connectionId);
              await gate;
              return { userName: (payload as { userName: string }).userName };
            },
          },
        },
      );
      const events = recordServerEvents(harness.chat);
      const { chat } = harness.client({ auth: { userName: 'ann' } });
      const attempt = chat.connect().then(
        () => 'connected',
        () => 'failed',
      );
      const connectionId = await hookEntered;
      const gone = new Promise<void>((resolve) => harness.chat.volley.getConnectionById(connectionId)!.on('_disconnected', () => resolve()));
      await chat.disconnect();
      await gone;
      expect(await attempt).toBe('failed');
      release();
      const [userName, id] = await removed;
      expect([userName, id]).toEqual(['ann', connectionId]);
      expect(await harness.store.getConnections('ann')).toEqual([]);
      expect(events.of('link')).toEqual([]);
      expect(harness.errors).toEqual([]);
    });
  });
}
