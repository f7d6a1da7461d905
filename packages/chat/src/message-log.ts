import { parseWithBytes, stringifyWithBytes } from '@volley/protocol';
import type { ProcessedMessage } from './chat-api.js';
import { ChatError, ChatErrorCode } from './chat-error.js';
import type { HistoryPage } from './chat-store.js';

interface StoredMessage {
  id: number;
  text: string;
  bytes: number;
}

/**
 * One room's retained messages for the memory store, oldest first, with consecutive ids. Kept as
 * their JSON text: a read parses only the messages it returns, and the text's size is what the
 * byte bounds count. Trimming advances a start index and compacts the array only once half of it
 * is dropped, so that a full history trimmed by one message per append costs O(1), not a shift
 * of every retained message.
 */
export class MessageLog {
  private entries: StoredMessage[] = [];
  /** Index of the oldest retained entry in `entries`. */
  private start = 0;
  private bytes = 0;

  get size(): number {
    return this.entries.length - this.start;
  }

  /** Appends a message (with its id) as JSON; returns the stored copy. */
  append(message: ProcessedMessage & { id: number }): ProcessedMessage {
    // Bytes in a message (a checker hook may allow them) are kept as bytes.
    const text = stringifyWithBytes(message)!;
    const bytes = Buffer.byteLength(text);
    this.entries.push({ id: message.id, text, bytes });
    this.bytes += bytes;
    return parseWithBytes(text) as ProcessedMessage;
  }

  /** Drops the oldest messages past `maxSize` and then past `maxBytes` bytes. */
  trim(maxSize: number, maxBytes = Infinity): void {
    const entries = this.entries;
    let drop = Math.max(0, this.size - maxSize);
    let at = this.start;
    for (const end = at + drop; at < end; at++) this.bytes -= entries[at]!.bytes;
    while (at < entries.length && this.bytes > maxBytes) this.bytes -= entries[at++]!.bytes;
    drop = at - this.start;
    if (drop === 0) return;
    this.start = at;
    if (this.start * 2 >= entries.length) {
      this.entries = entries.slice(this.start);
      this.start = 0;
    }
  }

  /** The newest `limit` messages, newest first, as many as fit in `maxBytes`; `answerTooLarge` when not even the newest fits. */
  recent(roomName: string, limit: number, maxBytes: number): HistoryPage {
    const picked: StoredMessage[] = [];
    let bytes = 0;
    for (let index = this.entries.length - 1; index >= this.start && picked.length < limit; index--) {
      const entry = this.entries[index]!;
      if (bytes + entry.bytes > maxBytes) break;
      picked.push(entry);
      bytes += entry.bytes;
    }
    if (picked.length === 0 && this.size > 0 && limit > 0) throw new ChatError(ChatErrorCode.ANSWER_TOO_LARGE, [roomName]);
    return { messages: picked.map(parse), bytes };
  }

  /**
   * Messages `afterId+1 … afterId+limit` (from the oldest retained when `afterId` predates it, up
   * to `lastId`), newest first, as many from the oldest of them as fit in `maxBytes`.
   */
  range(roomName: string, afterId: number, limit: number, maxBytes: number, lastId: number): HistoryPage {
    if (this.size === 0 || limit <= 0) return { messages: [], bytes: 0 };
    const firstId = this.entries[this.start]!.id;
    const from = Math.max(afterId + 1, firstId);
    const to = Math.min(from + limit - 1, lastId);
    if (from > to) return { messages: [], bytes: 0 };
    // From the oldest asked for, so that the client continues from the newest id it got.
    const picked: StoredMessage[] = [];
    let bytes = 0;
    for (let id = from; id <= to; id++) {
      const entry = this.entries[this.start + id - firstId]!;
      if (bytes + entry.bytes > maxBytes) break;
      picked.push(entry);
      bytes += entry.bytes;
    }
    if (picked.length === 0) throw new ChatError(ChatErrorCode.ANSWER_TOO_LARGE, [roomName]);
    return { messages: picked.reverse().map(parse), bytes };
  }
}

function parse(entry: StoredMessage): ProcessedMessage {
  return parseWithBytes(entry.text) as ProcessedMessage;
}
