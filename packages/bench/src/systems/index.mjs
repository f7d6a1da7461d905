// The systems under test. Each one implements the same small contract, so that the scenarios
// (rr, s2c, broadcast, memory, connect) are written once:
//
//   system.name
//   system.serverRequests  true, or the reason why the system has no server → client requests
//   system.broadcast       true, or the reason why it has no broadcast
//   system.createServer({ room, payload }) → {
//     port, count(),                 handshaken connections (members of the room when `room`)
//     connections(), request(connection, payload) → Promise   server → client requests
//     broadcast(message),            one message to every member of the room
//     close() }
//   system.connect(url, { role, payload, onBroadcast }) → { request(payload) → Promise, close() }
//     role: 'rr' (the client sends requests), 's2c' (it answers the server's requests),
//     'broadcast' (it receives broadcasts and calls onBroadcast), 'idle'.
//
// Every server listens on 127.0.0.1 only, with compression and pings off wherever possible.
// Each child process loads only the system it runs (socket.io alone takes a quarter second).
const modules = {
  volley: ['./volley.mjs', 'volley'],
  // Only with `--compare=<checkout>`: Volley built from another checkout, beside this one.
  'volley-compare': ['./volley.mjs', 'volleyCompare'],
  'ws-json': ['./ws-json.mjs', 'wsJson'],
  'ws-raw': ['./ws-raw.mjs', 'wsRaw'],
  'ws-json-batched': ['./ws-json.mjs', 'wsJsonBatched'],
  'socket.io': ['./socket-io.mjs', 'socketIo'],
  'rpc-websockets': ['./rpc-websockets.mjs', 'rpcWebsockets'],
};

/** The systems' names, in the order of the tables: volley first, then the baseline. */
export const systemNames = Object.keys(modules);

/** Loads one system's implementation. */
export async function loadSystem(name) {
  const entry = modules[name];
  if (entry === undefined) throw new Error(`unknown system ${name}`);
  const module = await import(entry[0]);
  const system = module[entry[1]];
  if (system === undefined) throw new Error(`${name} needs --compare=<checkout dir>`);
  return system;
}
