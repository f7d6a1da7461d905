/**
 * Types that describe an application's messages, for the one optional generic parameter of
 * `Server`, `ServerConnection` and `Client`.
 *
 * @example
 * interface MathApi {
 *   // messages the server handles (the client sends them)
 *   server: { sum: { payload: { a: number; b: number }; result: number } };
 *   // messages the client handles (the server sends them)
 *   client: { confirm: { payload: { q: string }; result: boolean }; news: { payload: string } };
 *   // the handshake: what the client sends, what the server's resolve() answers (optional)
 *   handshake: { payload: { token: string }; answer: { motd: string } };
 * }
 * const server = new Server<MathApi>({ port: 0 });
 * const client = new Client<MathApi>(url, { WebSocket });
 * const three: number = await client.send('sum', { a: 1, b: 2 });
 */

/** One message: the payload its sender passes and the result its handler answers with. */
export interface MessageSpec {
  payload?: unknown;
  result?: unknown;
}

/** Message name → {@link MessageSpec}. */
export type MessageMap = { [name: string]: MessageSpec };

/** What the handshake carries: the client's payload and the answer the server resolves it with. */
export interface HandshakeSpec {
  payload?: unknown;
  answer?: unknown;
}

/**
 * The messages each side handles: `server` ones are sent by clients, `client` ones by the server;
 * and, optionally, the handshake's payload and answer.
 */
export interface Api {
  server: MessageMap;
  client: MessageMap;
  handshake?: HandshakeSpec;
}

/** The untyped default: any name, any payload, any result. */
export interface AnyApi {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  server: { [name: string]: { payload: any; result: any } };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  client: { [name: string]: { payload: any; result: any } };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  handshake: { payload: any; answer: any };
}

/** The handshake payload type of an API; `unknown` when it names none. */
export type HandshakePayloadOf<A extends Api> = A extends { handshake: { payload: infer P } } ? P : unknown;

/** The handshake answer type of an API (what `connect()` resolves with); `unknown` when it names none. */
export type HandshakeAnswerOf<A extends Api> = A extends { handshake: { answer: infer R } } ? R : unknown;

/** Names in a message map (string keys only). */
export type NameOf<M extends MessageMap> = Extract<keyof M, string>;

/** The payload type of message `K`; `undefined` when the spec has none. */
export type PayloadOf<M extends MessageMap, K extends keyof M> = M[K] extends { payload: infer P } ? P : undefined;

/** The result type of message `K`; `void` when the spec has none. */
export type ResultOf<M extends MessageMap, K extends keyof M> = M[K] extends { result: infer R } ? R : void;

/**
 * Argument list of a send: the payload is optional when the spec's payload may be undefined.
 */
export type PayloadArgs<M extends MessageMap, K extends keyof M> =
  undefined extends PayloadOf<M, K> ? [payload?: PayloadOf<M, K>] : [payload: PayloadOf<M, K>];
