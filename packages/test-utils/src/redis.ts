import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { isCI } from './chromium.js';

/** The Redis the tests use: one answers on 127.0.0.1:6379 on the build machines (`.ci/run` starts one). */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** True when a Redis server answers PING at {@link REDIS_URL} within a second. */
export function redisAnswers(): Promise<boolean> {
  const { hostname, port } = new URL(REDIS_URL);
  return new Promise((resolve) => {
    const socket = connect(Number(port || 6379), hostname);
    const done = (answer: boolean): void => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

/**
 * True when a Redis suite should be skipped: no Redis answers and this is not CI. Under CI a
 * Redis suite never skips: {@link requireRedis} fails it instead.
 */
export async function skipRedis(): Promise<boolean> {
  return !isCI && !(await redisAnswers());
}

/** Throws, with how to get one, when no Redis answers (use in `beforeAll` of a Redis suite). */
export async function requireRedis(): Promise<void> {
  if (!(await redisAnswers())) {
    throw new Error(`No Redis answers at ${REDIS_URL}: start one (redis-server) or set REDIS_URL. CI must run the Redis tests.`);
  }
}

/** A key prefix of its own for one suite of one test run, so that runs never see each other's keys. */
export function testPrefix(suite: string): string {
  return `volley-test-${suite}-${process.pid}-${randomBytes(4).toString('hex')}`;
}
