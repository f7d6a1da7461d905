import { ErrorCode } from '@volley/server';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { RawPeer, type ReceivedFrame } from '@volley/test-utils';
import { answerableId, escaped, garbageText, type Item, item, mutated, otherStillWorks, setup, useFuzzChecks, WF } from './fuzz-harness.js';

useFuzzChecks();

describe('a live server fed random and mutated frames', () => {
  it('answers every well-formed request exactly once, answers no id never sent, and a normal client keeps working', async () => {
    const { url, server, serverErrors, other } = await setup();
    const peer = await RawPeer.connect(url);
    let run = 0;
    let garbageAnswers = 0;
    let frames = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(item, { minLength: 1, maxLength: 8 }), async (items) => {
        run += 1;
        const expected = new Map<string, Extract<Item, { kind: 'request' }>>();
        const garbageIds = new Set<string>();
        items.forEach((entry, index) => {
          frames += 1;
          switch (entry.kind) {
            case 'garbage': {
              peer.sendText(entry.text);
              // Lone surrogates reach the server as U+FFFD: WebSocket text is UTF-8.
              const id = answerableId(Buffer.from(entry.text).toString());
              if (id !== undefined) garbageIds.add(id);
              return;
            }
            case 'binary':
              peer.socket.send(entry.bytes, { binary: true });
              return;
            case 'note':
              peer.send(entry.payload === undefined ? { n: 'note' } : { n: 'note', p: entry.payload });
              return;
            case 'request': {
              const id = `${WF}${run}:${index}`;
              expected.set(id, entry);
              peer.send(entry.payload === undefined ? { n: entry.name, i: id } : { n: entry.name, p: entry.payload, i: id });
            }
          }
        });
        // Synchronous answers precede the first pong; async handlers answer within a microtask,
        // so one more barrier at most collects them. Then one more proves nothing else follows.
        const received: ReceivedFrame[] = [...(await peer.barrier())];
        const answered = (): boolean => [...expected.keys()].every((id) => received.some((frame) => frame.i === id));
        for (let round = 0; round < 5 && !answered(); round++) received.push(...(await peer.barrier()));
        received.push(...(await peer.barrier()));

        for (const frame of received) {
          // The server sends nothing but answers here, and only to ids it was sent.
          expect(frame.n, JSON.stringify(frame)).toBe('_r');
          const id = frame.i as string;
          expect(expected.has(id) || garbageIds.has(id), `answer to an id never sent: ${JSON.stringify(frame)}`).toBe(true);
          if (!expected.has(id)) garbageAnswers += 1;
        }
        for (const [id, request] of expected) {
          const answers = received.filter((frame) => frame.i === id);
          expect(answers, `answers to ${id} (${request.name})`).toHaveLength(1);
          const [answer] = answers as [ReceivedFrame];
          if (request.name === 'echo' || request.name === 'later') {
            expect(answer.e).toBeUndefined();
            expect(answer.p).toStrictEqual(request.payload === undefined ? undefined : JSON.parse(JSON.stringify(request.payload)));
          } else {
            expect(answer.e).toMatchObject({ message: expect.any(String) });
            if (request.name === 'missing') expect(answer.e.code).toBe(ErrorCode.NO_HANDLER);
          }
        }
        expect(peer.socket.readyState).toBe(WebSocket.OPEN);
        await otherStillWorks(other, { run });
      }),
      { numRuns: 40 },
    );
    // The fuzz must have reached the refusal path that answers salvaged ids, not only silence.
    console.log(`live fuzz: ${frames} frames in ${run} runs, ${garbageAnswers} answers to garbage ids`);
    expect(garbageAnswers).toBeGreaterThan(0);
    expect(server.getConnections()).toHaveLength(2);
    expect(serverErrors).toStrictEqual([]);
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect(escaped).toStrictEqual([]);
  });

  it('keeps other connections working while several fuzzing peers run at once', async () => {
    const { url, server, serverErrors, other } = await setup();
    const peers = await Promise.all([RawPeer.connect(url), RawPeer.connect(url), RawPeer.connect(url)]);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(garbageText, { maxLength: 20 }), { minLength: peers.length, maxLength: peers.length }), async (batches) => {
        batches.forEach((texts, index) => {
          for (const text of texts) peers[index]!.sendText(text);
        });
        await Promise.all([otherStillWorks(other, batches.length), ...peers.map((peer) => peer.barrier())]);
        for (const peer of peers) expect(peer.socket.readyState).toBe(WebSocket.OPEN);
      }),
      { numRuns: 15 },
    );
    expect(server.getConnections()).toHaveLength(1 + peers.length);
    expect(serverErrors).toStrictEqual([]);
  });
});
