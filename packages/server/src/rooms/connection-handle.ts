import { CloseCode } from '@volley/protocol';
import type { ConnectionOperation } from './adapter.js';

/** A connection as an operation needs it (a `ServerConnection`). */
export interface OperableConnection {
  sendWithoutResponse(name: string, payload?: unknown): Promise<void>;
  joinRoom(room: string): Promise<void>;
  leaveRoom(room: string): Promise<void>;
  close(code?: number, reason?: string): Promise<void>;
}

/** Applies an operation to a connection of this node. */
export async function applyTo(connection: OperableConnection, operation: ConnectionOperation): Promise<void> {
  switch (operation.type) {
    case 'send':
      return connection.sendWithoutResponse(operation.name, operation.payload);
    case 'join':
      return connection.joinRoom(operation.room);
    case 'leave':
      return connection.leaveRoom(operation.room);
    case 'close':
      return connection.close(operation.code, operation.reason);
  }
}

/** What a connection handle needs from the server. */
export interface ConnectionHandleHost {
  /** @internal Applies the operation here or on the connection's node; false when no node has it. */
  applyAnywhere(id: string, operation: ConnectionOperation): Promise<boolean>;
}

/**
 * A handle on a connection by id, from `server.connection(id)`, that acts on it on whatever node
 * it is connected: on this node directly, on another through the cluster adapter (`@volley/redis`).
 * Each method resolves true once done, false when no node has the connection. Like a room handle
 * it holds no state. For an awaited request to a connection anywhere, use `server.send(id, …)`.
 *
 * @example
 * // Kick a user's connection, whichever node it is on.
 * if (!(await server.connection(id).close(4000, 'kicked'))) console.log('already gone');
 */
export class ConnectionHandle {
  /** @internal */
  constructor(
    private readonly host: ConnectionHandleHost,
    /** The connection's id. */
    readonly id: string,
  ) {}

  /** Sends a fire-and-forget message. Rejects `INVALID_NAME` / `INVALID_JSON` as `connection.sendWithoutResponse()` does. */
  sendWithoutResponse(name: string, payload?: unknown): Promise<boolean> {
    return this.host.applyAnywhere(this.id, { type: 'send', name, payload });
  }

  /** Joins the connection to a room. */
  joinRoom(room: string): Promise<boolean> {
    return this.host.applyAnywhere(this.id, { type: 'join', room });
  }

  /** Takes the connection out of a room. */
  leaveRoom(room: string): Promise<boolean> {
    return this.host.applyAnywhere(this.id, { type: 'leave', room });
  }

  /** Closes the connection (resolves once it is closed). */
  close(code: number = CloseCode.NORMAL, reason = ''): Promise<boolean> {
    return this.host.applyAnywhere(this.id, { type: 'close', code, reason });
  }
}
