-- Shared by the benchmark's wrk scripts: the bearer token from XREF_TOKEN, and a per-thread random seed.
-- Each script loads it with dofile(); wrk runs one Lua state per thread.
local common = {}

common.token = os.getenv("XREF_TOKEN") or ""
common.get_headers = { ["Authorization"] = "Bearer " .. common.token }
common.post_headers = { ["Authorization"] = "Bearer " .. common.token, ["Content-Type"] = "application/json" }

local counter = 0
function common.setup(thread)
   counter = counter + 1
   thread:set("thread_id", counter)
end

function common.seed()
   local id = thread_id or 0
   math.randomseed(os.time() * 1000 + id * 7919 + math.floor(os.clock() * 1000000))
   for _ = 1, 10 do math.random() end
end

function common.env_number(name, default)
   local v = tonumber(os.getenv(name) or "")
   if v == nil then return default end
   return v
end

return common
