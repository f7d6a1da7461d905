/**
 * Every Redis key and channel of one deployment, under the hash tag `{prefix}` so that a Redis
 * Cluster keeps them in one slot (and every script is legal there). See docs/scaling.md.
 */
export class RedisKeys {
  private readonly tag: string;

  constructor(prefix: string) {
    this.tag = `{${prefix}}`;
  }

  /** Set: the registered nodes. */
  get nodes(): string {
    return `${this.tag}:nodes`;
  }

  /** Hash: connection id → the node that owns it. */
  get connections(): string {
    return `${this.tag}:connections`;
  }

  /** String: a value drawn by the first node to find it missing. A new value means Redis lost its data. */
  get epoch(): string {
    return `${this.tag}:epoch`;
  }

  /** Channel: changes of the connection registry, for every node's copy of it. */
  get registry(): string {
    return `${this.tag}:registry`;
  }

  /** Channel: broadcasts. */
  get broadcast(): string {
    return `${this.tag}:broadcast`;
  }

  /** String with a TTL: the node is alive while it exists. */
  alive(node: string): string {
    return `${this.tag}:alive:${node}`;
  }

  /** Set: the dead nodes whose lost connections are not all handed over to an application yet. */
  get handover(): string {
    return `${this.tag}:handover`;
  }

  /** Set: the dead node's connections removed from the registry and not handed over yet (`connectionLost`). */
  lost(node: string): string {
    return `${this.tag}:lost:${node}`;
  }

  /** String with a TTL: the lock of the node that removes a dead node's entries. */
  reaper(node: string): string {
    return `${this.tag}:reaper:${node}`;
  }

  /** Set: the node's connections in the registry. */
  connectionsOf(node: string): string {
    return `${this.tag}:connections:${node}`;
  }

  /** Set: the rooms the node has members in. */
  rooms(node: string): string {
    return `${this.tag}:rooms:${node}`;
  }

  /** Set: the node's members of the room. */
  room(room: string, node: string): string {
    return `${this.tag}:room:${node}:${room}`;
  }

  /** Sharded channel: the room's broadcasts (with `roomChannels`). */
  roomChannel(room: string): string {
    return `${this.tag}:room-channel:${room}`;
  }

  /** Channel: requests for the node's connections and answers to the node's requests. */
  channel(node: string): string {
    return `${this.tag}:node:${node}`;
  }
}
