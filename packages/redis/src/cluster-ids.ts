import type { RedisClient } from './redis-client.js';
import type { RedisKeys } from './redis-keys.js';

/** A change of the registry, on the registry channel (JSON). */
interface RegistryChange {
  /** `+`: the node now owns the connection; `-`: it no longer does. */
  o: '+' | '-';
  i: string;
  n: string;
}

/**
 * This node's copy of which connection ids the other nodes have, so that `setId` can refuse an
 * id taken anywhere at once (it is synchronous): loaded from the registry when the node starts,
 * then kept by the changes every node publishes when a connection of its own opens or closes,
 * and by dropping a dead node's ids when it is found dead. Eventually consistent: two handshakes
 * claiming one id on two nodes within the time a change takes to arrive both succeed.
 */
export class ClusterIds {
  /** Connection id → the other node that has it. */
  private readonly remote = new Map<string, string>();

  constructor(
    private readonly client: RedisClient,
    private readonly keys: RedisKeys,
    private readonly nodeId: string,
  ) {}

  /** True when another node has a connection with this id. */
  has(id: string): boolean {
    return this.remote.has(id);
  }

  /** The other node that has connection `id`, as far as this copy knows. */
  ownerOf(id: string): string | undefined {
    return this.remote.get(id);
  }

  /** Reads the whole registry (once subscribed to the changes, so that none is missed). */
  async load(): Promise<void> {
    const all = await this.client.hGetAll(this.keys.connections);
    for (const [id, node] of Object.entries(all)) {
      if (node !== this.nodeId) this.remote.set(id, node);
    }
  }

  /** A change published by a node. */
  received(data: Buffer): void {
    let change: Partial<RegistryChange>;
    try {
      change = JSON.parse(data.toString()) as Partial<RegistryChange>;
    } catch {
      return;
    }
    const { o, i, n } = change;
    if (typeof i !== 'string' || typeof n !== 'string' || n === this.nodeId) return;
    if (o === '+') this.remote.set(i, n);
    else if (o === '-' && this.remote.get(i) === n) this.remote.delete(i);
  }

  /** Tells the other nodes that this node now has connection `id` (or has it no more). */
  publish(change: '+' | '-', id: string): Promise<number> {
    return this.client.publish(this.keys.registry, Buffer.from(JSON.stringify({ o: change, i: id, n: this.nodeId })));
  }

  /** Node `node` is dead: its ids are free. */
  nodeGone(node: string): void {
    for (const [id, owner] of this.remote) if (owner === node) this.remote.delete(id);
  }
}
