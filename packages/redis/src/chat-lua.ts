/**
 * The Redis chat store's data layout, written once, in Lua: every script starts with this
 * prelude, and no TypeScript builds a key. `KEYS[1]` is the store's root `{prefix}:chat`, whose
 * hash tag puts every key of the store in one Redis Cluster slot, so that every script is legal
 * there. Names never contain `:` (the chat refuses them), so a name ends its key segment.
 *
 * - `R:users` sorted set of user names, all scores 0 (ordered by bytes); `R:u:<user>` hash (`wlo` direct whitelist-only, `info` JSON);
 *   `R:u:<user>:<set>` sets: `conns`, `blacklist`, `whitelist`, and the room index's `related`
 *   (rooms the user owns, administers, holds the token of or is joined to) and `owned`.
 * - `R:rooms` and `R:visible`: sorted sets of room names, all scores 0 (ordered by bytes).
 * - `R:r:<room>` hash of settings (`owner`, `wlo`, `hmax`, `last`, `visible`, `presence`, `token`,
 *   `ulu`, `alu`, `hbytes`); `R:r:<room>:data` hash field → JSON; `R:r:<room>:<list>` sets for
 *   `adminlist`, `blacklist`, `whitelist`, `tokenholders`, and `members` (users joined with at
 *   least one connection); `R:r:<room>:seen` hash user → ms; `R:r:<room>:j:<user>` set of the
 *   user's joined connections; `R:r:<room>:history` stream whose entry id `0-<n>` is message n.
 * - `R:c:<connection>` set of the rooms a connection is joined to; `R:connection-users` hash
 *   connection → its user.
 */
export const PRELUDE = `
local R = KEYS[1]
local function kUsers() return R .. ':users' end
local function kUser(u) return R .. ':u:' .. u end
local function kUserSet(u, s) return R .. ':u:' .. u .. ':' .. s end
local function kRooms() return R .. ':rooms' end
local function kVisible() return R .. ':visible' end
local function kRoom(r) return R .. ':r:' .. r end
local function kPart(r, p) return R .. ':r:' .. r .. ':' .. p end
local function kJoined(r, u) return R .. ':r:' .. r .. ':j:' .. u end
local function kConn(c) return R .. ':c:' .. c end
local function kConnUsers() return R .. ':connection-users' end
local function exists(r) return redis.call('EXISTS', kRoom(r)) == 1 end
local function has(key, member) return redis.call('SISMEMBER', key, member) == 1 end
local function listKey(r, list) if list == 'userlist' then return kPart(r, 'members') end return kPart(r, list) end

-- Drops the room from the user's listing candidates unless the user still relates to it.
local function recheck(r, u)
  if redis.call('HGET', kRoom(r), 'owner') == u then return end
  if has(kPart(r, 'adminlist'), u) or has(kPart(r, 'tokenholders'), u) or has(kPart(r, 'members'), u) then return end
  redis.call('SREM', kUserSet(u, 'related'), r)
end

-- A hidden room is listed to users joined to it or admin-level in it (a blacklisted token holder is not).
local function seesHidden(r, u)
  if has(kPart(r, 'members'), u) or redis.call('HGET', kRoom(r), 'owner') == u or has(kPart(r, 'adminlist'), u) then return true end
  return has(kPart(r, 'tokenholders'), u) and not has(kPart(r, 'blacklist'), u)
end

-- {changed (0/1), the user's joined connections after}.
local function leave(r, u, c, now)
  local j = kJoined(r, u)
  if not exists(r) or not has(j, c) then return {0, redis.call('SCARD', j)} end
  redis.call('SREM', j, c)
  local n = redis.call('SCARD', j)
  if n == 0 then
    redis.call('SREM', kPart(r, 'members'), u)
    redis.call('HSET', kPart(r, 'seen'), u, now)
    recheck(r, u)
  end
  return {1, n}
end

-- Adds ARGV[first..] to the set, or nothing (false) when that would pass the limit.
local function addAll(key, first, limit)
  local seen, added = {}, 0
  for i = first, #ARGV do
    if not seen[ARGV[i]] then
      seen[ARGV[i]] = true
      if not has(key, ARGV[i]) then added = added + 1 end
    end
  end
  if redis.call('SCARD', key) + added > limit then return false end
  for i = first, #ARGV do redis.call('SADD', key, ARGV[i]) end
  return true
end

-- Drops the oldest messages past the room's hmax and, when maxBytes >= 0, past maxBytes bytes.
local function trim(r, maxBytes)
  local room, h = kRoom(r), kPart(r, 'history')
  local len = redis.call('XLEN', h)
  local drop = len - tonumber(redis.call('HGET', room, 'hmax'))
  local bytes = tonumber(redis.call('HGET', room, 'hbytes') or '0')
  local function over() return drop > 0 or (maxBytes >= 0 and bytes > maxBytes) end
  while len > 0 and over() do
    for _, entry in ipairs(redis.call('XRANGE', h, '-', '+', 'COUNT', 100)) do
      if not over() then break end
      bytes = bytes - #entry[2][2]
      redis.call('XDEL', h, entry[1])
      drop = drop - 1
      len = len - 1
    end
  end
  redis.call('HSET', room, 'hbytes', bytes)
end

-- The texts of a history range read newest first (XREVRANGE) or oldest first (XRANGE), in
-- batches, stopping before the first that would pass maxBytes: {texts, bytes}.
local function readHistory(command, h, from, to, limit, maxBytes)
  local out, bytes, full = {}, 0, false
  while not full and #out < limit do
    local batch = redis.call(command, h, from, to, 'COUNT', math.min(limit - #out, 100))
    if #batch == 0 then break end
    for _, entry in ipairs(batch) do
      local text = entry[2][2]
      if maxBytes >= 0 and bytes + #text > maxBytes then full = true break end
      out[#out + 1] = text
      bytes = bytes + #text
    end
    from = '(' .. batch[#batch][1]
  end
  return {out, bytes}
end
`;
