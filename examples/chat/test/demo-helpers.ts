/**
 * What the demo's tests share: the demo server in this process (`startDemo` on port 0; the chat
 * comes from the sources through vitest's aliases), Node users as ChatClients over `ws`, and the
 * clean-up of both after each test. The page loads the packages' built ESM (dist/), built by the
 * test command (`pnpm test` builds first) and here only when missing.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChatClient } from '@volley/chat/client';
import { onCleanup } from '@volley/test-utils';
import { expect } from 'vitest';
import { WebSocket } from 'ws';
import { Inbox } from '../../../packages/chat/test/helpers.js';
import { type Demo, startDemo } from '../server.mjs';

export const example = fileURLToPath(new URL('../', import.meta.url));
export const root = fileURLToPath(new URL('../../../', import.meta.url));
const dists = ['chat/dist/client.js', 'chat/dist/index.js', 'client/dist/index.js', 'protocol/dist/index.js', 'redis/dist/chat.js'].map((file) => join(root, 'packages', file));

/** Runs a command in the repository root; rejects with its output when it fails. */
function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const output: string[] = [];
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} failed (exit ${code}):\n${output.join('')}`))));
  });
}

/** Builds the page's packages when their dist is missing (`beforeAll`). */
export async function ensureBuilt(): Promise<void> {
  if (!dists.every((file) => existsSync(file))) await run('pnpm', ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only', '--filter=@volley/example-chat...']);
}

/** A running demo and what its ChatServer reported on `error` (nothing may fail); stopped in clean-up. */
export async function start(port = 0): Promise<Demo & { errors: unknown[] }> {
  const demo = await startDemo({ port, host: '127.0.0.1' });
  const errors: unknown[] = [];
  demo.chat.on('error', (error) => errors.push(error));
  let stopped = false;
  const stop = demo.stop.bind(demo);
  onCleanup(() => (stopped ? undefined : stop()));
  return {
    ...demo,
    errors,
    async stop() {
      stopped = true;
      await stop();
    },
  };
}

export function wsUrl(demo: { url: string }): string {
  return `${demo.url.replace(/^http/, 'ws')}ws`;
}

/** A Node user of the demo: logs in with `{userName}` as the handshake payload; disconnected in clean-up. */
export async function nodeUser(demo: { url: string }, userName: string): Promise<{ chat: ChatClient; inbox: Inbox }> {
  const chat = new ChatClient(wsUrl(demo), { WebSocket, auth: { userName }, reconnect: false, pingInterval: 0 });
  onCleanup(() => chat.disconnect());
  const inbox = new Inbox(chat);
  expect(await chat.connect()).toMatchObject({ userName, authData: { id: expect.any(String) } });
  return { chat, inbox };
}
