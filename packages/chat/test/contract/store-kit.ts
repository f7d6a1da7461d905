import { ChatError, type ChatStore, type ProcessedMessage } from '@volley/chat';
import { expect } from 'vitest';
import { onCleanup, roomState, type StoreFactory } from '../helpers.js';

/** What the store contract's files share: message helpers, and a store kit bound to a store factory. */

export function message(text: string, timestamp = 1_000): ProcessedMessage {
  return { textMessage: text, author: 'alice', timestamp };
}

export function ids(messages: ProcessedMessage[]): (number | undefined)[] {
  return messages.map((entry) => entry.id);
}

/** 1 … n. */
export function range(n: number, from = 1): number[] {
  return Array.from({ length: n }, (_, index) => from + index);
}

/** Resolves with the ChatError `promise` rejects with, or undefined when it resolves. */
export async function chatErrorOrNothing(promise: Promise<unknown>): Promise<ChatError | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    if (error instanceof ChatError) return error;
    throw error;
  }
}

/** Stores for one test, closed in clean-up, and ways to read them. */
export function storeKit(createStore: StoreFactory) {
  async function open(): Promise<ChatStore> {
    const store = await createStore();
    onCleanup(() => store.close());
    return store;
  }

  /** A store holding `roomName` with `count` messages (ids 1 … count). */
  async function withMessages(roomName: string, count: number, historyMaxSize = 100): Promise<ChatStore> {
    const store = await open();
    expect(await store.createRoom(roomState(roomName, { historyMaxSize }))).toBe(true);
    for (let index = 1; index <= count; index++) await store.addMessage(roomName, message(`m${index}`, index));
    return store;
  }

  /** The messages of a history read without a byte budget. */
  async function readRecent(store: ChatStore, roomName: string, limit: number): Promise<ProcessedMessage[]> {
    return (await store.getRecentHistory(roomName, limit, Infinity)).messages;
  }

  async function history(store: ChatStore, roomName: string, afterId: number, limit: number): Promise<ProcessedMessage[]> {
    return (await store.getHistory(roomName, afterId, limit, Infinity)).messages;
  }

  /** Every room's name, as the server API lists them (no viewer). */
  async function roomNames(store: ChatStore): Promise<string[]> {
    return (await store.listRooms(undefined, undefined, 1000)).map((room) => room.name);
  }

  return { open, withMessages, readRecent, history, roomNames };
}
