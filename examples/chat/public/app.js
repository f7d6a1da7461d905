// The demo page: one ChatClient, a method call per command, a listener per notification. Text
// from the server is only ever put in the page with textContent, never as HTML.
import { ChatClient } from '@volley/chat/client';

const $ = (id) => document.getElementById(id);
const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;

let chat; // the ChatClient, once logged in
let me; // our user name
let current; // what the message pane shows: { kind: 'room' | 'direct', name }
let listing = []; // the last roomList: [{name, members, visible}]
const rooms = new Map(); // joined room → { log: lines[], unread, members: Map(user → MemberInfo), owner, admins: Set }
const directs = new Map(); // user → { log: lines[], unread }
const people = new Map(); // user → open connections (server presence)
const typing = new Map(); // room → (user → timer hiding "is typing")
let typingSentAt = 0;

// --- errors, in words, next to the control that caused them ---

const explanations = {
  invalidName: () => 'Names are 1 to 32 characters, without : { } or control characters.',
  noLogin: () => 'Type a name to log in.',
  noRoom: ([room]) => `There is no room named “${room}”.`,
  roomExists: ([room]) => `A room named “${room}” already exists: join it instead.`,
  notAllowed: () => 'You are not allowed to do that in this room.',
  notJoined: () => 'Join the room first.',
  noUser: ([user]) => `Nobody is called “${user}”.`,
  noUserOnline: ([user]) => `${user ?? 'That person'} is not online right now.`,
  roomsLimitExceeded: () => 'You already own as many rooms as you may.',
  listLimitExceeded: () => 'That list is full.',
  timeout: () => 'The server took too long. Try again.',
};

function explain(error) {
  const explanation = explanations[error?.code];
  if (explanation !== undefined) return explanation(Array.isArray(error.args) ? error.args : []);
  if (error?.code === 'DISCONNECTED' || error?.code === 'MESSAGE_TIMEOUT') return 'Not connected to the server. Wait for it to come back, then try again.';
  return String(error?.message ?? error);
}

/**
 * Runs an action of a form; shows its error in words in the form's error line, or clears it.
 * Resolves with `{ value }` when it succeeded (a command may resolve with nothing), else undefined.
 */
async function attempt(errorLine, action) {
  $(errorLine).textContent = '';
  try {
    return { value: await action() };
  } catch (error) {
    $(errorLine).textContent = explain(error);
    return undefined;
  }
}

// --- login and the connection's state ---

$('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const client = new ChatClient(wsUrl, { auth: { userName: $('login-name').value.trim() } });
  listen(client);
  const login = (await attempt('login-error', () => client.connect()))?.value; // rejects with the server's reason, e.g. invalidName
  if (login === undefined) {
    void client.disconnect(); // no reconnection attempts for a refused login
    return;
  }
  chat = client;
  me = login.userName;
  $('whoami').textContent = `Signed in as ${me}`;
  $('login').hidden = true;
  $('app').hidden = false;
  setConnection('connected');
  await refreshRooms();
});

function setConnection(state) {
  const labels = { connected: 'Connected', reconnecting: 'Reconnecting…', offline: 'Offline' };
  $('connection').dataset.state = state;
  $('connection').textContent = labels[state];
  // Nothing can be sent while offline: the controls say so instead of failing.
  const offline = state !== 'connected';
  for (const form of [$('room-form'), $('message-form')]) for (const control of form.elements) control.disabled = offline || (form.id === 'message-form' && current === undefined);
}

// --- rooms ---

async function refreshRooms() {
  const found = await attempt('room-error', () => chat.roomList()); // visible rooms, and the ones we are in
  if (found === undefined) return;
  listing = found.value;
  renderRooms();
}

function renderRooms() {
  const names = [...new Set([...listing.map((room) => room.name), ...rooms.keys()])].sort();
  $('rooms').replaceChildren(
    ...names.map((name) => {
      const joined = rooms.get(name);
      const item = element('li', '', { 'data-room': name, class: isOpen('room', name) ? 'open' : '' });
      const button = element('button', '', { type: 'button', 'aria-current': isOpen('room', name) ? 'true' : '' });
      button.append(element('span', `${joined ? '# ' : ''}${name}`));
      const online = listing.find((room) => room.name === name)?.members;
      if (joined?.unread) button.append(element('span', String(joined.unread), { class: 'badge', 'aria-label': `${joined.unread} unread` }));
      else if (online !== undefined) button.append(element('span', `${online} in`, { class: 'count' }));
      button.addEventListener('click', () => (joined ? show('room', name) : join(name)));
      item.append(button);
      return item;
    }),
  );
}

async function join(roomName) {
  if (rooms.has(roomName)) return show('room', roomName);
  const joined = await attempt('room-error', () => chat.roomJoin(roomName));
  if (joined === undefined) return;
  rooms.set(roomName, { log: [], unread: 0, members: rooms.get(roomName)?.members ?? new Map(), owner: null, admins: new Set() });
  show('room', roomName);
  await loadRoom(roomName);
  await refreshRooms();
}

/** The room's history (merged with what arrived meanwhile), owner and admins. */
async function loadRoom(roomName) {
  const room = rooms.get(roomName);
  if (room === undefined) return;
  const before = room.log.length; // what arrives from now on is newer than the history read
  let history, owner, admins;
  try {
    [history, owner, admins] = await Promise.all([chat.roomRecentHistory(roomName), chat.roomGetOwner(roomName), chat.roomGetAccessList(roomName, 'adminlist')]);
  } catch (error) {
    $('message-error').textContent = explain(error);
    return; // keep what is shown
  }
  const known = new Set(history.map((message) => message.id));
  const live = room.log.slice(before).filter((line) => line.notice || !known.has(line.id));
  // The server's history replaces what was shown (after a restart it may have changed).
  room.log = [...history.reverse().map(lineOf), ...live];
  room.owner = owner;
  room.admins = new Set(admins);
  if (isOpen('room', roomName)) render();
}

async function leave(roomName) {
  if ((await attempt('message-error', () => chat.roomLeave(roomName))) === undefined) return;
  forget(roomName);
}

function forget(roomName) {
  rooms.delete(roomName);
  if (isOpen('room', roomName)) show(undefined);
  void refreshRooms();
}

$('leave').addEventListener('click', () => leave(current.name));
$('room-form').addEventListener('submit', (event) => {
  event.preventDefault();
  void join($('room-name').value.trim());
});
$('room-form').elements.create.addEventListener('click', async () => {
  const roomName = $('room-name').value.trim();
  if (roomName === '') return void ($('room-error').textContent = 'Type the new room’s name first.');
  // The creator owns the room; visible, so that roomList shows it to everyone. Then enter it.
  if ((await attempt('room-error', () => chat.roomCreate(roomName, false, { visible: true }))) === undefined) return;
  $('room-name').value = '';
  await join(roomName);
});

// --- conversations: a room or a person ---

function isOpen(kind, name) {
  return current?.kind === kind && current.name === name;
}

function show(kind, name) {
  current = kind === undefined ? undefined : { kind, name };
  const conversation = kind === 'room' ? rooms.get(name) : kind === 'direct' ? direct(name) : undefined;
  if (conversation !== undefined) conversation.unread = 0;
  $('conversation-title').textContent = kind === 'room' ? `# ${name}` : kind === 'direct' ? `Direct messages with ${name}` : 'Pick a room or a person';
  $('leave').hidden = kind !== 'room';
  $('members-panel').hidden = kind !== 'room';
  $('message-text').placeholder = kind === 'direct' ? `Message ${name}` : 'Write a message';
  setConnection($('connection').dataset.state);
  $('message-error').textContent = '';
  renderRooms();
  renderPeople();
  render();
}

function direct(user) {
  let conversation = directs.get(user);
  if (conversation === undefined) directs.set(user, (conversation = { log: [], unread: 0 }));
  return conversation;
}

$('message-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const textMessage = $('message-text').value;
  const target = current;
  const sent =
    target.kind === 'room'
      ? // Our own message comes back as a roomMessage notification, like everyone else's.
        await attempt('message-error', () => chat.roomMessage(target.name, { textMessage }))
      : await attempt('message-error', () => chat.directMessage(target.name, { textMessage }));
  if (sent === undefined) return;
  $('message-text').value = '';
  typingSentAt = 0; // the next keystroke starts a new burst of typing
  if (target.kind === 'direct') addLine(direct(target.name), { ...lineOf(sent.value), author: me }, true);
});

$('message-text').addEventListener('input', () => {
  if (current?.kind !== 'room' || $('message-text').value === '') return;
  // A typing receipt at the start of each burst, then at most every 2 s; others show it for 3 s.
  if (Date.now() - typingSentAt < 2000) return;
  typingSentAt = Date.now();
  chat.roomReceipt(current.name, 'typing').catch(() => undefined);
});

// --- rendering ---

function lineOf(message) {
  return { id: message.id, author: message.author, text: message.textMessage, timestamp: message.timestamp };
}

function addLine(conversation, line, own = false) {
  conversation.log.push(line);
  const open = conversation === (current?.kind === 'room' ? rooms.get(current.name) : current?.kind === 'direct' ? directs.get(current.name) : undefined);
  if (open) render();
  else if (!own && !line.notice) {
    conversation.unread += 1;
    renderRooms();
    renderPeople();
  }
}

function notice(roomName, text) {
  const room = rooms.get(roomName);
  if (room !== undefined) addLine(room, { notice: true, text, timestamp: Date.now() });
}

function render() {
  const conversation = current?.kind === 'room' ? rooms.get(current.name) : current?.kind === 'direct' ? directs.get(current.name) : undefined;
  $('messages').replaceChildren(
    ...(conversation?.log ?? []).map((line) => {
      const item = element('li', '', { class: line.notice ? 'notice' : 'message' });
      item.append(element('time', clock(line.timestamp), { datetime: new Date(line.timestamp).toISOString() }));
      if (!line.notice) item.append(element('span', `${line.author}: `, { class: 'author' }));
      item.append(line.text);
      return item;
    }),
  );
  $('messages').scrollTop = $('messages').scrollHeight;
  const typists = current?.kind === 'room' ? [...(typing.get(current.name)?.keys() ?? [])] : [];
  $('typing').textContent = typists.length === 0 ? '' : `${typists.join(', ')} ${typists.length === 1 ? 'is' : 'are'} typing…`;
  renderMembers();
}

function renderPeople() {
  const names = [...new Set([...[...people].filter(([, connections]) => connections > 0).map(([name]) => name), ...directs.keys()])].filter((name) => name !== me).sort();
  if (names.length === 0) return void $('people').replaceChildren(element('li', 'Nobody else is online.', { class: 'count' }));
  $('people').replaceChildren(
    ...names.map((name) => {
      const item = element('li', '', { 'data-user': name, class: isOpen('direct', name) ? 'open' : '' });
      const button = element('button', '', { type: 'button', 'aria-label': `Direct messages with ${name}`, 'aria-current': isOpen('direct', name) ? 'true' : '' });
      button.append(element('span', name, { class: (people.get(name) ?? 0) > 0 ? 'online' : '' }));
      const unread = directs.get(name)?.unread ?? 0;
      if (unread > 0) button.append(element('span', String(unread), { class: 'badge', 'aria-label': `${unread} unread` }));
      button.addEventListener('click', () => show('direct', name));
      item.append(button);
      return item;
    }),
  );
}

function renderMembers() {
  const room = current?.kind === 'room' ? rooms.get(current.name) : undefined;
  $('members').replaceChildren(
    ...[...(room?.members.values() ?? [])]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((member) => {
        const item = element('li', '', { 'data-member': member.id });
        item.append(element('span', member.name, { class: 'online' }));
        const role = room.owner === member.id ? 'owner' : room.admins.has(member.id) ? 'admin' : member.role !== 'MEMBER' ? member.role.toLowerCase() : '';
        if (role !== '') item.append(element('span', role, { class: 'role' }));
        return item;
      }),
  );
}

// --- notifications ---

function listen(client) {
  client.on('roomMessage', (roomName, message) => {
    stopTyping(roomName, message.author);
    const room = rooms.get(roomName);
    if (room !== undefined && !room.log.some((line) => line.id === message.id)) addLine(room, lineOf(message), message.author === me);
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
  client.on('roomMembers', (roomName, members) => {
    const room = rooms.get(roomName) ?? { log: [], unread: 0, members: new Map(), owner: null, admins: new Set() };
    room.members = new Map(members.map((member) => [member.id, member]));
    if (rooms.has(roomName)) renderMembers();
    else rooms.set(roomName, room); // the join's answer comes after this notification
  });
  client.on('roomMemberJoined', (roomName, member) => {
    rooms.get(roomName)?.members.set(member.id, member);
    renderMembers();
  });
  client.on('roomMemberLeft', (roomName, member) => {
    rooms.get(roomName)?.members.delete(member.id);
    renderMembers();
  });
  client.on('roomReceipt', (roomName, receipt) => {
    if (receipt.kind !== 'typing') return;
    const users = typing.get(roomName) ?? new Map();
    typing.set(roomName, users);
    clearTimeout(users.get(receipt.userName));
    users.set(receipt.userName, setTimeout(() => stopTyping(roomName, receipt.userName), 3000));
    if (isOpen('room', roomName)) render();
  });
  client.on('roomAccessListAdded', (roomName, listName, userNames) => notice(roomName, `${userNames.join(', ')} added to the ${listName}`));
  client.on('roomAccessListRemoved', (roomName, listName, userNames) => notice(roomName, `${userNames.join(', ')} removed from the ${listName}`));
  client.on('roomModeChanged', (roomName, mode) => notice(roomName, `whitelist-only mode ${mode ? 'on' : 'off'}`));
  client.on('roomAccessRemoved', (roomName) => {
    $('room-error').textContent = `You no longer have access to ${roomName}.`;
    forget(roomName);
  });
  client.on('directMessage', (message) => addLine(direct(message.author), lineOf(message)));
  // A direct message sent from another window of the same user.
  client.on('directMessageEcho', (toUser, message) => addLine(direct(toUser), lineOf(message), true));
  // Server presence: who is online.
  client.on('userList', (users) => {
    people.clear();
    for (const user of users) people.set(user.userName, user.connections);
    renderPeople();
  });
  client.on('userLinked', (userName) => (people.set(userName, Math.max(1, people.get(userName) ?? 0)), renderPeople()));
  client.on('userUnlinked', (userName) => (people.set(userName, 0), renderPeople()));
  client.on('userLeft', (userName) => (people.delete(userName), renderPeople()));
  client.on('disconnected', ({ willReconnect }) => setConnection(willReconnect ? 'reconnecting' : 'offline'));
  client.on('reconnecting', () => setConnection('reconnecting'));
  client.on('error', () => undefined); // a refused rejoin: refreshAll() finds it out itself
  // After a reconnection the client joins its rooms again by itself; the page refreshes what it
  // shows, since the server may have restarted and lost or changed it.
  client.on('loginConfirmed', () => {
    if (chat === undefined) return;
    setConnection('connected');
    void refreshAll();
  });
}

async function refreshAll() {
  const gone = [];
  for (const roomName of [...rooms.keys()]) {
    try {
      // Joined again (the client's own rejoin may still be on its way: a second join is a no-op),
      // then its history and roles read afresh.
      await chat.roomJoin(roomName);
      await loadRoom(roomName);
    } catch {
      gone.push(roomName); // gone with the server's restart, or no longer open to us
      rooms.delete(roomName);
      if (isOpen('room', roomName)) show(undefined);
    }
  }
  await refreshRooms();
  if (gone.length > 0) $('room-error').textContent = `${gone.map((name) => `“${name}”`).join(', ')} ${gone.length === 1 ? 'is' : 'are'} gone.`;
}

function stopTyping(roomName, userName) {
  const users = typing.get(roomName);
  if (!users?.has(userName)) return;
  clearTimeout(users.get(userName));
  users.delete(userName);
  if (isOpen('room', roomName)) render();
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
