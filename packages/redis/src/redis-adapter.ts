import { randomUUID } from 'node:crypto';
import { type AdapterMember, type AdapterNode, type BroadcastTarget, type ConnectionOperation, InMemoryAdapter } from '@volley/server';
import { decodeBroadcast, encodeBroadcast } from './broadcast-envelope.js';
import { ClusterIds } from './cluster-ids.js';
import { NodeRegistry } from './node-registry.js';
import { createOwnClient, type RedisClient } from './redis-client.js';
import { RedisKeys } from './redis-keys.js';
import { checkClient, checkPrefix } from './redis-options.js';
import { RemoteRequests } from './remote-requests.js';

/** Options of {@link RedisAdapter}. */
export interface RedisAdapterOptions {
  /**
   * The node-redis client for commands. Create it with `disableOfflineQueue: true` (the adapter
   * refuses it otherwise), so that an operation while Redis is down fails at once instead of
   * arriving late. The adapter duplicates it
   * for its subscription, connects it when it is not open, and never closes it (it is yours).
   * @default a client of its own to `url`, closed by `close()`
   */
  client?: RedisClient;
  /** Where the adapter's own client connects, when no `client` is given. @default 'redis://127.0.0.1:6379' */
  url?: string;
  /**
   * Prefix of every key and channel: one per deployment (and per test run). Everything lives
   * under the hash tag `{prefix}`, so that a Redis Cluster keeps it in one slot.
   * @default 'volley'
   */
  prefix?: string;
  /** This node's id, unique in the deployment. @default a random UUID */
  nodeId?: string;
  /**
   * Publish each room's broadcasts on a channel of its own (sharded pub/sub: SPUBLISH), to which a
   * node subscribes while it has members in the room, so that a node receives only the broadcasts
   * of its rooms instead of every broadcast of the deployment. Broadcasts to everyone keep the
   * shared channel. Needs Redis 7 or later. @default false
   */
  roomChannels?: boolean;
  /** How often the node refreshes its heartbeat and looks for dead nodes, in ms. @default 2000 */
  heartbeatInterval?: number;
  /**
   * How long a heartbeat lasts, in ms: a node silent for this long is dead, and the others remove
   * its rooms, members and connections. Longer than `heartbeatInterval`. @default 6000
   */
  heartbeatTtl?: number;
}

/** Defaults of {@link RedisAdapterOptions}. */
export const redisAdapterDefaults = {
  url: 'redis://127.0.0.1:6379',
  prefix: 'volley',
  heartbeatInterval: 2000,
  heartbeatTtl: 6000,
  roomChannels: false,
} as const;

/**
 * Rooms, broadcasts and awaited requests across every Volley server node of a deployment, on
 * Redis. Each node keeps its own members in memory (the {@link InMemoryAdapter} this extends) and
 * mirrors them in Redis (one set per room and node, one set of rooms per node), written in the
 * order they change, so that cluster-wide member and room lists are one read. A broadcast is
 * delivered to the sending node's members directly and published once: a small binary header
 * (origin, room, except) and the frame's bytes as the server encoded them; every other node
 * delivers those bytes to its members of the room, without parsing or re-encoding them. A
 * registry of which node owns which connection carries `server.send()` to any node
 * (RemoteRequests), and heartbeats tell live nodes from dead ones (NodeRegistry).
 *
 * @example
 * import { createClient } from 'redis';
 * const redis = createClient({ url: 'redis://127.0.0.1:6379', disableOfflineQueue: true });
 * const server = new Server({ port: 8080, adapter: new RedisAdapter({ client: redis, prefix: 'chat-prod' }) });
 * await server.start(); // connects Redis, subscribes, registers this node
 */
export class RedisAdapter extends InMemoryAdapter {
  /** This node's id in the deployment. */
  readonly nodeId: string;
  private readonly keys: RedisKeys;
  private readonly client: RedisClient;
  private readonly ownsClient: boolean;
  private subscriber: RedisClient | undefined;
  private readonly requests: RemoteRequests;
  private readonly registry: NodeRegistry;
  private readonly clusterIds: ClusterIds;
  /** This node's connections recorded in the registry (removed again when they close). */
  private readonly registered = new Set<string>();
  private readonly roomChannels: boolean;
  /** Receives broadcasts from Redis: one function for every subscription, so it can be removed. */
  private readonly onBroadcast = (message: Buffer): void => this.received(message);

  /** @throws TypeError for invalid options. */
  constructor(options: RedisAdapterOptions = {}) {
    super();
    const prefix = checkPrefix(options.prefix ?? redisAdapterDefaults.prefix);
    const nodeId = options.nodeId ?? randomUUID();
    if (typeof nodeId !== 'string' || nodeId.length === 0) throw new TypeError('Option "nodeId" must be a non-empty string');
    const interval = options.heartbeatInterval ?? redisAdapterDefaults.heartbeatInterval;
    const ttl = options.heartbeatTtl ?? redisAdapterDefaults.heartbeatTtl;
    if (!(Number.isInteger(interval) && interval > 0)) throw new TypeError('Option "heartbeatInterval" must be a positive integer of ms');
    if (!(Number.isInteger(ttl) && ttl > interval)) throw new TypeError('Option "heartbeatTtl" must be an integer of ms longer than heartbeatInterval');
    const roomChannels = options.roomChannels ?? redisAdapterDefaults.roomChannels;
    if (typeof roomChannels !== 'boolean') throw new TypeError('Option "roomChannels" must be a boolean');
    this.roomChannels = roomChannels;
    this.keys = new RedisKeys(prefix);
    this.nodeId = nodeId;
    this.ownsClient = options.client === undefined;
    this.client = options.client !== undefined ? checkClient(options.client) : createOwnClient(options.url ?? redisAdapterDefaults.url);
    this.clusterIds = new ClusterIds(this.client, this.keys, nodeId);
    this.requests = new RemoteRequests(this.client, this.keys, nodeId, () => this.node, (id) => this.clusterIds.ownerOf(id));
    this.registry = new NodeRegistry(this.client, this.keys, nodeId, interval, ttl, {
      reregister: () => this.reregister(),
      lost: (ids) => this.node?.lost(ids) ?? Promise.resolve(),
      nodeGone: (gone) => {
        this.requests.nodeGone(gone);
        this.clusterIds.nodeGone(gone);
      },
    });
  }

  /** Connects (when the client is not open yet), subscribes, and registers this node. */
  override async attach(node: AdapterNode): Promise<void> {
    super.attach(node);
    if (!this.client.isOpen) await this.client.connect();
    const subscriber = this.client.duplicate();
    // Errors surface on the commands that fail; a client without a listener would crash the process.
    subscriber.on('error', () => undefined);
    await subscriber.connect();
    await subscriber.subscribe(this.keys.broadcast, this.onBroadcast, true);
    await subscriber.subscribe(this.keys.channel(this.nodeId), (message) => this.requests.received(message), true);
    await subscriber.subscribe(this.keys.registry, (message) => this.clusterIds.received(message), true);
    this.subscriber = subscriber;
    await this.clusterIds.load();
    await this.registry.start();
  }

  override join(member: AdapterMember, room: string): Promise<void> {
    const isNewRoom = !this.roomMembers.has(room);
    super.join(member, room);
    const commands: Promise<unknown>[] = [this.client.sAdd(this.keys.room(room, this.nodeId), member.id)];
    if (isNewRoom) {
      commands.push(this.client.sAdd(this.keys.rooms(this.nodeId), room));
      // Joined once subscribed: a broadcast after joinRoom() resolves reaches the member.
      if (this.roomChannels && this.subscriber !== undefined) commands.push(this.subscriber.sSubscribe(this.keys.roomChannel(room), this.onBroadcast, true));
    }
    return settle(commands);
  }

  override leave(member: AdapterMember, room: string): Promise<void> {
    super.leave(member, room);
    return settle(this.removed(member, [room]));
  }

  override leaveAll(member: AdapterMember): Promise<void> {
    const rooms = this.roomsOf(member);
    super.leaveAll(member);
    return settle(this.removed(member, rooms));
  }

  /** Records in the registry that this node owns the connection, and tells the other nodes. */
  connected(member: AdapterMember): Promise<void> {
    this.registered.add(member.id);
    const id = member.id;
    return settle([this.client.hSet(this.keys.connections, id, this.nodeId), this.client.sAdd(this.keys.connectionsOf(this.nodeId), id), this.clusterIds.publish('+', id)]);
  }

  /** Removes the connection from the registry, and tells the other nodes. */
  disconnected(member: AdapterMember): Promise<void> {
    const id = member.id;
    if (!this.registered.delete(id)) return Promise.resolve();
    return settle([this.client.hDel(this.keys.connections, id), this.client.sRem(this.keys.connectionsOf(this.nodeId), id), this.clusterIds.publish('-', id)]);
  }

  /** True when a connection of another node has this id: `setId` refuses it. */
  hasId(id: string): boolean {
    return this.clusterIds.has(id);
  }

  /** Sends a request to connection `id` on whichever node owns it (see RemoteRequests). */
  request(id: string, name: string, payload: unknown, timeout: number): Promise<unknown> {
    return this.requests.request(id, name, payload, timeout);
  }

  /** Applies an operation to connection `id` on whichever node owns it; false when none does. */
  apply(id: string, operation: ConnectionOperation, timeout: number): Promise<boolean> {
    return this.requests.apply(id, operation, timeout);
  }

  /** Ids of the room's members on every registered node. */
  override async members(room: string): Promise<string[]> {
    const nodes = await this.client.sMembers(this.keys.nodes);
    if (nodes.length === 0) return [];
    return this.client.sUnion(nodes.map((node) => this.keys.room(room, node)));
  }

  /** Names of the rooms that have members on any registered node. */
  override async rooms(): Promise<string[]> {
    const nodes = await this.client.sMembers(this.keys.nodes);
    if (nodes.length === 0) return [];
    return this.client.sUnion(nodes.map((node) => this.keys.rooms(node)));
  }

  /** Delivers to this node's members at once, then publishes the frame once for the other nodes. */
  override async broadcast(frame: Uint8Array | string, target: BroadcastTarget): Promise<void> {
    super.broadcast(frame, target);
    const message = encodeBroadcast(this.nodeId, frame, target);
    if (this.roomChannels && target.room !== undefined) await this.client.sPublish(this.keys.roomChannel(target.room), message);
    else await this.client.publish(this.keys.broadcast, message);
  }

  /**
   * Unsubscribes, removes this node's entries from Redis, and closes the clients the adapter made.
   * Never fails for want of Redis: the entries it cannot remove are removed by the other nodes.
   */
  override async close(): Promise<void> {
    const keys = [...this.roomMembers.keys()].map((room) => this.keys.room(room, this.nodeId));
    const connections = [...this.registered];
    this.registered.clear();
    super.close();
    this.requests.close();
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    this.registry.halt();
    try {
      if (this.client.isReady) {
        const commands = [this.registry.stop(), this.client.del([...keys, this.keys.rooms(this.nodeId), this.keys.connectionsOf(this.nodeId)])];
        if (connections.length > 0) commands.push(this.client.hDel(this.keys.connections, connections));
        await settle(commands);
      }
    } catch {
      // Redis went away: the node stops all the same, and the others remove its entries once its
      // heartbeat expires, as for a node that died.
    } finally {
      // A client that cannot reach Redis would wait for it to close gracefully: cut it instead.
      if (subscriber !== undefined) await shut(subscriber);
      if (this.ownsClient) await shut(this.client);
    }
  }

  /** A broadcast from Redis: delivered to this node's members unless this node sent it. */
  private received(message: Buffer): void {
    const envelope = decodeBroadcast(message);
    if (envelope === undefined || envelope.origin === this.nodeId) return;
    super.broadcast(envelope.frame, envelope.target);
  }

  /** Mirrors a member's leaving `rooms` (already applied locally) in Redis. */
  private removed(member: AdapterMember, rooms: string[]): Promise<unknown>[] {
    const commands: Promise<unknown>[] = [];
    for (const room of rooms) {
      // The local state says whether this node still has members there; Redis follows it in order.
      if (this.roomMembers.has(room)) {
        commands.push(this.client.sRem(this.keys.room(room, this.nodeId), member.id));
        continue;
      }
      commands.push(this.client.del(this.keys.room(room, this.nodeId)), this.client.sRem(this.keys.rooms(this.nodeId), room));
      if (this.roomChannels && this.subscriber !== undefined) commands.push(this.subscriber.sUnsubscribe(this.keys.roomChannel(room), this.onBroadcast, true));
    }
    return commands;
  }

  /** This node was removed as dead (a partition): writes its rooms, members and connections again. */
  private async reregister(): Promise<void> {
    const commands: Promise<number>[] = [];
    for (const [room, members] of this.roomMembers) {
      commands.push(this.client.sAdd(this.keys.room(room, this.nodeId), [...members].map((member) => member.id)));
      commands.push(this.client.sAdd(this.keys.rooms(this.nodeId), room));
    }
    for (const id of this.registered) {
      commands.push(this.client.hSet(this.keys.connections, id, this.nodeId), this.client.sAdd(this.keys.connectionsOf(this.nodeId), id), this.clusterIds.publish('+', id));
    }
    await settle(commands);
  }
}

/** Closes a client: gracefully when connected, at once when it is reconnecting. */
async function shut(client: RedisClient): Promise<void> {
  if (client.isReady) await client.close();
  else if (client.isOpen) client.destroy();
}

/** Waits for every command; rejects with the first failure once all have settled. */
async function settle(commands: Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(commands);
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
}
