-- wrk script: PutEvents (AWS JSON 1.1) with 10 entries per request, each entry's Detail carrying
-- its creation time in microseconds (created_us, from gettimeofday through LuaJIT's ffi) and a
-- customer c-K with a total in rule K's range, matching exactly one rule of perf/loadgen/gen_rules.py (K cycles over
-- SB_RULES). SB_SIZE pads Detail to about that many bytes; SB_DELAY_MS waits that long between
-- requests on each connection (pacing).
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_usec; } sb_timeval;
int gettimeofday(sb_timeval *tv, void *tz);
]]
local tv = ffi.new("sb_timeval")
local function now_us()
  ffi.C.gettimeofday(tv, nil)
  return tonumber(tv.tv_sec) * 1000000 + tonumber(tv.tv_usec)
end

local rules = tonumber(os.getenv("SB_RULES") or "1")
local size = tonumber(os.getenv("SB_SIZE") or "256")
local delay_ms = tonumber(os.getenv("SB_DELAY_MS") or "0")
local ENTRIES = 10
-- the Detail without padding is about 90 bytes
local pad = string.rep("x", math.max(0, size - 90))
local seq = 0
local headers = {["Content-Type"] = "application/x-amz-json-1.1",
                 ["X-Amz-Target"] = "AWSEvents.PutEvents"}

function setup(thread)
  thread:set("id", tostring(math.random(1, 1000000)))
end

function request()
  local t = now_us()
  local parts = {}
  for i = 1, ENTRIES do
    seq = seq + 1
    parts[i] = string.format(
      '{"Source":"perf","DetailType":"Order","Detail":"{\\"customer\\":\\"c-%d\\",\\"seq\\":%d,\\"total\\":%d,\\"created_us\\":%d,\\"pad\\":\\"%s\\"}"}',
      seq % rules, seq, ((seq % rules) % 50) * 10 + seq % 10, t, pad)
  end
  return wrk.format("POST", "/", headers, '{"Entries":[' .. table.concat(parts, ",") .. ']}')
end

function delay() return delay_ms end

function response(status, headers, body)
  if status ~= 200 then io.stderr:write("status " .. status .. ": " .. body .. "\n") end
end
