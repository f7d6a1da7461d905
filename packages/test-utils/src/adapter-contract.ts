/**
 * The contract of the `Adapter` seam, written once and run against every implementation (today
 * the in-memory adapter; the Redis adapter runs the same suite). Members are fake local
 * connections that record the frames delivered to them.
 */
import type { Adapter, AdapterMember, AdapterNode } from '@volley/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

/** A fake local connection recording what it receives. */
export class RecordingMember implements AdapterMember {
  readonly frames: string[] = [];
  constructor(readonly id: string) {}
  deliver(frame: Uint8Array | string): void {
    this.frames.push(typeof frame === 'string' ? frame : Buffer.from(frame).toString());
  }
}

/** Runs the adapter contract; `create` makes a fresh adapter, `dispose` releases it. */
export function adapterContract(name: string, create: () => Adapter | Promise<Adapter>, dispose?: (adapter: Adapter) => unknown): void {
  describe(`Adapter contract: ${name}`, () => {
    let adapter: Adapter;
    let connected: RecordingMember[];
    const member = (id: string): RecordingMember => {
      const m = new RecordingMember(id);
      connected.push(m);
      return m;
    };

    beforeEach(async () => {
      connected = [];
      adapter = await create();
      const node: AdapterNode = {
        connections: () => connected,
        connection: (id) => connected.find((m) => m.id === id),
        request: () => Promise.reject(new Error('The contract sends no requests')),
        apply: () => Promise.reject(new Error('The contract applies no operations')),
        lost: () => Promise.resolve(),
      };
      await adapter.attach(node);
    });

    afterEach(async () => {
      await adapter.close();
      await dispose?.(adapter);
    });

    it('creates a room on first join and lists its members', async () => {
      const a = member('a');
      const b = member('b');
      await adapter.join(a, 'r1');
      await adapter.join(b, 'r1');
      expect((await adapter.members('r1')).sort()).toEqual(['a', 'b']);
      expect(await adapter.rooms()).toEqual(['r1']);
      expect(adapter.roomsOf(a)).toEqual(['r1']);
    });

    it('treats a second join as a no-op', async () => {
      const a = member('a');
      await adapter.join(a, 'r1');
      await adapter.join(a, 'r1');
      expect(await adapter.members('r1')).toEqual(['a']);
      await adapter.broadcast('x', { room: 'r1' });
      expect(a.frames).toEqual(['x']);
    });

    it('removes a room when its last member leaves', async () => {
      const a = member('a');
      await adapter.join(a, 'r1');
      await adapter.join(a, 'r2');
      await adapter.leave(a, 'r1');
      expect(await adapter.rooms()).toEqual(['r2']);
      expect(await adapter.members('r1')).toEqual([]);
      expect(adapter.roomsOf(a)).toEqual(['r2']);
    });

    it('ignores leaving a room one is not in, or that does not exist', async () => {
      const a = member('a');
      await adapter.leave(a, 'nowhere');
      await adapter.join(member('b'), 'r1');
      await adapter.leave(a, 'r1');
      expect(await adapter.members('r1')).toEqual(['b']);
    });

    it('leaveAll removes a member from every room and drops emptied rooms', async () => {
      const a = member('a');
      const b = member('b');
      await adapter.join(a, 'r1');
      await adapter.join(a, 'r2');
      await adapter.join(b, 'r2');
      await adapter.leaveAll(a);
      expect(adapter.roomsOf(a)).toEqual([]);
      expect(await adapter.rooms()).toEqual(['r2']);
      expect(await adapter.members('r2')).toEqual(['b']);
    });

    it('broadcasts to a room: each member exactly once, nobody else', async () => {
      const a = member('a');
      const b = member('b');
      const outsider = member('c');
      await adapter.join(a, 'r1');
      await adapter.join(b, 'r1');
      await adapter.broadcast('hello', { room: 'r1' });
      expect(a.frames).toEqual(['hello']);
      expect(b.frames).toEqual(['hello']);
      expect(outsider.frames).toEqual([]);
    });

    it('leaves out the excepted member', async () => {
      const a = member('a');
      const b = member('b');
      await adapter.join(a, 'r1');
      await adapter.join(b, 'r1');
      await adapter.broadcast('hi', { room: 'r1', except: 'a' });
      expect(a.frames).toEqual([]);
      expect(b.frames).toEqual(['hi']);
    });

    it('broadcasts without a room to every connected member, with except', async () => {
      const a = member('a');
      const b = member('b');
      await adapter.broadcast('all', {});
      await adapter.broadcast('most', { except: 'b' });
      expect(a.frames).toEqual(['all', 'most']);
      expect(b.frames).toEqual(['all']);
    });

    it('delivers the very bytes it was given (encoded once, not re-encoded per member)', async () => {
      const seen: unknown[] = [];
      const a: AdapterMember = { id: 'a', deliver: (frame) => seen.push(frame) };
      const b: AdapterMember = { id: 'b', deliver: (frame) => seen.push(frame) };
      connected.push(a as RecordingMember, b as RecordingMember);
      await adapter.join(a, 'r1');
      await adapter.join(b, 'r1');
      const bytes = Buffer.from('{"n":"x"}');
      await adapter.broadcast(bytes, { room: 'r1' });
      expect(seen).toHaveLength(2);
      expect(Buffer.from(seen[0] as Uint8Array).toString()).toBe('{"n":"x"}');
      expect(Buffer.from(seen[1] as Uint8Array).toString()).toBe('{"n":"x"}');
    });

    it('broadcasts to a room nobody is in without error and without deliveries', async () => {
      const a = member('a');
      await adapter.broadcast('x', { room: 'empty' });
      expect(a.frames).toEqual([]);
    });
  });
}
