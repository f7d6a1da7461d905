/**
 * Records a ChatServer's Krmx events (`authenticate`, `join`, `link`, `unlink`, ...) in arrival
 * order, so that contracts can await one that is emitted after the client already has its answer
 * (`link` follows the handshake answer, `unlink` follows the close) and then assert on all of them.
 */
import type { ChatServer, ChatServerEvents } from '@volley/chat';
import { EVENT_TIMEOUT } from '../helpers.js';

type EventName = keyof ChatServerEvents;

/** One recorded server event. */
export interface ServerEvent<K extends EventName = EventName> {
  name: K;
  args: ChatServerEvents[K];
}

/** What {@link recordServerEvents} returns. */
export interface ServerEvents {
  /** Every recorded event, in order. */
  readonly all: ServerEvent[];
  /** Argument lists of every recorded `name` event. */
  of<K extends EventName>(name: K): ChatServerEvents[K][];
  /** Waits for the first not yet consumed `name` event that matches `filter`, and consumes it. */
  next<K extends EventName>(name: K, filter?: (...args: ChatServerEvents[K]) => boolean): Promise<ChatServerEvents[K]>;
}

const recorded: EventName[] = ['authenticate', 'join', 'leave', 'link', 'unlink'];

/** Starts recording the login and connection events of `chat`. */
export function recordServerEvents(chat: ChatServer): ServerEvents {
  const all: ServerEvent[] = [];
  const consumed = new Set<ServerEvent>();
  const waiters = new Set<() => void>();
  for (const name of recorded) {
    (chat.on as (event: string, listener: (...args: unknown[]) => void) => unknown).call(chat, name, (...args: unknown[]) => {
      all.push({ name, args } as ServerEvent);
      for (const wake of [...waiters]) wake();
    });
  }
  return {
    all,
    of<K extends EventName>(name: K): ChatServerEvents[K][] {
      return all.filter((event) => event.name === name).map((event) => event.args as ChatServerEvents[K]);
    },
    next<K extends EventName>(name: K, filter: (...args: ChatServerEvents[K]) => boolean = () => true): Promise<ChatServerEvents[K]> {
      return new Promise((resolve, reject) => {
        const look = (): boolean => {
          const found = all.find((event) => event.name === name && !consumed.has(event) && filter(...(event.args as ChatServerEvents[K])));
          if (found === undefined) return false;
          consumed.add(found);
          resolve(found.args as ChatServerEvents[K]);
          return true;
        };
        if (look()) return;
        const wake = (): void => {
          if (!look()) return;
          waiters.delete(wake);
          clearTimeout(timer);
        };
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new Error(`Timed out after ${EVENT_TIMEOUT} ms waiting for server event "${name}"; got: ${all.map((event) => event.name).join(', ') || 'nothing'}`));
        }, EVENT_TIMEOUT);
        waiters.add(wake);
      });
    },
  };
}
