// The demo page: one ChatClient, a method call per command, a listener per notification. Text
// from the server is only ever put in the page with textContent, never as HTML.
import { ChatClient } from '@volley/chat/client';

const $ = (id) => document.getElementById(id);
const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;

let chat; // the ChatClient, once logged in
let openRoom; // the room shown in the message pane
const joined = new Set(); // rooms this page (this connection) is joined to
const logs = new Map(); // room → its lines: {id?, author?, text, timestamp?, notice?}
const typing = new Map(); // room → (user → timer hiding "is typing")
let lastTypingSent = 0;

function showError(error) {
  $('status').textContent = error ? String(error.message ?? error) : '';
}

/** Runs a command from a click or a form; shows its error instead of throwing. */
async function attempt(action) {
  showError();
  try {
    return await action();
  } catch (error) {
    showError(error);
    return undefined;
  }
}

// --- login ---

$('login').addEventListener('submit', async (event) => {
  event.preventDefault();
  const client = new ChatClient(wsUrl, { auth: { userName: $('login-name').value.trim() } });
  listen(client);
  const login = await attempt(() => client.connect()); // rejects with the server's reason, e.g. invalidName
  if (login === undefined) {
    void client.disconnect(); // no reconnection attempts for a refused login
    return;
  }
  chat = client;
  $('whoami').textContent = `logged in as ${login.userName}`;
  $('login').hidden = true;
  $('app').hidden = false;
  await refreshRooms();
});

// --- rooms ---

async function refreshRooms() {
  const rooms = await attempt(() => chat.roomList()); // visible rooms, and the ones we are in
  if (rooms === undefined) return;
  $('rooms').replaceChildren(
    ...rooms.map((room) => {
      const item = element('li', '', { 'data-room': room.name, class: room.name === openRoom ? 'open' : '' });
      const name = element('button', `${joined.has(room.name) ? '● ' : ''}${room.name}`, { type: 'button', class: 'room' });
      name.addEventListener('click', () => (joined.has(room.name) ? open(room.name) : join(room.name)));
      item.append(name, element('span', `${room.members} online`));
      return item;
    }),
  );
}

async function join(roomName) {
  if (joined.has(roomName)) return open(roomName);
  if ((await attempt(() => chat.roomJoin(roomName))) === undefined) return;
  joined.add(roomName);
  logs.set(roomName, []); // live messages land here while the history loads
  open(roomName);
  const history = (await attempt(() => chat.roomRecentHistory(roomName))) ?? []; // newest first
  const live = logs.get(roomName);
  const seen = new Set(live.map((line) => line.id));
  logs.set(roomName, [...history.filter((message) => !seen.has(message.id)).reverse().map(lineOf), ...live]);
  render();
  await refreshRooms();
}

async function leave(roomName) {
  if ((await attempt(() => chat.roomLeave(roomName))) === undefined) return;
  forget(roomName);
}

function forget(roomName) {
  joined.delete(roomName);
  logs.delete(roomName);
  if (openRoom === roomName) open(undefined);
  void refreshRooms();
}

function open(roomName) {
  openRoom = roomName;
  $('room-title').textContent = roomName ?? 'Join a room';
  $('leave').hidden = roomName === undefined;
  for (const control of $('message-form').elements) control.disabled = roomName === undefined;
  for (const item of $('rooms').children) item.classList.toggle('open', item.dataset.room === roomName);
  render();
}

$('refresh').addEventListener('click', () => refreshRooms());
$('leave').addEventListener('click', () => leave(openRoom));
$('room-form').addEventListener('submit', (event) => {
  event.preventDefault();
  void join($('room-name').value.trim());
});
$('room-form').elements.create.addEventListener('click', async () => {
  const roomName = $('room-name').value.trim();
  // The creator owns the room; visible, so that roomList shows it to everyone.
  if ((await attempt(() => chat.roomCreate(roomName, false, { visible: true }))) !== undefined) await join(roomName);
});

// --- messages ---

$('message-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const textMessage = $('message-text').value;
  // Our own message comes back as a roomMessage notification, like everyone else's.
  if ((await attempt(() => chat.roomMessage(openRoom, { textMessage }))) !== undefined) $('message-text').value = '';
});

$('message-text').addEventListener('input', () => {
  // A typing receipt at most every 2 s; the others show it for 3 s.
  if (Date.now() - lastTypingSent < 2000) return;
  lastTypingSent = Date.now();
  chat.roomReceipt(openRoom, 'typing').catch(showError);
});

$('direct-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const toUser = $('direct-to').value.trim();
  const sent = await attempt(() => chat.directMessage(toUser, { textMessage: $('direct-text').value }));
  if (sent === undefined) return;
  $('direct-text').value = '';
  addDirect(`you → ${toUser}`, sent);
});

function lineOf(message) {
  return { id: message.id, author: message.author, text: message.textMessage, timestamp: message.timestamp };
}

function addLine(roomName, line) {
  logs.get(roomName)?.push(line);
  if (roomName === openRoom) render();
}

function notice(roomName, text) {
  addLine(roomName, { notice: true, text, timestamp: Date.now() });
}

function addDirect(who, message) {
  const item = element('li', '', { class: 'message' });
  item.append(element('time', clock(message.timestamp)), element('span', `${who}: `, { class: 'author' }), message.textMessage);
  $('direct').prepend(item);
}

function render() {
  const lines = logs.get(openRoom) ?? [];
  $('messages').replaceChildren(
    ...lines.map((line) => {
      const item = element('li', '', { class: line.notice ? 'notice' : 'message' });
      item.append(element('time', clock(line.timestamp)));
      if (!line.notice) item.append(element('span', `${line.author}: `, { class: 'author' }));
      item.append(line.text);
      return item;
    }),
  );
  $('messages').scrollTop = $('messages').scrollHeight;
  const typists = [...(typing.get(openRoom)?.keys() ?? [])];
  $('typing').textContent = typists.length === 0 ? '' : `${typists.join(', ')} ${typists.length === 1 ? 'is' : 'are'} typing…`;
}

// --- notifications ---

function listen(client) {
  client.on('roomMessage', (roomName, message) => {
    stopTyping(roomName, message.author);
    addLine(roomName, lineOf(message));
  });
  client.on('roomUserJoined', (roomName, userName) => {
    notice(roomName, `${userName} joined`);
    void refreshRooms();
  });
  client.on('roomUserLeft', (roomName, userName) => {
    stopTyping(roomName, userName);
    notice(roomName, `${userName} left`);
    void refreshRooms();
  });
  client.on('roomReceipt', (roomName, receipt) => {
    if (receipt.kind !== 'typing') return;
    const users = typing.get(roomName) ?? new Map();
    typing.set(roomName, users);
    clearTimeout(users.get(receipt.userName));
    users.set(receipt.userName, setTimeout(() => stopTyping(roomName, receipt.userName), 3000));
    if (roomName === openRoom) render();
  });
  client.on('roomAccessListAdded', (roomName, listName, userNames) => notice(roomName, `${userNames.join(', ')} added to the ${listName}`));
  client.on('roomAccessListRemoved', (roomName, listName, userNames) => notice(roomName, `${userNames.join(', ')} removed from the ${listName}`));
  client.on('roomModeChanged', (roomName, mode) => notice(roomName, `whitelist-only mode ${mode ? 'on' : 'off'}`));
  client.on('roomAccessRemoved', (roomName) => {
    showError(new Error(`You were removed from ${roomName}`));
    forget(roomName);
  });
  client.on('directMessage', (message) => addDirect(`${message.author} → you`, message));
  // A direct message sent from another window of the same user.
  client.on('directMessageEcho', (toUser, message) => addDirect(`you → ${toUser}`, message));
  client.on('disconnected', ({ willReconnect }) => {
    $('whoami').textContent = willReconnect ? 'reconnecting…' : 'disconnected';
  });
  // After a reconnection the client joins its rooms again by itself.
  client.on('loginConfirmed', (userName) => {
    if (chat !== undefined) $('whoami').textContent = `logged in as ${userName}`;
  });
}

function stopTyping(roomName, userName) {
  const users = typing.get(roomName);
  if (!users?.has(userName)) return;
  clearTimeout(users.get(userName));
  users.delete(userName);
  if (roomName === openRoom) render();
}

// --- DOM helpers ---

function element(tag, text, attributes = {}) {
  const node = document.createElement(tag);
  node.textContent = text;
  for (const [name, value] of Object.entries(attributes)) if (value !== '') node.setAttribute(name, value);
  return node;
}

function clock(timestamp) {
  return new Date(timestamp).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}
