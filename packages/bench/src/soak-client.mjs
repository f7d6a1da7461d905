// A soak client process: holds its share of the connections and drives the request mix on each
// (echo, note, join, leave, shout), answers the server's requests, counts room broadcasts, and
// audits every frame on the wire: each request id must get exactly one response, both ways.
import { Client } from '@volley/client';
import { SUBPROTOCOL, UPGRADE_ANSWER_HEADER, UPGRADE_ANSWER_SUBPROTOCOL, UPGRADE_HANDSHAKE_ID, UPGRADE_HANDSHAKE_PREFIX } from '@volley/protocol';
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import { emitToParent, serveCommands, sleep } from './ipc.mjs';

const lifetime = Number(process.argv[2] ?? 600_000);
const proc = Number(process.argv[3] ?? 0);
/** How often each connection's budget of messages is spent, in ms. */
const TICK = 100;
/** A connection is in at most this many rooms at once. */
const MAX_ROOMS = 2;

const stats = {
  connections: 0,
  sent: { echo: 0, note: 0, join: 0, leave: 0, shout: 0 },
  answered: 0,
  /** Requests that rejected or were answered with the wrong result. */
  failed: 0,
  firstFailure: undefined,
  asks: 0,
  /** Server requests whose sequence number was not the next one (skipped ahead or repeated). */
  askGaps: 0,
  askDuplicates: 0,
  broadcasts: 0,
  /** Broadcasts whose global number was not above the last one this connection received. */
  broadcastDuplicates: 0,
  /** Wire audit: a response to an id that was not awaiting one (duplicate or unknown). */
  unmatchedResponses: 0,
  /** Wire audit: a request id seen twice while still awaiting its response. */
  duplicateRequestIds: 0,
  /** Wire audit, after the run: requests that never got a response on the wire. */
  unansweredOnWire: 0,
  /** Verification: broadcasts the server delivered that never arrived (or arrived in excess). */
  missingBroadcasts: 0,
  extraBroadcasts: 0,
  /** Verification: the server's next expected sequence number differed from ours. */
  seqMismatches: 0,
  unexpectedCloses: 0,
  firstUnexpectedClose: undefined,
  errors: 0,
  firstError: undefined,
};

/** Every socket opened, for the final audit. */
const sockets = [];
const RESPONSE = /^\{"n":"_r","i":"([^"\\]*)"/;
const REQUEST_ID = /,"i":"([^"\\]*)"\}$/;

/**
 * `ws`'s WebSocket with a frame audit. Volley writes responses as `{"n":"_r","i":…` and every
 * other frame with its id last, so the ids are read without parsing the frame a second time.
 * Received frames are audited from ws's `message` events; sent ones from the bytes written to
 * the TCP socket (the Volley client frames most of its writes itself, see masked-frame.ts), so
 * the audit sees exactly what goes on the wire.
 */
class AuditedWebSocket extends WebSocket {
  constructor(...args) {
    super(...args);
    sockets.push(this);
    /** Ids of requests we sent that await a response, and of requests we received. */
    this.awaiting = new Set();
    this.toAnswer = new Set();
    // A handshake offered in the upgrade (subprotocol volley-h.…) is a request sent without a
    // frame: its answer comes on the upgrade id, in a frame or in the 101's answer header.
    const protocols = args[1];
    const offered = Array.isArray(protocols) && protocols.some((protocol) => protocol.startsWith(UPGRADE_HANDSHAKE_PREFIX));
    if (offered) this.awaiting.add(UPGRADE_HANDSHAKE_ID);
    let answerHeader;
    this.once('upgrade', (response) => (answerHeader = response.headers[UPGRADE_ANSWER_HEADER]));
    // Registered before the client's own listeners, so it sees every frame first.
    this.once('open', () => {
      if (offered && this.protocol === UPGRADE_ANSWER_SUBPROTOCOL && typeof answerHeader === 'string') audit(answerHeader, this.awaiting, this.toAnswer);
      // A server that did not take it selected another protocol: the `_h` frame goes as usual.
      else if (offered && this.protocol !== SUBPROTOCOL) this.awaiting.delete(UPGRADE_HANDSHAKE_ID);
      auditWrites(this._socket, (text) => audit(text, this.toAnswer, this.awaiting));
    });
    this.on('message', (data, isBinary) => {
      if (!isBinary) audit(data.toString(), this.awaiting, this.toAnswer);
    });
  }
}

/**
 * Reads the client's frames back from what is written to `socket` (ws writes a frame's header
 * and payload in two calls, the Volley client a whole frame in one): unmasks each complete text
 * frame and hands its text to `onText`.
 */
function auditWrites(socket, onText) {
  let buffered = Buffer.alloc(0);
  const write = socket.write;
  socket.write = function auditedWrite(chunk, ...rest) {
    buffered = Buffer.concat([buffered, typeof chunk === 'string' ? Buffer.from(chunk) : chunk]);
    for (;;) {
      if (buffered.length < 2) break;
      const short = buffered[1] & 0x7f;
      const lengthBytes = short < 126 ? 0 : short === 126 ? 2 : 8;
      const maskBytes = buffered[1] & 0x80 ? 4 : 0;
      const head = 2 + lengthBytes + maskBytes;
      if (buffered.length < head) break;
      const length = short < 126 ? short : short === 126 ? buffered.readUInt16BE(2) : Number(buffered.readBigUInt64BE(2));
      if (buffered.length < head + length) break;
      const payload = Buffer.from(buffered.subarray(head, head + length));
      if (maskBytes) for (let i = 0; i < length; i++) payload[i] ^= buffered[head - 4 + (i % 4)];
      // Text frames only (opcode 1); Volley never fragments.
      if ((buffered[0] & 0x0f) === 1) onText(payload.toString());
      buffered = buffered.subarray(head + length);
    }
    return write.call(this, chunk, ...rest);
  };
}

/** A response must close an id of `open`; a request id is added to `opened`. */
function audit(frame, open, opened) {
  const response = RESPONSE.exec(frame);
  if (response !== null) {
    if (!open.delete(response[1])) stats.unmatchedResponses++;
    return;
  }
  const request = REQUEST_ID.exec(frame);
  if (request === null) return;
  if (opened.has(request[1])) stats.duplicateRequestIds++;
  else opened.add(request[1]);
}

const connections = [];
let closing = false;
let pending = 0;
let idle = () => undefined;

function failure(connection, what, detail) {
  stats.failed++;
  stats.firstFailure ??= `${connection.client.id} ${what}: ${detail}`;
}

async function openConnection(url, index) {
  const client = new Client(url, { WebSocket: AuditedWebSocket, reconnect: false, handshake: { payload: { proc, index } } });
  const connection = { client, index, seq: 0, lastAsk: 0, lastBroadcast: 0, broadcasts: 0, rooms: new Set(), budget: Math.random() };
  client.on('ask', (message) => {
    const seq = message.payload.seq;
    stats.asks++;
    if (seq <= connection.lastAsk) stats.askDuplicates++;
    else if (seq !== connection.lastAsk + 1) stats.askGaps += seq - connection.lastAsk - 1;
    connection.lastAsk = Math.max(connection.lastAsk, seq);
    message.resolve({ seq, id: client.id });
  });
  client.on('room', (message) => {
    const b = message.payload.b;
    stats.broadcasts++;
    connection.broadcasts++;
    if (b <= connection.lastBroadcast) stats.broadcastDuplicates++;
    connection.lastBroadcast = Math.max(connection.lastBroadcast, b);
  });
  client.on('_error', (error) => {
    stats.errors++;
    stats.firstError ??= `${error?.code ?? ''} ${error?.message ?? error}`.trim();
  });
  client.on('_disconnected', (info) => {
    if (closing) return;
    stats.unexpectedCloses++;
    stats.firstUnexpectedClose ??= `${client.id}: ${info.code} ${info.reason}`.trim();
  });
  await client.connect();
  stats.connections++;
  return connection;
}

/** Sends one request and checks its answer with `check`; `pending` tracks what is unsettled. */
function request(connection, name, payload, check) {
  pending++;
  connection.client.send(name, payload).then(
    (answer) => {
      if (check(answer)) stats.answered++;
      else failure(connection, `wrong answer to ${name} ${payload.seq}`, JSON.stringify(answer)?.slice(0, 200));
      settled();
    },
    (error) => {
      failure(connection, `${name} ${payload.seq}`, `${error?.code ?? ''} ${error?.message ?? error}`);
      settled();
    },
  );
}

function settled() {
  if (--pending === 0) idle();
}

/** One message of the mix on one connection; every message carries the connection's next sequence number. */
function act(connection, rooms, payload) {
  const seq = ++connection.seq;
  const roll = Math.random();
  if (roll < 0.55) {
    stats.sent.echo++;
    request(connection, 'echo', { seq, d: payload }, (answer) => answer?.seq === seq && answer?.d === payload);
  } else if (roll < 0.75) {
    stats.sent.note++;
    try {
      connection.client.sendWithoutResponse('note', { seq }).catch((error) => failure(connection, `note ${seq}`, error?.message));
    } catch (error) {
      failure(connection, `note ${seq}`, error?.message);
    }
  } else if (roll < 0.9) {
    const pick = `r${Math.floor(Math.random() * rooms)}`;
    // Leave a room we are in, or join one we are not in (at most MAX_ROOMS at once).
    const leaving = connection.rooms.has(pick) ? pick : connection.rooms.size >= MAX_ROOMS ? connection.rooms.values().next().value : undefined;
    if (leaving !== undefined) {
      connection.rooms.delete(leaving);
      stats.sent.leave++;
      request(connection, 'leave', { seq, room: leaving }, (answer) => answer?.seq === seq);
    } else {
      connection.rooms.add(pick);
      stats.sent.join++;
      request(connection, 'join', { seq, room: pick }, (answer) => answer?.seq === seq);
    }
  } else {
    stats.sent.shout++;
    request(connection, 'shout', { seq, room: `r${Math.floor(Math.random() * rooms)}` }, (answer) => answer?.seq === seq);
  }
}

serveCommands(
  {
    /** Opens `count` connections, `concurrency` at a time. */
    async connect({ url, count, concurrency }) {
      let next = 0;
      const opener = async () => {
        while (next < count) connections.push(await openConnection(url, next++));
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, count) }, opener));
      return connections.length;
    },

    /** Drives the mix for `duration` ms at `rate` messages per second per connection, then waits (bounded) for every answer. */
    async run({ duration, rate, rooms, payloadSize, settleTimeout }) {
      const payload = 'x'.repeat(payloadSize);
      const perTick = (rate * TICK) / 1000;
      const timer = setInterval(() => {
        for (const connection of connections) {
          connection.budget += perTick;
          for (; connection.budget >= 1; connection.budget--) act(connection, rooms, payload);
        }
      }, TICK);
      await sleep(duration);
      clearInterval(timer);
      const start = performance.now();
      if (pending > 0) await Promise.race([new Promise((resolve) => (idle = resolve)), sleep(settleTimeout)]);
      idle = () => undefined;
      return { pending, settleMs: Math.round(performance.now() - start) };
    },

    /**
     * Asks the server, on every connection, what it saw: its next expected sequence number and
     * how many broadcasts it delivered to this connection. The answer comes after every frame the
     * server wrote before it, so the counts can be compared exactly.
     */
    async verify() {
      await Promise.all(
        connections.map(async (connection) => {
          try {
            const seen = await connection.client.send('done', { seq: connection.seq });
            if (seen.next !== connection.seq + 1) stats.seqMismatches++;
            if (seen.expectedBroadcasts > connection.broadcasts) stats.missingBroadcasts += seen.expectedBroadcasts - connection.broadcasts;
            if (seen.expectedBroadcasts < connection.broadcasts) stats.extraBroadcasts += connection.broadcasts - seen.expectedBroadcasts;
            if (seen.asks !== connection.lastAsk) stats.askGaps += Math.max(0, seen.asks - connection.lastAsk);
          } catch (error) {
            failure(connection, 'done', `${error?.code ?? ''} ${error?.message ?? error}`);
          }
        }),
      );
      return true;
    },

    /** Closes every connection (expected closes from here on) and reports. */
    async close() {
      closing = true;
      for (const socket of sockets) stats.unansweredOnWire += socket.awaiting.size + socket.toAnswer.size;
      await Promise.all(connections.map((connection) => connection.client.disconnect().catch(() => undefined)));
      return stats;
    },
  },
  lifetime,
);
emitToParent('ready');
