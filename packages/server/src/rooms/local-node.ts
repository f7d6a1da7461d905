import { ErrorCode, invalidNameError, isApplicationName, VolleyError } from '@volley/protocol';
import type { ConnectionRegistry } from '../connection-registry.js';
import type { ServerConnection } from '../server-connection.js';
import type { AdapterMember, AdapterNode, ConnectionOperation } from './adapter.js';
import { applyTo, type ConnectionHandleHost } from './connection-handle.js';
import type { RoomOperations } from './room-operations.js';

/**
 * This server as its adapter and its connection handles see it: its connected connections, and
 * requests and operations on one of them by id, served here or, for another node's connection,
 * handed to the adapter.
 */
export class LocalNode implements AdapterNode, ConnectionHandleHost {
  constructor(
    private readonly registry: ConnectionRegistry<ServerConnection>,
    private readonly roomOperations: RoomOperations,
    private readonly responseTimeout: number,
    private readonly onLost: (id: string) => Promise<void>,
  ) {}

  connections(): Iterable<AdapterMember> {
    return this.registry.connected;
  }

  connection(id: string): AdapterMember | undefined {
    return this.registry.getConnected(id);
  }

  request(id: string, name: string, payload: unknown, timeout: number): Promise<unknown> {
    const connection = this.registry.getConnected(id);
    if (connection === undefined) return Promise.reject(new VolleyError(ErrorCode.DISCONNECTED, `Cannot send "${name}": connection "${id}" is not here`));
    return connection.send(name, payload, timeout);
  }

  async apply(id: string, operation: ConnectionOperation): Promise<boolean> {
    const connection = this.registry.getConnected(id);
    if (connection !== undefined) await applyTo(connection, operation);
    return connection !== undefined;
  }

  async lost(ids: readonly string[]): Promise<void> {
    const outcomes = await Promise.allSettled(ids.map((id) => this.onLost(id)));
    const failure = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failure !== undefined) throw failure.reason;
  }

  async applyAnywhere(id: string, operation: ConnectionOperation): Promise<boolean> {
    if (await this.apply(id, operation)) return true;
    if (operation.type === 'send' && !isApplicationName(operation.name)) {
      throw invalidNameError(operation.name);
    }
    return this.roomOperations.apply(id, operation, this.responseTimeout);
  }
}
