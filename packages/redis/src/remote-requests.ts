import { ErrorCode, toVolleyError, VolleyError } from '@volley/protocol';
import type { AdapterNode, ConnectionOperation } from '@volley/server';
import { PendingRequests } from '@volley/session';
import type { RedisClient } from './redis-client.js';
import type { RedisKeys } from './redis-keys.js';

/**
 * Which node owns a connection, if that node is registered: one read, atomic, and legal on a
 * Redis Cluster (both keys share the hash tag). KEYS: connections hash, nodes set. ARGV: id.
 */
const OWNER_SCRIPT = `local node = redis.call('HGET', KEYS[1], ARGV[1])
if node and redis.call('SISMEMBER', KEYS[2], node) == 1 then return node end
return false`;

/** A request for a connection of the receiving node (JSON on that node's channel). */
interface RequestMessage {
  /** Request id, unique on the sending node. */
  q: string;
  /** The sending node: where the answer goes. */
  f: string;
  /** The connection. */
  c: string;
  n: string;
  p?: unknown;
  /** An operation to apply instead of a request to send (`n` names it). */
  o?: ConnectionOperation;
  /** Timeout, ms. */
  t: number;
}

/** The errors that mean "no node has the connection": `apply` turns them into false. */
const goneErrors = new WeakSet<VolleyError>();

function gone(message: string): VolleyError {
  const error = new VolleyError(ErrorCode.DISCONNECTED, message);
  goneErrors.add(error);
  return error;
}

/** The answer to a {@link RequestMessage}: the client's result, or the error of the send. */
interface AnswerMessage {
  a: string;
  v?: unknown;
  e?: { code: string; message: string; payload?: unknown };
}

/**
 * Awaited sends to connections on other nodes. The sending node finds the owner in its copy of
 * the registry or, when the copy does not know the id, in the registry itself (a node that is not
 * registered means the connection is gone: the call fails at once), publishes the request on the owner's channel and awaits the answer on its own;
 * the owner sends the request to its connection and publishes what the client answered, or how
 * the send failed, with its code. Every call awaiting an answer is in one PendingRequests: one
 * timer for all of them, armed for the earliest deadline.
 */
export class RemoteRequests {
  private readonly pending = new PendingRequests();
  private seq = 0;
  /** The calls awaiting each node, so that they fail when it dies. */
  private readonly awaiting = new Map<string, Set<string>>();

  constructor(
    private readonly client: RedisClient,
    private readonly keys: RedisKeys,
    private readonly nodeId: string,
    private readonly node: () => AdapterNode | undefined,
    /** This node's copy of the registry: the owner of most connections without a Redis read. */
    private readonly knownOwner: (id: string) => string | undefined = () => undefined,
  ) {}

  /** Sends `name` to connection `id` on its node and resolves with its client's answer. */
  request(id: string, name: string, payload: unknown, timeout: number): Promise<unknown> {
    return this.call(id, { n: name, p: payload }, timeout);
  }

  /** Applies an operation to connection `id` on its node; false when no node has it. */
  async apply(id: string, operation: ConnectionOperation, timeout: number): Promise<boolean> {
    try {
      return (await this.call(id, { n: operation.type, o: operation }, timeout)) === true;
    } catch (error) {
      if (error instanceof VolleyError && goneErrors.has(error)) return false;
      throw error;
    }
  }

  private async call(id: string, body: Pick<RequestMessage, 'n' | 'p' | 'o'>, timeout: number): Promise<unknown> {
    const name = body.n;
    // A dead owner is caught all the same: its subscription is gone, the publish reaches nobody.
    let owner: unknown = this.knownOwner(id);
    if (owner === undefined) {
      try {
        owner = await this.client.eval(OWNER_SCRIPT, { keys: [this.keys.connections, this.keys.nodes], arguments: [id] });
      } catch (cause) {
        throw new VolleyError(ErrorCode.DISCONNECTED, `Cannot send "${name}": Redis is unreachable (${(cause as Error).message})`, { cause });
      }
    }
    if (typeof owner !== 'string' || owner === this.nodeId) {
      throw gone(`Cannot send "${name}": no node has a connection "${id}"`);
    }
    const message: RequestMessage = { q: (++this.seq).toString(36), f: this.nodeId, c: id, ...body, t: timeout };
    let text: string;
    try {
      text = JSON.stringify(message);
    } catch (cause) {
      throw new VolleyError(ErrorCode.INVALID_JSON, `Payload cannot be serialised: ${(cause as Error).message}`, { cause });
    }
    const answer = this.pending.await(message.q, name, timeout);
    this.track(owner, message.q, answer);
    this.client.publish(this.keys.channel(owner), Buffer.from(text)).then(
      (receivers) => {
        // Nobody subscribed: the owner is gone since the registry was read.
        if (receivers === 0) this.pending.reject(message.q, gone(`"${name}" failed: the node of "${id}" is gone`));
      },
      (cause: unknown) =>
        this.pending.reject(message.q, new VolleyError(ErrorCode.DISCONNECTED, `Cannot send "${name}": Redis is unreachable (${(cause as Error).message})`, { cause })),
    );
    return answer;
  }

  /** A message on this node's channel: a request for one of its connections, or an answer. */
  received(data: Buffer): void {
    let message: Partial<RequestMessage & AnswerMessage>;
    try {
      message = JSON.parse(data.toString()) as Partial<RequestMessage & AnswerMessage>;
    } catch {
      return;
    }
    if (typeof message.a === 'string') this.answered(message as AnswerMessage);
    else if (typeof message.q === 'string' && typeof message.f === 'string' && typeof message.c === 'string' && typeof message.n === 'string') {
      this.serve(message as RequestMessage);
    }
  }

  /** Node `node` is dead: every call awaiting it rejects `DISCONNECTED` now. */
  nodeGone(node: string): void {
    const calls = this.awaiting.get(node);
    if (calls === undefined) return;
    this.awaiting.delete(node);
    for (const id of calls) this.pending.reject(id, gone(`The request failed: node "${node}" is gone`));
  }

  /** Rejects every call awaiting an answer with `DISCONNECTED` (this node is closing). */
  close(): void {
    this.pending.rejectAll((name) => new VolleyError(ErrorCode.DISCONNECTED, `"${name}" failed: the node closed`));
  }

  /** Remembers that call `id` awaits `node`, until it settles. */
  private track(node: string, id: string, answer: Promise<unknown>): void {
    let calls = this.awaiting.get(node);
    if (calls === undefined) this.awaiting.set(node, (calls = new Set()));
    calls.add(id);
    const forget = (): void => {
      calls.delete(id);
      if (calls.size === 0 && this.awaiting.get(node) === calls) this.awaiting.delete(node);
    };
    answer.then(forget, forget);
  }

  private serve(message: RequestMessage): void {
    const node = this.node();
    let sent: Promise<unknown>;
    if (node === undefined) sent = Promise.reject(new VolleyError(ErrorCode.DISCONNECTED, 'The node is not serving'));
    else if (message.o !== undefined) sent = node.apply(message.c, message.o);
    else sent = node.request(message.c, message.n, message.p, message.t);
    sent.then(
      (value) => this.answer(message.f, { a: message.q, v: value }),
      (thrown: unknown) => {
        const error = toVolleyError(thrown, ErrorCode.INTERNAL_ERROR);
        this.answer(message.f, { a: message.q, e: { code: error.code, message: error.message, payload: error.payload } });
      },
    );
  }

  private answer(node: string, answer: AnswerMessage): void {
    // A publish that fails (Redis down) leaves the caller to its timeout: nothing else can reach it.
    this.client.publish(this.keys.channel(node), Buffer.from(JSON.stringify(answer))).catch(() => undefined);
  }

  private answered(answer: AnswerMessage): void {
    if (answer.e === undefined) {
      this.pending.settle({ n: '_r', i: answer.a, p: answer.v });
      return;
    }
    const { code, message, payload } = answer.e;
    this.pending.reject(answer.a, new VolleyError(code as ErrorCode, message, { payload }));
  }
}
