import { PRELUDE } from './chat-lua.js';
import { RedisScript } from './redis-script.js';

/**
 * One script per operation of the Redis chat store, each one atomic on Redis (see chat-lua.ts for
 * the layout). Arguments are in ARGV; a missing value (a null owner, no viewer) is ''.
 */
const lua = {
  addUser: `return redis.call('ZADD', kUsers(), 'NX', 0, ARGV[1])`,
  hasUser: `if redis.call('ZSCORE', kUsers(), ARGV[1]) then return 1 end
    return 0`,
  listUsers: `
    local from = '-'
    if ARGV[1] ~= '' then from = '(' .. ARGV[1] end
    local page = {}
    for _, u in ipairs(redis.call('ZRANGEBYLEX', kUsers(), from, '+', 'LIMIT', 0, tonumber(ARGV[2]))) do
      page[#page + 1] = {u, redis.call('SCARD', kUserSet(u, 'conns'))}
    end
    return page`,
  deleteUser: `
    local u = ARGV[1]
    if redis.call('ZREM', kUsers(), u) == 0 then return 0 end
    redis.call('DEL', kUser(u), kUserSet(u, 'conns'), kUserSet(u, 'blacklist'), kUserSet(u, 'whitelist'))
    return 1`,
  setUserField: `
    redis.call('ZADD', kUsers(), 'NX', 0, ARGV[1])
    return redis.call('HSET', kUser(ARGV[1]), ARGV[2], ARGV[3])`,
  getUserField: `return redis.call('HGET', kUser(ARGV[1]), ARGV[2])`,
  addConnection: `
    redis.call('ZADD', kUsers(), 'NX', 0, ARGV[1])
    redis.call('SADD', kUserSet(ARGV[1], 'conns'), ARGV[2])
    redis.call('HSET', kConnUsers(), ARGV[2], ARGV[1])
    return redis.call('SCARD', kUserSet(ARGV[1], 'conns'))`,
  connectionUser: `return redis.call('HGET', kConnUsers(), ARGV[1])`,
  removeConnection: `
    local u, c, now = ARGV[1], ARGV[2], ARGV[3]
    local rooms = {}
    for _, r in ipairs(redis.call('SMEMBERS', kConn(c))) do
      rooms[#rooms + 1] = {r, leave(r, u, c, now)[2]}
    end
    redis.call('DEL', kConn(c))
    if redis.call('HGET', kConnUsers(), c) == u then redis.call('HDEL', kConnUsers(), c) end
    redis.call('SREM', kUserSet(u, 'conns'), c)
    return {redis.call('SCARD', kUserSet(u, 'conns')), rooms}`,
  userSetMembers: `return redis.call('SMEMBERS', kUserSet(ARGV[1], ARGV[2]))`,
  userSetHas: `return redis.call('SISMEMBER', kUserSet(ARGV[1], ARGV[2]), ARGV[3])`,
  addToDirectList: `
    redis.call('ZADD', kUsers(), 'NX', 0, ARGV[1])
    if addAll(kUserSet(ARGV[1], ARGV[2]), 4, tonumber(ARGV[3])) then return 1 end
    return -1`,
  removeFromDirectList: `
    for i = 3, #ARGV do redis.call('SREM', kUserSet(ARGV[1], ARGV[2]), ARGV[i]) end
    return 1`,
  createRoom: `
    local r, maxOwned, owner, visible, n = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4], tonumber(ARGV[5])
    if exists(r) then return 0 end
    if maxOwned >= 0 and owner ~= '' and redis.call('SCARD', kUserSet(owner, 'owned')) >= maxOwned then return -1 end
    local i = 6
    for _ = 1, n do
      redis.call('HSET', kRoom(r), ARGV[i], ARGV[i + 1])
      i = i + 2
    end
    while i < #ARGV do
      redis.call('HSET', kPart(r, 'data'), ARGV[i], ARGV[i + 1])
      i = i + 2
    end
    redis.call('ZADD', kRooms(), 0, r)
    if visible == '1' then redis.call('ZADD', kVisible(), 0, r) end
    if owner ~= '' then
      redis.call('SADD', kUserSet(owner, 'owned'), r)
      redis.call('SADD', kUserSet(owner, 'related'), r)
    end
    return 1`,
  deleteRoom: `
    local r = ARGV[1]
    if not exists(r) then return false end
    local owner = redis.call('HGET', kRoom(r), 'owner')
    local joined = {}
    for _, u in ipairs(redis.call('SMEMBERS', kPart(r, 'members'))) do
      local connections = redis.call('SMEMBERS', kJoined(r, u))
      for _, c in ipairs(connections) do redis.call('SREM', kConn(c), r) end
      joined[#joined + 1] = {u, connections}
      redis.call('DEL', kJoined(r, u))
      redis.call('SREM', kUserSet(u, 'related'), r)
    end
    for _, list in ipairs({'adminlist', 'tokenholders'}) do
      for _, u in ipairs(redis.call('SMEMBERS', kPart(r, list))) do redis.call('SREM', kUserSet(u, 'related'), r) end
    end
    if owner then
      redis.call('SREM', kUserSet(owner, 'owned'), r)
      redis.call('SREM', kUserSet(owner, 'related'), r)
    end
    redis.call('ZREM', kRooms(), r)
    redis.call('ZREM', kVisible(), r)
    for _, part in ipairs({'data', 'adminlist', 'blacklist', 'whitelist', 'tokenholders', 'members', 'seen', 'history'}) do
      redis.call('DEL', kPart(r, part))
    end
    redis.call('DEL', kRoom(r))
    return joined`,
  getRoom: `
    local state = redis.call('HGETALL', kRoom(ARGV[1]))
    if #state == 0 then return false end
    return {state, redis.call('HGETALL', kPart(ARGV[1], 'data'))}`,
  listRooms: `
    local viewer, after, limit = ARGV[1], ARGV[2], tonumber(ARGV[3])
    local from = '-'
    if after ~= '' then from = '(' .. after end
    local index = kVisible()
    if viewer == '' then index = kRooms() end
    local function summary(r)
      return {r, redis.call('HGET', kRoom(r), 'owner') or '', redis.call('SCARD', kPart(r, 'members')), redis.call('HGET', kRoom(r), 'visible')}
    end
    local page, hidden = {}, {}
    for _, r in ipairs(redis.call('ZRANGEBYLEX', index, from, '+', 'LIMIT', 0, limit)) do page[#page + 1] = summary(r) end
    if viewer ~= '' then
      for _, r in ipairs(redis.call('SMEMBERS', kUserSet(viewer, 'related'))) do
        if redis.call('HGET', kRoom(r), 'visible') == '0' and seesHidden(r, viewer) then hidden[#hidden + 1] = summary(r) end
      end
    end
    return {page, hidden}`,
  updateRoom: `
    local r, n = ARGV[1], tonumber(ARGV[2])
    if not exists(r) then return 0 end
    local room = kRoom(r)
    local oldOwner, oldVisible = redis.call('HGET', room, 'owner'), redis.call('HGET', room, 'visible')
    local i = 3
    for _ = 1, n do
      redis.call('HSET', room, ARGV[i], ARGV[i + 1])
      i = i + 2
    end
    for k = i, #ARGV do redis.call('HDEL', room, ARGV[k]) end
    local owner, visible = redis.call('HGET', room, 'owner'), redis.call('HGET', room, 'visible')
    if visible ~= oldVisible then
      if visible == '1' then redis.call('ZADD', kVisible(), 0, r) else redis.call('ZREM', kVisible(), r) end
    end
    if owner ~= oldOwner then
      if oldOwner then redis.call('SREM', kUserSet(oldOwner, 'owned'), r) end
      if owner then
        redis.call('SADD', kUserSet(owner, 'owned'), r)
        redis.call('SADD', kUserSet(owner, 'related'), r)
      end
      if oldOwner then recheck(r, oldOwner) end
    end
    return 1`,
  mergeRoomData: `
    local r = ARGV[1]
    if not exists(r) then return false end
    for i = 2, #ARGV, 2 do
      if ARGV[i + 1] == '' then redis.call('HDEL', kPart(r, 'data'), ARGV[i]) else redis.call('HSET', kPart(r, 'data'), ARGV[i], ARGV[i + 1]) end
    end
    return redis.call('HGETALL', kPart(r, 'data'))`,
  setHistoryMaxSize: `
    if not exists(ARGV[1]) then return 0 end
    redis.call('HSET', kRoom(ARGV[1]), 'hmax', ARGV[2])
    trim(ARGV[1], -1)
    return 1`,
  addToRoomList: `
    local r, list = ARGV[1], ARGV[2]
    if not exists(r) then return 0 end
    if not addAll(kPart(r, list), 4, tonumber(ARGV[3])) then return -1 end
    if list == 'adminlist' or list == 'tokenholders' then
      for i = 4, #ARGV do redis.call('SADD', kUserSet(ARGV[i], 'related'), r) end
    end
    return 1`,
  removeFromRoomList: `
    local r, list = ARGV[1], ARGV[2]
    if not exists(r) then return 0 end
    local names = {}
    if #ARGV == 2 then names = redis.call('SMEMBERS', kPart(r, list)) else for i = 3, #ARGV do names[#names + 1] = ARGV[i] end end
    for _, u in ipairs(names) do redis.call('SREM', kPart(r, list), u) end
    for _, u in ipairs(names) do recheck(r, u) end
    return 1`,
  roomListMembers: `return redis.call('SMEMBERS', listKey(ARGV[1], ARGV[2]))`,
  roomListHas: `return redis.call('SISMEMBER', listKey(ARGV[1], ARGV[2]), ARGV[3])`,
  joinRoom: `
    local r, u, c, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
    if not exists(r) then return {0, 0} end
    local j = kJoined(r, u)
    if has(j, c) then return {0, redis.call('SCARD', j)} end
    if redis.call('SCARD', j) == 0 then
      redis.call('SADD', kPart(r, 'members'), u)
      redis.call('HSET', kPart(r, 'seen'), u, now)
      redis.call('SADD', kUserSet(u, 'related'), r)
    end
    redis.call('SADD', j, c)
    redis.call('SADD', kConn(c), r)
    return {1, redis.call('SCARD', j)}`,
  leaveRoom: `
    local change = leave(ARGV[1], ARGV[2], ARGV[3], ARGV[4])
    if change[1] == 1 then redis.call('SREM', kConn(ARGV[3]), ARGV[1]) end
    return change`,
  removeUserFromRoom: `
    local r, u, now = ARGV[1], ARGV[2], ARGV[3]
    local connections = redis.call('SMEMBERS', kJoined(r, u))
    if not exists(r) or #connections == 0 then return {} end
    redis.call('DEL', kJoined(r, u))
    redis.call('SREM', kPart(r, 'members'), u)
    redis.call('HSET', kPart(r, 'seen'), u, now)
    recheck(r, u)
    for _, c in ipairs(connections) do redis.call('SREM', kConn(c), r) end
    return connections`,
  joinedConnections: `return redis.call('SMEMBERS', kJoined(ARGV[1], ARGV[2]))`,
  connectionRooms: `return redis.call('SMEMBERS', kConn(ARGV[1]))`,
  userSeen: `return {redis.call('SISMEMBER', kPart(ARGV[1], 'members'), ARGV[2]), redis.call('HGET', kPart(ARGV[1], 'seen'), ARGV[2]) or ''}`,
  addMessage: `
    local r, body, maxBytes = ARGV[1], ARGV[2], tonumber(ARGV[3])
    if not exists(r) then return false end
    local id = redis.call('HINCRBY', kRoom(r), 'last', 1)
    local text = '{"id":' .. id .. '}'
    if body ~= '{}' then text = string.sub(body, 1, -2) .. ',"id":' .. id .. '}' end
    redis.call('XADD', kPart(r, 'history'), '0-' .. id, 'm', text)
    redis.call('HINCRBY', kRoom(r), 'hbytes', #text)
    trim(r, maxBytes)
    return text`,
  recentHistory: `
    local h, limit, maxBytes = kPart(ARGV[1], 'history'), tonumber(ARGV[2]), tonumber(ARGV[3])
    local page = readHistory('XREVRANGE', h, '+', '-', limit, maxBytes)
    if #page[1] == 0 and limit > 0 and redis.call('XLEN', h) > 0 then return -1 end
    return page`,
  history: `
    local r, after, limit, maxBytes = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
    local h = kPart(r, 'history')
    local first = redis.call('XRANGE', h, '-', '+', 'COUNT', 1)
    if limit <= 0 or #first == 0 then return {{}, 0} end
    local start = math.max(after + 1, tonumber(string.sub(first[1][1], 3)))
    local stop = math.min(start + limit - 1, tonumber(redis.call('HGET', kRoom(r), 'last')))
    if start > stop then return {{}, 0} end
    local page = readHistory('XRANGE', h, string.format('0-%d', start), string.format('0-%d', stop), limit, maxBytes)
    if #page[1] == 0 then return -1 end
    return page`,
  historySize: `return redis.call('XLEN', kPart(ARGV[1], 'history'))`,
};

/** The store's scripts by operation, prelude included. */
export const chatScripts = Object.fromEntries(
  Object.entries(lua).map(([name, body]) => [name, new RedisScript(`${PRELUDE}\n${body}`)]),
) as Record<keyof typeof lua, RedisScript>;
