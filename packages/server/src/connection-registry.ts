import { randomConnectionId } from './connection-ids.js';
import type { ConnectionState } from './connection-types.js';

/** What the registry reads of a connection. */
interface Registered {
  readonly id: string;
  readonly state: ConnectionState;
}

/**
 * The server's open connections: every one by id (still in its handshake or connected), and the
 * connected ones in the order they connected (the ping timer and broadcasts walk them).
 */
export class ConnectionRegistry<C extends Registered> {
  private readonly byId = new Map<string, C>();
  /** Connected connections, in the order they connected. */
  readonly connected = new Set<C>();

  /** A random id no open connection has. */
  newId(): string {
    let id = randomConnectionId();
    while (this.byId.has(id)) id = randomConnectionId();
    return id;
  }

  add(connection: C): void {
    this.byId.set(connection.id, connection);
  }

  /** The open connection with this id. */
  get(id: string): C | undefined {
    return this.byId.get(id);
  }

  /** The connected (handshake done) connection with this id. */
  getConnected(id: string): C | undefined {
    const connection = this.byId.get(id);
    return connection !== undefined && connection.state === 'connected' ? connection : undefined;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** `setId` changed the connection's id from `oldId`. */
  renamed(connection: C, oldId: string): void {
    this.byId.delete(oldId);
    this.byId.set(connection.id, connection);
  }

  markConnected(connection: C): void {
    this.connected.add(connection);
  }

  /** Forgets a closed connection; true when it had completed its handshake. */
  remove(connection: C): boolean {
    if (this.byId.get(connection.id) === connection) this.byId.delete(connection.id);
    return this.connected.delete(connection);
  }

  /** Every open connection. */
  all(): C[] {
    return [...this.byId.values()];
  }
}
