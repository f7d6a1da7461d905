import { randomUUID } from 'node:crypto';
import type { RedisClient } from './redis-client.js';
import type { RedisKeys } from './redis-keys.js';

/**
 * Removes the connections of a dead node from the registry, those it still owns only (an id may
 * have reconnected to another node meanwhile), and records them, in the same step, as lost
 * connections still to hand over. KEYS: connections hash, the node's lost set, the handover set.
 * ARGV: node, then ids.
 */
const FORGET_SCRIPT = `local forgotten = 0
for i = 2, #ARGV do
  if redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[1] then
    redis.call('HDEL', KEYS[1], ARGV[i])
    redis.call('SADD', KEYS[2], ARGV[i])
    forgotten = forgotten + 1
  end
end
if forgotten > 0 then redis.call('SADD', KEYS[3], ARGV[1]) end
return forgotten`;

/** Extends a lock this node still holds. KEYS: the lock. ARGV: this node, the TTL in ms. */
const EXTEND_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

/** Lost connections handed over at once: their listeners run concurrently, a batch at a time. */
const HANDOVER_BATCH = 100;

/** What the registry asks of its adapter. */
export interface NodeRegistryHost {
  /** This node was taken for dead (a partition) and removed: write its entries again. */
  reregister(): Promise<void>;
  /** Another node is dead: what awaits it fails now. Called on every check until it is removed. */
  nodeGone(node: string): void;
  /**
   * This node removed a dead node's connections (those it still owned): the application cleans up
   * after them. Resolves once it has; a rejection leaves them to be handed over again.
   */
  lost(ids: string[]): Promise<void>;
}

/**
 * A node's liveness in the deployment. The node refreshes a key with a TTL every
 * `heartbeatInterval`; a node whose key has expired is dead: every node fails what it awaits from
 * it, and one of them, holding a lock, removes its rooms, members and connections and hands the
 * connections over to its application (`connectionLost`). The hand-over is recorded in Redis in
 * the step that removes the connections, so that a node that dies in the middle of it leaves the
 * rest to the next node to look (at-least-once: a connection whose listeners were running may be
 * handed over twice). A node that
 * finds itself removed (its heartbeats did not get through for a while), or finds a new epoch (a
 * Redis restarted without its data), registers again.
 */
export class NodeRegistry {
  private timer: ReturnType<typeof setInterval> | undefined;
  /** The heartbeat in progress, if any: stop() waits for it, or it could register the node again. */
  private checking: Promise<void> | undefined;
  /** The epoch this node registered in. */
  private epoch: string | null = null;
  /**
   * Dead nodes whose connections this node is handing over now. A hand-over runs beside the
   * heartbeats, never inside one: it waits for application listeners, and a listener that hangs
   * must not stop this node's heartbeat (the other nodes would take it for dead).
   */
  private readonly handingOver = new Set<string>();

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
      // Hand-overs that a node left unfinished (it died, or a listener failed), once their lock expired.
      for (const node of await this.client.sMembers(this.keys.handover)) {
        if (!this.handingOver.has(node) && (await this.lock(node))) this.startHandOver(node);
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
    if (!(await this.lock(node))) return;
    const [rooms, connections] = await Promise.all([this.client.sMembers(this.keys.rooms(node)), this.client.sMembers(this.keys.connectionsOf(node))]);
    if (connections.length > 0) {
      await this.client.eval(FORGET_SCRIPT, { keys: [this.keys.connections, this.keys.lost(node), this.keys.handover], arguments: [node, ...connections] });
    }
    await this.client.del([...rooms.map((room) => this.keys.room(room, node)), this.keys.rooms(node), this.keys.connectionsOf(node)]);
    // Last of the removal: until now other nodes still see it and fail what awaits it.
    await this.client.sRem(this.keys.nodes, node);
    this.startHandOver(node);
  }

  /** Hands a dead node's connections over in the background (this node holds its lock). */
  private startHandOver(node: string): void {
    if (this.handingOver.has(node)) return;
    this.handingOver.add(node);
    // A Redis error leaves the rest recorded, for the next look once the lock expires.
    void this.handOver(node)
      .catch(() => undefined)
      .finally(() => this.handingOver.delete(node));
  }

  /** Takes the lock on a dead node's clean-up for one heartbeat TTL; false when another node holds it. */
  private async lock(node: string): Promise<boolean> {
    return (await this.client.set(this.keys.reaper(node), this.nodeId, { condition: 'NX', expiration: { type: 'PX', value: this.heartbeatTtl } })) === 'OK';
  }

  /**
   * Hands a dead node's lost connections over to the application, a batch at a time, and forgets
   * each one whose listeners finished. One that failed stays, for the next look after the lock
   * expires; the node leaves the handover set once none is left.
   */
  private async handOver(node: string): Promise<void> {
    const lostKey = this.keys.lost(node);
    const ids = await this.client.sMembers(lostKey);
    let complete = true;
    // A halted node (stopping) leaves the rest recorded for the others.
    for (let start = 0; start < ids.length && this.timer !== undefined; start += HANDOVER_BATCH) {
      const batch = ids.slice(start, start + HANDOVER_BATCH);
      const outcomes = await Promise.allSettled(batch.map((id) => this.host.lost([id])));
      const done = batch.filter((_, index) => outcomes[index]!.status === 'fulfilled');
      if (done.length > 0) await this.client.sRem(lostKey, done);
      if (done.length < batch.length) complete = false;
      // Listeners may take longer than the lock lives: another node would hand the same ones over.
      await this.client.eval(EXTEND_SCRIPT, { keys: [this.keys.reaper(node)], arguments: [this.nodeId, String(this.heartbeatTtl)] });
    }
    if (complete && this.timer !== undefined) await this.client.sRem(this.keys.handover, node);
  }
}
