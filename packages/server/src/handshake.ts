import type { IncomingMessage } from '@volley/session';

/** What a handshake needs from its connection. */
export interface HandshakeOwner {
  /** @internal */
  completeHandshake(handshake: Handshake, accepted: boolean, value: unknown): boolean;
}

/**
 * A client's handshake, emitted with the server's `handshake` event. Call {@link resolve} or
 * {@link reject} exactly once; until then the connection stays in `awaiting-handshake`.
 *
 * @example
 * server.on('handshake', async (connection, handshake) => {
 *   const user = await users.byToken(handshake.payload?.token);
 *   if (!user) return handshake.reject(new Error('invalid token'));
 *   connection.setId(user.id);
 *   handshake.resolve({ name: user.name });
 * });
 */
export class Handshake<Payload = unknown, Answer = unknown> {
  /** @internal */
  constructor(
    private readonly owner: HandshakeOwner,
    /** @internal The `_h` request being answered. */
    readonly message: IncomingMessage,
  ) {}

  /** The client's handshake payload (`options.handshake.payload`). */
  get payload(): Payload {
    return this.message.payload as Payload;
  }

  /** True once resolved or rejected. */
  get ended(): boolean {
    return this.message.responded;
  }

  /**
   * Accepts the client; `data` is what its `connect()` resolves with. The connection becomes
   * `connected` and the server emits `connection`. Returns false if the handshake had already
   * ended or the socket is gone.
   */
  resolve(data?: Answer): boolean {
    return this.owner.completeHandshake(this, true, data);
  }

  /**
   * Refuses the client: its `connect()` rejects with `HANDSHAKE_REJECTED` carrying `reason`, the
   * socket closes with 4203 shortly after, and the client does not reconnect.
   */
  reject(reason?: unknown): boolean {
    return this.owner.completeHandshake(this, false, reason);
  }
}
