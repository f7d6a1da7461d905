/**
 * The names the documentation's samples use for the reader's own code (a user store, a game, a
 * web framework): declared here, for the samples test only, so that a sample reads as it would
 * in an application and still compiles against Volley's real types. Nothing of Volley is
 * declared here.
 */
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';

declare global {
  /** Your user store. */
  const users: { byToken(token: unknown): { id: string; name: string } | undefined };
  /** Your sessions. */
  const sessions: { verify(token: unknown): Promise<{ name: string; role: string; fullName: string } | undefined> };
  /** Your bans. */
  const bans: { has(userName: string, roomName: string): Promise<boolean> };
  /** Your audit log. */
  const audit: { log(...entries: unknown[]): void };
  /** Your word filter. */
  function censor(text: string): string;
  /** Your game. */
  const game: { move(userName: string, move: unknown): unknown };
  /** A token the client has. */
  const token: string;
  /** A connection id your application knows. */
  const connectionId: string;
  /** The server's URL. */
  const url: string;
  /** Asks the person at the screen. */
  function askUser(question: unknown): boolean;
  function askTheUser(question: unknown): Promise<boolean>;
  /** Shows something on the page. */
  function show(what: unknown): void;
  /** Resolves a token to a user name. */
  function userNameFromToken(token: unknown): Promise<string>;
  /** Your HTTP request handler. */
  function handler(request: IncomingMessage, response: ServerResponse): void;
  /** Your HTTP server. */
  const http: HttpServer;
  /** Express and Fastify, as far as the samples use them. */
  function express(): { listen(port: number): HttpServer };
  function Fastify(): { server: HttpServer; listen(options: { port: number }): Promise<string> };
}
