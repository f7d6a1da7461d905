import { encodeMessage, ErrorCode, invalidNameError, isApplicationName, VolleyError } from '@volley/protocol';
import type { Adapter, AdapterMember, AdapterNode, BroadcastTarget, ConnectionOperation } from './adapter.js';
import type { RoomHost } from './room.js';

/**
 * The server's side of the adapter seam: every room operation goes through here, as a promise,
 * and a failing adapter is reported (on the server's `error` event) as well as rejected.
 */
export class RoomOperations implements RoomHost {
  constructor(
    private readonly adapter: Adapter,
    private readonly report: (error: VolleyError) => void,
  ) {}

  /** Called by `server.start()`; what the adapter throws rejects the start as it is. */
  async attach(node: AdapterNode): Promise<void> {
    await this.adapter.attach(node);
  }

  join(member: AdapterMember, room: string): Promise<void> {
    return this.call(() => this.adapter.join(member, room));
  }

  leave(member: AdapterMember, room: string): Promise<void> {
    return this.call(() => this.adapter.leave(member, room));
  }

  /** Removes a closed connection from its rooms; a failure is reported only (nobody awaits it). */
  leaveAll(member: AdapterMember): void {
    this.call(() => this.adapter.leaveAll(member)).catch(() => undefined);
  }

  /** A local member's rooms, at once; a throwing adapter is reported and the error thrown on. */
  roomsOf(member: AdapterMember): string[] {
    try {
      return this.adapter.roomsOf(member);
    } catch (error) {
      throw this.failed(error);
    }
  }

  rooms(): Promise<string[]> {
    return this.call(() => this.adapter.rooms());
  }

  /** @internal */
  roomMembers(room: string): Promise<string[]> {
    return this.call(() => this.adapter.members(room));
  }

  /** @internal Encodes once and hands the bytes to the adapter. Rejects `INVALID_NAME` / `INVALID_JSON`. */
  broadcastTo(name: string, payload: unknown, target: BroadcastTarget): Promise<void> {
    if (!isApplicationName(name)) {
      return Promise.reject(invalidNameError(name));
    }
    let frame: Buffer;
    try {
      frame = Buffer.from(encodeMessage(name, payload));
    } catch (error) {
      return Promise.reject(error);
    }
    return this.call(() => this.adapter.broadcast(frame, target));
  }

  /** True when the adapter knows a connection of another node with this id. */
  hasRemoteId(id: string): boolean {
    return this.adapter.hasId?.(id) === true;
  }

  /** A connection of this node completed its handshake; a failure is reported only. */
  connected(member: AdapterMember): void {
    const adapter = this.adapter;
    if (adapter.connected !== undefined) this.call(() => adapter.connected!(member)).catch(() => undefined);
  }

  /** A connection of this node closed; a failure is reported only. */
  disconnected(member: AdapterMember): void {
    const adapter = this.adapter;
    if (adapter.disconnected !== undefined) this.call(() => adapter.disconnected!(member)).catch(() => undefined);
  }

  /**
   * A request to connection `id` on another node, through the adapter. Rejects `DISCONNECTED` when
   * the adapter spans no other node; the client's own answers (`MESSAGE_REJECTED`…) are not adapter
   * failures and are not reported.
   */
  request(id: string, name: string, payload: unknown, timeout: number): Promise<unknown> {
    if (this.adapter.request === undefined) {
      return Promise.reject(new VolleyError(ErrorCode.DISCONNECTED, `Cannot send "${name}": no connection has the id "${id}"`));
    }
    return this.adapter.request(id, name, payload, timeout);
  }

  /** An operation on connection `id` of another node, through the adapter; false when none has it. */
  apply(id: string, operation: ConnectionOperation, timeout: number): Promise<boolean> {
    const adapter = this.adapter;
    if (adapter.apply === undefined) return Promise.resolve(false);
    return this.call(() => adapter.apply!(id, operation, timeout));
  }

  /** Called by `server.stop()`. */
  async close(): Promise<void> {
    await this.adapter.close();
  }

  /** Runs an adapter operation as a promise; failures are also reported as server errors. */
  private call<T>(operation: () => T | Promise<T>): Promise<T> {
    let result: T | Promise<T>;
    try {
      result = operation();
    } catch (error) {
      return Promise.reject(this.failed(error));
    }
    if (result instanceof Promise) return result.catch((error: unknown) => Promise.reject(this.failed(error)));
    return Promise.resolve(result);
  }

  private failed(error: unknown): VolleyError {
    const wrapped =
      error instanceof VolleyError
        ? error
        : new VolleyError(ErrorCode.INTERNAL_ERROR, `Adapter failed: ${(error as Error)?.message ?? String(error)}`, { cause: error });
    this.report(wrapped);
    return wrapped;
  }
}
