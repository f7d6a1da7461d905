import type { MessageMap, NameOf, PayloadArgs, PayloadOf, ResultOf, VolleyError } from '@volley/protocol';
import { isApplicationName } from '@volley/protocol';
import { emitSafely } from './emit-safely.js';
import { EventListeners } from './event-listeners.js';
import type { IncomingMessage } from './incoming-message.js';
import { MessageHandlers } from './message-handlers.js';
import type { Session } from './session.js';

/** A handler of the peer's request or message `K` of `M`. */
export type PeerMessageHandler<M extends MessageMap, K extends keyof M> = (message: IncomingMessage<PayloadOf<M, K>, ResultOf<M, K>>) => void;

/** The lifecycle event every peer reports local errors on. */
const ERROR_EVENT = '_error';
/** The lifecycle event every peer reports state changes on. */
const STATE_CHANGE_EVENT = '_stateChange';

/**
 * One end of a Volley conversation as its user sees it: handlers of the other side's messages,
 * lifecycle listeners, and awaited requests, fire-and-forget messages and pings to the other side.
 * Written once for the client (`Client`) and the server's connections (`ServerConnection`), which
 * add their lifecycle; `Events` are their lifecycle events, `Inbound` the messages they handle,
 * `Outbound` the messages they send.
 *
 * Lifecycle event names start with `_`, which application names never do: `on()` tells them apart.
 */
export abstract class Peer<Events extends { [K in keyof Events]: (...args: any[]) => void }, Inbound extends MessageMap, Outbound extends MessageMap> {
  /** The session the requests go through; set by the subclass's constructor. */
  protected abstract readonly session: Session;
  /** Handlers of the other side's application messages. */
  protected readonly handlers = new MessageHandlers();
  /** Lifecycle listeners; created on the first `on()` of one, as most peers never get one. */
  protected events: EventListeners | undefined;

  /** Subscribes to a lifecycle event. */
  on<K extends keyof Events & string>(event: K, listener: Events[K]): this;
  /**
   * Handles the other side's message `name`. A request must be answered with `message.resolve()`
   * or `message.reject()`; a handler that throws (or whose promise rejects) rejects it; without a
   * handler a request is answered with `NO_HANDLER` at once.
   */
  on<K extends NameOf<Inbound>>(name: K, handler: PeerMessageHandler<Inbound, K>): this;
  on(name: string, listener: (...args: any[]) => void): this {
    return this.listen(name, listener, false);
  }

  /** Like {@link on}, for one event or message only. */
  once<K extends keyof Events & string>(event: K, listener: Events[K]): this;
  once<K extends NameOf<Inbound>>(name: K, handler: PeerMessageHandler<Inbound, K>): this;
  once(name: string, listener: (...args: any[]) => void): this {
    return this.listen(name, listener, true);
  }

  /** Removes a listener, or every listener of `name` when none is given. */
  off(name: string, listener?: (...args: any[]) => void): this {
    if (isApplicationName(name)) this.handlers.off(name, listener);
    else this.events?.off(name, listener);
    return this;
  }

  /**
   * Sends a request and resolves with the other side's answer. Rejects `DISCONNECTED` (not
   * connected, or the connection closed while waiting), `MESSAGE_TIMEOUT`, `MESSAGE_REJECTED` (the
   * other side's error in `payload`; `NO_HANDLER` when it has no handler), `INVALID_JSON`,
   * `INVALID_NAME`. The argument after the payload is the timeout in ms (default
   * `responseTimeout`; 0 waits forever).
   */
  send<K extends NameOf<Outbound>>(name: K, ...args: [...PayloadArgs<Outbound, K>, timeout?: number]): Promise<ResultOf<Outbound, K>> {
    return this.session.request(name, args[0], args[1] as number | undefined) as Promise<ResultOf<Outbound, K>>;
  }

  /** Sends a fire-and-forget message. Resolves once written; rejects `DISCONNECTED`, `INVALID_JSON`, `INVALID_NAME`. */
  sendWithoutResponse<K extends NameOf<Outbound>>(name: K, ...args: PayloadArgs<Outbound, K>): Promise<void> {
    try {
      this.session.notify(name, args[0]);
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Pings the other side; without a pong within `responseTimeout` the connection closes (4201) and this rejects `PING_ERROR`. */
  ping(): Promise<void> {
    return this.session.ping();
  }

  /** Number of requests this side sent and still awaits. */
  get pendingRequests(): number {
    return this.session.pendingCount;
  }

  /**
   * Reports a local error on the `_error` event. The session hosts (client, server connection)
   * expose it to their session as `error()`, internal to their packages: a public member here
   * would show in every user's types, since this package's declarations cannot leave it out.
   */
  protected report(error: VolleyError): void {
    this.emit(ERROR_EVENT, error);
  }

  /** Emits a lifecycle event; a throwing listener is reported on `_error` instead of breaking the caller. */
  protected emit(event: string, argument: unknown): void {
    const events = this.events;
    if (events === undefined) return;
    emitSafely(events, event, argument, (error) => this.report(error), ERROR_EVENT);
  }

  /** Reports a change of the public state on `_stateChange`, building nothing when nobody listens. */
  protected stateChanged<S>(newState: S, oldState: S): void {
    if (newState !== oldState && this.events !== undefined && this.events.count(STATE_CHANGE_EVENT) > 0) {
      this.emit(STATE_CHANGE_EVENT, { newState, oldState });
    }
  }

  private listen(name: string, listener: (...args: any[]) => void, once: boolean): this {
    if (isApplicationName(name)) this.handlers.on(name, listener, once);
    else (this.events ??= new EventListeners()).on(name, listener, once);
    return this;
  }
}
