import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MessageLog } from '../../src/message-log.js';

/*
 * The memory store's history against a plain model (an array spliced on every trim): any mix of
 * appends and trims, by count and by bytes, leaves the same messages, sizes and pages, across the
 * compactions the log does when half of its array is dropped.
 */

describe('MessageLog', () => {
  it('keeps what a spliced array keeps, through every trim and compaction', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ text: fc.string({ maxLength: 20 }), maxSize: fc.integer({ min: 0, max: 12 }), maxBytes: fc.option(fc.integer({ min: 0, max: 400 }), { nil: undefined }) }), {
          maxLength: 80,
        }),
        (steps) => {
          const log = new MessageLog();
          const model: { id: number; text: string; bytes: number }[] = [];
          let id = 0;
          for (const step of steps) {
            const message = { textMessage: step.text, author: 'a', timestamp: 1, id: ++id };
            log.append(message);
            const text = JSON.stringify(message);
            model.push({ id, text, bytes: Buffer.byteLength(text) });
            log.trim(step.maxSize, step.maxBytes);
            model.splice(0, Math.max(0, model.length - step.maxSize));
            let bytes = model.reduce((sum, entry) => sum + entry.bytes, 0);
            while (model.length > 0 && step.maxBytes !== undefined && bytes > step.maxBytes) bytes -= model.shift()!.bytes;
            expect(log.size).toBe(model.length);
            const recent = log.recent('r', 1000, Infinity);
            expect(recent.messages.map((entry) => entry.id)).toEqual(model.map((entry) => entry.id).reverse());
            expect(recent.bytes).toBe(bytes);
            const page = log.range('r', 0, 1000, Infinity, id);
            expect(page.messages.map((entry) => entry.id)).toEqual(model.map((entry) => entry.id).reverse());
          }
        },
      ),
    );
  });
});
