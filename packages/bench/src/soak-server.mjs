// The soak's server process: a Volley server with default limits that answers the clients' mix
// (echo, note, join, leave, shout, done), sends its own requests and room broadcasts, checks the
// order of every sequence number it receives, and samples its memory after a full collection.
// Started with --expose-gc by soak.mjs.
import { Server } from '@volley/server';
import { performance } from 'node:perf_hooks';
import { emitToParent, serveCommands, sleep } from './ipc.mjs';

const lifetime = Number(process.argv[2] ?? 600_000);
/** How often the server's own traffic (requests, broadcasts) is generated, in ms. */
const TICK = 100;

const stats = {
  connections: 0,
  /** Client messages whose sequence number skipped ahead (a message never reached its handler). */
  gaps: 0,
  /** Client messages whose sequence number was not new (delivered twice). */
  duplicates: 0,
  asksSent: 0,
  asksAnswered: 0,
  /** Server → client requests that failed or came back with the wrong answer. */
  asksFailed: 0,
  firstAskFailure: undefined,
  broadcasts: 0,
  /** Deliveries the server's room mirror expects, summed over connections. */
  expectedDeliveries: 0,
  unexpectedCloses: 0,
  firstUnexpectedClose: undefined,
  errors: 0,
  firstError: undefined,
};

/** Per connection: next expected client sequence number, broadcasts it must receive, asks sent. */
const states = new Map();
/**
 * Room name → states of its members, updated in the same synchronous step as the adapter (the
 * in-memory adapter joins, leaves and delivers synchronously), so that at every broadcast it
 * names exactly the connections the broadcast reaches.
 */
const mirror = new Map();
let closing = false;
let loadTimer;
let samplerTimer;
const samples = [];
let sampleStart = 0;
let asksInFlight = 0;
let roomCount = 1;
let asksPerTick = 0;
let askBudget = 0;
let askCursor = 0;

const server = new Server({ port: 0, host: '127.0.0.1' });

function reportError(error) {
  stats.errors++;
  stats.firstError ??= `${error?.code ?? ''} ${error?.message ?? String(error)}`.trim();
}

server.on('error', reportError);

server.on('handshake', (connection, handshake) => {
  const { proc, index } = handshake.payload ?? {};
  connection.setId(`c${proc}-${index}`);
  handshake.resolve({ hello: connection.id });
});

/** Checks that `seq` is exactly the next sequence number of this connection's messages. */
function inOrder(state, seq) {
  if (seq === state.next) {
    state.next++;
    return true;
  }
  if (seq < state.next) stats.duplicates++;
  else {
    stats.gaps += seq - state.next;
    state.next = seq + 1;
  }
  return false;
}

function broadcastTo(room, payload, except) {
  const members = mirror.get(room);
  const frame = { b: ++stats.broadcasts, room, ...payload };
  if (members !== undefined) {
    for (const member of members) {
      if (member === except) continue;
      member.expectedBroadcasts++;
      stats.expectedDeliveries++;
    }
  }
  // Delivery is synchronous with the in-memory adapter: the mirror above is exact.
  return server.getRoom(room).broadcast('room', frame, except === undefined ? {} : { except: except.connection });
}

server.on('connection', (connection) => {
  const state = { connection, next: 1, expectedBroadcasts: 0, asks: 0, rooms: new Set() };
  states.set(connection, state);
  stats.connections++;
  connection.on('_error', reportError);
  connection.on('echo', (message) => {
    inOrder(state, message.payload.seq);
    message.resolve({ seq: message.payload.seq, d: message.payload.d });
  });
  connection.on('note', (message) => {
    inOrder(state, message.payload.seq);
  });
  connection.on('join', (message) => {
    const { seq, room } = message.payload;
    inOrder(state, seq);
    const joined = connection.joinRoom(room);
    let members = mirror.get(room);
    if (members === undefined) mirror.set(room, (members = new Set()));
    members.add(state);
    state.rooms.add(room);
    joined.then(
      () => message.resolve({ seq }),
      (error) => message.reject(error),
    );
  });
  connection.on('leave', (message) => {
    const { seq, room } = message.payload;
    inOrder(state, seq);
    const left = connection.leaveRoom(room);
    mirror.get(room)?.delete(state);
    state.rooms.delete(room);
    left.then(
      () => message.resolve({ seq }),
      (error) => message.reject(error),
    );
  });
  connection.on('shout', (message) => {
    const { seq, room } = message.payload;
    inOrder(state, seq);
    broadcastTo(room, { from: connection.id, seq }, state).then(
      () => message.resolve({ seq }),
      (error) => message.reject(error),
    );
  });
  // The barrier of the verification: everything the server wrote to this socket before it was
  // written before this answer, so the client can compare its counts with these.
  connection.on('done', (message) => {
    message.resolve({ next: state.next, expectedBroadcasts: state.expectedBroadcasts, asks: state.asks });
  });
});

server.on('disconnected', (connection, info) => {
  const state = states.get(connection);
  if (state !== undefined) for (const room of state.rooms) mirror.get(room)?.delete(state);
  states.delete(connection);
  if (!closing) {
    stats.unexpectedCloses++;
    stats.firstUnexpectedClose ??= `${connection.id}: ${info?.code} ${info?.reason ?? ''}`.trim();
  }
});

/** One server → client request; the client must answer with the same sequence number and its id. */
function ask(state) {
  const seq = ++state.asks;
  stats.asksSent++;
  asksInFlight++;
  state.connection.send('ask', { seq }).then(
    (answer) => {
      asksInFlight--;
      if (answer?.seq === seq && answer?.id === state.connection.id) stats.asksAnswered++;
      else {
        stats.asksFailed++;
        stats.firstAskFailure ??= `wrong answer to ask ${seq} on ${state.connection.id}: ${JSON.stringify(answer)}`;
      }
    },
    (error) => {
      asksInFlight--;
      stats.asksFailed++;
      stats.firstAskFailure ??= `ask ${seq} on ${state.connection.id}: ${error?.code ?? ''} ${error?.message ?? error}`;
    },
  );
}

function tick() {
  // Server → client requests, round robin so that every connection gets its share.
  const all = [...states.values()];
  if (all.length > 0) {
    askBudget += asksPerTick;
    for (; askBudget >= 1; askBudget--) ask(all[askCursor++ % all.length]);
  }
  // One server-originated broadcast per tick, to a random room.
  void broadcastTo(`r${Math.floor(Math.random() * roomCount)}`, { from: 'server' }).catch(reportError);
}

function sample() {
  globalThis.gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  samples.push({ t: Math.round((performance.now() - sampleStart) / 100) / 10, rss, heapUsed });
}

serveCommands(
  {
    async start() {
      await server.start();
      return { port: server.port };
    },

    count: () => states.size,

    /** Starts the server's own traffic and the memory sampler (one sample at once, then every second). */
    startLoad({ rooms, askRate }) {
      roomCount = rooms;
      asksPerTick = (askRate * states.size * TICK) / 1000;
      sampleStart = performance.now();
      sample();
      samplerTimer = setInterval(sample, 1000);
      loadTimer = setInterval(tick, TICK);
      return true;
    },

    /** Stops the server's traffic and sampling; waits (bounded) until its requests have settled. */
    async stopLoad({ settleTimeout }) {
      clearInterval(loadTimer);
      clearInterval(samplerTimer);
      sample();
      const deadline = performance.now() + settleTimeout;
      while (asksInFlight > 0 && performance.now() < deadline) await sleep(20);
      return { asksInFlight };
    },

    /** From now on closes are expected. */
    closing() {
      closing = true;
      return true;
    },

    /** Waits (bounded) until every connection is gone, then reports. */
    async stats({ timeout }) {
      const deadline = performance.now() + timeout;
      while (states.size > 0 && performance.now() < deadline) await sleep(20);
      return { ...stats, remaining: states.size, samples };
    },

    async stop() {
      await server.stop();
      return true;
    },
  },
  lifetime,
);
emitToParent('ready');
