import { randomUUID } from 'node:crypto';
import type { RedisClient } from './redis-client.js';
import type { RedisKeys } from './redis-keys.js';

/**
 * Removes the connections of a dead node from the registry, those it still owns only (an id may
 * have reconnected to another node meanwhile), and returns them. KEYS: connections hash. ARGV: node, then ids.
 */
const FORGET_SCRIPT = `local forgotten = {}
for i = 2, #ARGV do
  if redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[1] then
    redis.call('HDEL', KEYS[1], ARGV[i])
    forgotten[#forgotten + 1] = ARGV[i]
  end
end
return forgotten`;

/** What the registry asks of its adapter. */
export interface NodeRegistryHost {
  /** This node was taken for dead (a partition) and removed: write its entries again. */
  reregister(): Promise<void>;
  /** Another node is dead: what awaits it fails now. Called on every check until it is removed. */
  nodeGone(node: string): void;
  /** This node removed a dead node's connections (those it still owned): the application cleans up after them. */
  lost(ids: string[]): void;
}

/**
 * A node's liveness in the deployment. The node refreshes a key with a TTL every
 * `heartbeatInterval`; a node whose key has expired is dead: every node fails what it awaits from
 * it, and one of them, holding a lock, removes its rooms, members and connections. A node that
 * finds itself removed (its heartbeats did not get through for a while), or finds a new epoch (a
 * Redis restarted without its data), registers again.
 */
export class NodeRegistry {
  private timer: ReturnType<typeof setInterval> | undefined;
  /** The heartbeat in progress, if any: stop() waits for it, or it could register the node again. */
  private checking: Promise<void> | undefined;
  /** The epoch this node registered in. */
  private epoch: string | null = null;

  constructor(
    private readonly client: RedisClient,
    private readonly keys: RedisKeys,
    private readonly nodeId: string,
    private readonly heartbeatInterval: number,
    private readonly heartbeatTtl: number,
    private readonly host: NodeRegistryHost,
  ) {}

  /** Registers this node and starts its heartbeat. */
  async start(): Promise<void> {
    this.epoch = await this.currentEpoch();
    await this.client.set(this.keys.alive(this.nodeId), '1', { expiration: { type: 'PX', value: this.heartbeatTtl } });
    await this.client.sAdd(this.keys.nodes, this.nodeId);
    this.timer = setInterval(() => {
      this.checking ??= this.check().finally(() => (this.checking = undefined));
    }, this.heartbeatInterval);
    this.timer.unref();
  }

  /** Stops the heartbeat (the node is closing). */
  halt(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Stops the heartbeat and unregisters this node. */
  async stop(): Promise<void> {
    this.halt();
    await this.checking;
    await Promise.all([this.client.del(this.keys.alive(this.nodeId)), this.client.sRem(this.keys.nodes, this.nodeId)]);
  }

  /** One heartbeat, then a look for dead nodes. Redis down: the next one tries again. */
  private async check(): Promise<void> {
    try {
      const epoch = await this.currentEpoch();
      const lostData = epoch !== this.epoch;
      this.epoch = epoch;
      await this.client.set(this.keys.alive(this.nodeId), '1', { expiration: { type: 'PX', value: this.heartbeatTtl } });
      const removed = (await this.client.sAdd(this.keys.nodes, this.nodeId)) === 1;
      if (removed || lostData) await this.host.reregister();
      for (const node of await this.client.sMembers(this.keys.nodes)) {
        if (node !== this.nodeId && (await this.client.exists(this.keys.alive(node))) === 0) await this.dead(node);
      }
    } catch {
      // Redis unreachable or restarting: nothing to do until it answers again.
    }
  }

  /** The deployment's epoch, drawn now when Redis has none (first node, or data lost). */
  private async currentEpoch(): Promise<string | null> {
    await this.client.set(this.keys.epoch, randomUUID(), { condition: 'NX' });
    return this.client.get(this.keys.epoch);
  }

  private async dead(node: string): Promise<void> {
    this.host.nodeGone(node);
    const locked = await this.client.set(this.keys.reaper(node), this.nodeId, { condition: 'NX', expiration: { type: 'PX', value: this.heartbeatTtl } });
    if (locked !== 'OK') return;
    const [rooms, connections] = await Promise.all([this.client.sMembers(this.keys.rooms(node)), this.client.sMembers(this.keys.connectionsOf(node))]);
    let lost: string[] = [];
    if (connections.length > 0) lost = (await this.client.eval(FORGET_SCRIPT, { keys: [this.keys.connections], arguments: [node, ...connections] })) as string[];
    await this.client.del([...rooms.map((room) => this.keys.room(room, node)), this.keys.rooms(node), this.keys.connectionsOf(node)]);
    // Last: until now other nodes still see it and fail what awaits it.
    await this.client.sRem(this.keys.nodes, node);
    if (lost.length > 0) this.host.lost(lost);
  }
}
