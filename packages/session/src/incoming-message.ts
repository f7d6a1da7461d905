/**
 * What answers a message: the session that received it. An interface, so that this module does
 * not import the session (which builds messages).
 */
export interface Responder {
  /** Writes the answer to `message`; false when it cannot be sent (reported on the connection). */
  respond(message: IncomingMessage, ok: boolean, value: unknown): boolean;
  /** A handler failed: report, and reject the request if still unanswered. */
  handlerFailed(message: IncomingMessage, thrown: unknown): void;
}

/**
 * A message received from the peer: a request (it has an `id` and must be answered once with
 * {@link resolve} or {@link reject}) or a fire-and-forget message (no `id`).
 *
 * @example
 * connection.on('sum', (message) => message.resolve(message.payload.a + message.payload.b));
 */
export class IncomingMessage<Payload = unknown, Result = unknown> {
  /** True once {@link resolve} or {@link reject} has sent an answer. */
  responded = false;

  /** @internal Built by the session that received the frame. */
  constructor(
    private readonly session: Responder,
    /** The message name. */
    readonly name: string,
    /** The payload, `undefined` when absent. */
    readonly payload: Payload,
    /** The request id; `undefined` for fire-and-forget messages. */
    readonly id: string | undefined,
  ) {}

  /** True when the sender awaits an answer. */
  get isRequest(): boolean {
    return this.id !== undefined;
  }

  /**
   * Answers the request with `result`. Returns false, sends nothing and reports an error on the
   * connection (`ALREADY_RESPONDED`, `NOT_A_REQUEST`, `INVALID_JSON`, `MESSAGE_NOT_RESPONDED`)
   * when the answer cannot be sent.
   */
  resolve(...result: undefined extends Result ? [result?: Result] : [result: Result]): boolean {
    return this.session.respond(this, true, result[0]);
  }

  /**
   * Rejects the request; the sender's promise rejects with `MESSAGE_REJECTED` and this error,
   * serialised as `{name, message, ...own properties}`, in its `payload`.
   */
  reject(error?: unknown): boolean {
    return this.session.respond(this, false, error);
  }

  /**
   * @internal The handler failed (threw, or its promise rejected): report the error and, if the
   * request is still unanswered, reject it with that error.
   */
  fail(error: unknown): void {
    this.session.handlerFailed(this, error);
  }
}

/** A message handler as users write it: it may be `async`. */
export type MessageListener<Message> = (message: Message) => unknown;
